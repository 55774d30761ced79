// Cond.Broadcast readies the waiters in ticket order (COND-2); they then compete for L.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	runtime.GOMAXPROCS(1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	ready := false
	var wg sync.WaitGroup
	wg.Add(3)
	for i := 0; i < 3; i++ {
		go func(i int) {
			mu.Lock()
			for !ready {
				c.Wait()
			}
			fmt.Println(i)
			mu.Unlock()
			wg.Done()
		}(i)
	}
	runtime.Gosched()
	mu.Lock()
	ready = true
	c.Broadcast()
	mu.Unlock()
	wg.Wait()
}
