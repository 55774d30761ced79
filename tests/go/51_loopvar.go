package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := 0
	n := 0
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			seen += i * i
			mu.Unlock()
		}()
		n++
	}
	wg.Wait()
	fmt.Println(seen, n)
}
