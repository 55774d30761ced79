package cache

// Len is 1 when the cache holds a value, else 0.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.full {
		return 1
	}
	return 0
}

// Stats returns the cache's statistics.
func (c *Cache) Stats() *Stats {
	return c.stats
}
