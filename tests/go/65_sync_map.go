package main

import (
	"fmt"
	"sync"
)

type cache struct {
	entries sync.Map
	hits    int
}

// sync.Map's methods are atomic and never race with each other; Range sees
// a snapshot of the keys and loads each value when its turn comes.
func main() {
	c := &cache{}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.entries.Store("a", 1)
		v, loaded := c.entries.LoadOrStore("b", 2)
		fmt.Println("g1", v, loaded)
	}()
	go func() {
		defer wg.Done()
		v, ok := c.entries.Load("a")
		fmt.Println("g2", v, ok)
		c.entries.Range(func(k, v interface{}) bool {
			c.hits++
			return true
		})
	}()
	wg.Wait()
	c.entries.Delete("a")
	v, ok := c.entries.LoadAndDelete("b")
	fmt.Println(v, ok, c.hits)
}
