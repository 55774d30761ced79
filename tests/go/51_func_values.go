package main

import (
	"fmt"
	"sync"
)

type Handler func(int) int

type Server struct {
	mu       sync.Mutex
	handlers map[string]Handler
	onDone   func()
	count    int
}

func (s *Server) Handle(name string, h Handler) {
	s.mu.Lock()
	s.handlers[name] = h
	s.mu.Unlock()
}

func (s *Server) bump() { s.count++ }

func apply(f func(int) int, x int) int { return f(x) }

func twice(h Handler) Handler {
	return func(x int) int { return h(h(x)) }
}

func main() {
	s := &Server{handlers: map[string]Handler{}}
	s.Handle("inc", func(x int) int { return x + 1 })
	s.onDone = s.bump
	inc := s.handlers["inc"]
	f := twice(inc)
	s.onDone()
	bump := s.bump
	bump()
	var nilf Handler
	fmt.Println(apply(f, 1), s.count, nilf == nil)
}
