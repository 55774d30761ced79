// RWMutex.Unlock releases the parked readers (RW-3), then the next writer.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	runtime.GOMAXPROCS(1)
	var rw sync.RWMutex
	var wg sync.WaitGroup
	wg.Add(3)
	rw.Lock()
	for i := 0; i < 2; i++ {
		go func(i int) {
			rw.RLock()
			fmt.Println("r", i)
			rw.RUnlock()
			wg.Done()
		}(i)
	}
	go func() {
		rw.Lock()
		fmt.Println("w")
		rw.Unlock()
		wg.Done()
	}()
	runtime.Gosched()
	rw.Unlock()
	wg.Wait()
}
