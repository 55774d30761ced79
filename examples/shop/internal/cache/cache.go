// Package cache holds one value behind a mutex and counts its writes in Stats.
package cache

import "sync"

// Cache is a one-value cache.
type Cache struct {
	mu    sync.Mutex
	value int
	full  bool
	stats *Stats
}

// New returns an empty cache with its statistics.
func New() *Cache {
	c := &Cache{}
	c.stats = &Stats{cache: c}
	return c
}

// Put stores v.  Lock order: the cache, then its stats (recordPut, in stats.go).
func (c *Cache) Put(v int) {
	c.mu.Lock()
	c.value = v
	c.full = true
	c.stats.recordPut()
	c.mu.Unlock()
}

// Get returns the value and whether there is one.
func (c *Cache) Get() (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value, c.full
}
