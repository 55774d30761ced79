package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

func main() {
	var n atomic.Int64
	var m int64
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				n.Add(1)
				atomic.AddInt64(&m, 2)
			}
		}()
	}
	wg.Wait()
	fmt.Println(n.Load(), atomic.LoadInt64(&m))
}
