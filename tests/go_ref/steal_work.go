package main

import (
	"fmt"
	"sync"
)

func work(n int, out *int64, mu *sync.Mutex, wg *sync.WaitGroup) {
	defer wg.Done()
	s := int64(0)
	for i := 0; i < n; i++ {
		s += int64(i)
	}
	mu.Lock()
	*out += s
	mu.Unlock()
}

func main() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total int64
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go work(200, &total, &mu, &wg)
	}
	wg.Wait()
	fmt.Println(total)
}
