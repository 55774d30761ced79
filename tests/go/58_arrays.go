package main

import (
	"fmt"
	"sync"
)

const N = 3

type grid struct {
	cells [N]int
	names [2]string
}

func sum(a [N]int) int {
	t := 0
	for _, v := range a {
		t += v
	}
	return t
}

func main() {
	var counts [N]int
	var wg sync.WaitGroup
	for i := 0; i < N; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			counts[i] = i * 10
		}(i)
	}
	wg.Wait()
	b := counts
	b[0] = 99
	g := grid{names: [2]string{"x", "y"}}
	g.cells[1] = 5
	p := &g.cells
	p[2] = 7
	s := counts[1:]
	s[0] = 11
	primes := [...]int{2, 3, 5, 7}
	fmt.Println(counts[0], counts[1], b[0], sum(counts), g.cells[1], g.cells[2], g.names[1], len(primes), len(s), cap(s))
}
