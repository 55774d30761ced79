// Receivers parked on a buffered channel are readied one per send into runnext (CH-4.4).
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	runtime.GOMAXPROCS(1)
	ch := make(chan int, 2)
	var wg sync.WaitGroup
	wg.Add(3)
	for i := 0; i < 3; i++ {
		go func(i int) {
			v := <-ch
			fmt.Println(i, v)
			wg.Done()
		}(i)
	}
	runtime.Gosched()
	for k := 0; k < 3; k++ {
		ch <- k
	}
	wg.Wait()
}
