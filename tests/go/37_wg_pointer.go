package main

import (
	"fmt"
	"sync"
)

func work(id int, wg *sync.WaitGroup, mu *sync.Mutex, total *int) {
	defer wg.Done()
	mu.Lock()
	*total += id
	mu.Unlock()
}

func main() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go work(i, &wg, &mu, &total)
	}
	wg.Wait()
	fmt.Println(total)
}
