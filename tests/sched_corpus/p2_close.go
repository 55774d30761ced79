// GOMAXPROCS=2: close wakes three receivers; the other P may steal some.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	runtime.GOMAXPROCS(2)
	ch := make(chan int)
	var wg sync.WaitGroup
	wg.Add(3)
	for i := 0; i < 3; i++ {
		go func(i int) {
			<-ch
			fmt.Println(i)
			wg.Done()
		}(i)
	}
	runtime.Gosched()
	close(ch)
	wg.Wait()
}
