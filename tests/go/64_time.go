package main

import (
	"fmt"
	"sync"
	"time"
)

// An expiring cache: entries carry the time they were stored; a reader treats an entry older
// than the TTL as missing. Time is abstract in the model (docs/go-subset.md): readings are
// instants whose distances are unknown, so comparing two of them is a choice.
type Entry struct {
	Value     int
	Timestamp time.Time
}

type Cache struct {
	mu      sync.Mutex
	entries map[string]Entry
	ttl     time.Duration
}

func (c *Cache) Put(k string, v int) {
	c.mu.Lock()
	c.entries[k] = Entry{Value: v, Timestamp: time.Now()}
	c.mu.Unlock()
}

func (c *Cache) Get(k string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || e.Timestamp.IsZero() || time.Since(e.Timestamp) > c.ttl {
		return 0, false
	}
	return e.Value, true
}

func main() {
	c := &Cache{entries: map[string]Entry{}, ttl: time.Minute}
	start := time.Now()
	deadline := start.Add(5 * time.Second)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.Put("a", 1)
	}()
	wg.Wait()
	v, ok := c.Get("a")
	var never time.Time
	fmt.Println(v, ok, never.IsZero(), start.IsZero(), never.Before(start))
	fmt.Println(deadline.Sub(start) == 5*time.Second, time.Until(deadline) > 0)
	if time.Now().After(deadline) {
		fmt.Println("late")
	}
}
