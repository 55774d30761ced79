// Timers with constant durations fire in deadline order.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

func main() {
	runtime.GOMAXPROCS(1)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		time.Sleep(60 * time.Millisecond)
		fmt.Println(3)
		wg.Done()
	}()
	go func() {
		time.Sleep(20 * time.Millisecond)
		fmt.Println(1)
		wg.Done()
	}()
	go func() {
		time.Sleep(40 * time.Millisecond)
		fmt.Println(2)
		wg.Done()
	}()
	wg.Wait()
}
