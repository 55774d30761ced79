// close readies the parked receivers from a gList stack (CH-6): parked 3, 1, 2.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	runtime.GOMAXPROCS(1)
	ch := make(chan int)
	var wg sync.WaitGroup
	wg.Add(3)
	recv := func(i int) {
		<-ch
		fmt.Println(i)
		wg.Done()
	}
	go recv(3)
	runtime.Gosched()
	go recv(1)
	runtime.Gosched()
	go recv(2)
	runtime.Gosched()
	close(ch)
	wg.Wait()
}
