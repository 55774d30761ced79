package counter

import (
	"sync"
	"testing"
)

type SafeCounter struct {
	sync.Mutex
	hits map2
}

type map2 struct {
	n int
}

func (c *SafeCounter) Inc() {
	c.Lock()
	defer c.Unlock()
	c.hits.n++
}

func (c *SafeCounter) Value() int {
	c.Lock()
	defer c.Unlock()
	return c.hits.n
}

func TestCounter(t *testing.T) {
	t.Helper()
	c := &SafeCounter{}
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Inc()
		}()
	}
	wg.Wait()
	if got := c.Value(); got != 2 {
		t.Errorf("got %d, want %d", got, 2)
	}
	t.Log("done")
}
