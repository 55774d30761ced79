package main

import (
	"fmt"
	"sync"
)

type HandlerFunc func(int) int

func (f HandlerFunc) Serve(x int) int { return f(x) }

type Server interface {
	Serve(x int) int
}

type codeErr int

func (c codeErr) Error() string { return "code" }

type Set map[string]bool

func (s Set) Add(k string) { s[k] = true }

type Counter int

func (c *Counter) Inc() { *c++ }

func check(n int) error {
	if n > 0 {
		return codeErr(n)
	}
	return nil
}

func main() {
	var srv Server = HandlerFunc(func(x int) int { return x * 3 })
	s := Set{}
	s.Add("a")
	var c Counter
	var mu sync.Mutex
	mu.Lock()
	c.Inc()
	c.Inc()
	mu.Unlock()
	err := check(4)
	ce, ok := err.(codeErr)
	fmt.Println(srv.Serve(2), len(s), int(c), err.Error(), int(ce), ok, check(0) == nil)
}
