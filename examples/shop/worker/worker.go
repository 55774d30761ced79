// Package worker fetches values from the cache with a timeout.
package worker

import (
	"time"

	"example.com/shop/internal/cache"
)

// Worker reads through a cache.
type Worker struct {
	c *cache.Cache
}

// New returns a worker over c.
func New(c *cache.Cache) *Worker {
	return &Worker{c: c}
}

// Fetch computes in a goroutine and gives up after a millisecond.  Bug:
// after a timeout nobody receives from the unbuffered channel, so the
// goroutine blocks on its send for ever (a leak).
func (w *Worker) Fetch() (int, bool) {
	result := make(chan int)
	go func() {
		v, _ := w.c.Get()
		result <- v + 1
	}()
	select {
	case v := <-result:
		return v, true
	case <-time.After(time.Millisecond):
		return 0, false
	}
}

// FetchBuffered is Fetch with a buffered channel: the goroutine's send
// always completes, answered or not.
func (w *Worker) FetchBuffered() (int, bool) {
	result := make(chan int, 1)
	go func() {
		v, _ := w.c.Get()
		result <- v + 1
	}()
	select {
	case v := <-result:
		return v, true
	case <-time.After(time.Millisecond):
		return 0, false
	}
}
