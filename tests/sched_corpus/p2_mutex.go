// GOMAXPROCS=2: two goroutines contend for a Mutex on two Ps.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	runtime.GOMAXPROCS(2)
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(2)
	for i := 0; i < 2; i++ {
		go func(i int) {
			for k := 0; k < 2; k++ {
				mu.Lock()
				fmt.Println(i, k)
				mu.Unlock()
			}
			wg.Done()
		}(i)
	}
	wg.Wait()
}
