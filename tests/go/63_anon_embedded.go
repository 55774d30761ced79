package main

import (
	"fmt"
	"sync"
)

type counter struct {
	n int
}

func (c *counter) inc() { c.n++ }

// An anonymous struct type with an embedded sync.Mutex: its Lock and Unlock are promoted.
var storage = struct {
	sync.Mutex
	plugins map[string]int
}{plugins: map[string]int{}}

func register(name string, wg *sync.WaitGroup) {
	defer wg.Done()
	storage.Lock()
	defer storage.Unlock()
	storage.plugins[name]++
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go register("a", &wg)
	go register("b", &wg)
	wg.Wait()
	storage.Lock()
	fmt.Println(len(storage.plugins))
	storage.Unlock()
	// embedded struct pointer and struct value: promoted fields and methods
	local := struct {
		*counter
		sync.WaitGroup
		label string
	}{counter: &counter{}, label: "c"}
	local.Add(1)
	go func() {
		defer local.Done()
		local.inc()
	}()
	local.Wait()
	fmt.Println(local.label, local.n, local.counter.n)
}
