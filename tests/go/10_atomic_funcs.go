package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

var hits int64

func main() {
	var n int32
	var wg sync.WaitGroup
	wg.Add(2)
	for i := 0; i < 2; i++ {
		go func() {
			atomic.AddInt32(&n, 1)
			atomic.AddInt64(&hits, 2)
			wg.Done()
		}()
	}
	wg.Wait()
	atomic.StoreInt32(&n, 5)
	ok := atomic.CompareAndSwapInt32(&n, 5, 6)
	old := atomic.SwapInt32(&n, 9)
	fmt.Println(atomic.LoadInt32(&n), atomic.LoadInt64(&hits), ok, old)
}
