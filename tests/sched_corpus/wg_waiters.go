// Wait's waiters are released by one Done: semrelease readies them in FIFO order into runnext (WG-2).
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	runtime.GOMAXPROCS(1)
	var wg sync.WaitGroup
	var all sync.WaitGroup
	wg.Add(1)
	all.Add(3)
	for i := 0; i < 3; i++ {
		go func(i int) {
			wg.Wait()
			fmt.Println(i)
			all.Done()
		}(i)
	}
	runtime.Gosched()
	wg.Done()
	all.Wait()
}
