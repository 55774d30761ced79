// Two goroutines alternate through runtime.Gosched (SCH-16: global queue tail).
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	runtime.GOMAXPROCS(1)
	var wg sync.WaitGroup
	wg.Add(2)
	for i := 0; i < 2; i++ {
		go func(i int) {
			for k := 0; k < 3; k++ {
				fmt.Println(i, k)
				runtime.Gosched()
			}
			wg.Done()
		}(i)
	}
	wg.Wait()
}
