// Mutex waiters are released one per Unlock (MU-4, SEMA-2).
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	runtime.GOMAXPROCS(1)
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(3)
	mu.Lock()
	for i := 0; i < 3; i++ {
		go func(i int) {
			mu.Lock()
			fmt.Println(i)
			mu.Unlock()
			wg.Done()
		}(i)
	}
	runtime.Gosched()
	mu.Unlock()
	wg.Wait()
}
