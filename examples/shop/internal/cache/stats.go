package cache

import "sync"

// Stats counts a cache's writes.
type Stats struct {
	mu    sync.Mutex
	puts  int
	cache *Cache
}

func (s *Stats) recordPut() {
	s.mu.Lock()
	s.puts++
	s.mu.Unlock()
}

// Report returns the number of writes if the cache holds a value.  Lock
// order: the stats, then the cache (Len, in len.go): the opposite of Put.
func (s *Stats) Report() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cache.Len() > 0 {
		return s.puts
	}
	return 0
}
