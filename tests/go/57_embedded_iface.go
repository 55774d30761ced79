package main

import (
	"fmt"
	"sync"
)

type Store interface {
	Get(k string) int
	Put(k string, v int)
}

type mapStore struct {
	mu sync.Mutex
	m  map[string]int
}

func (s *mapStore) Get(k string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[k]
}

func (s *mapStore) Put(k string, v int) {
	s.mu.Lock()
	s.m[k] = v
	s.mu.Unlock()
}

// countingStore decorates a Store by embedding it and overriding Put.
type countingStore struct {
	Store
	puts int
}

func (c *countingStore) Put(k string, v int) {
	c.puts++
	c.Store.Put(k, v)
}

func main() {
	var s Store = &countingStore{Store: &mapStore{m: map[string]int{}}}
	s.Put("a", 1)
	s.Put("b", 2)
	cs := s.(*countingStore)
	fmt.Println(s.Get("a"), cs.Get("b"), cs.puts)
}
