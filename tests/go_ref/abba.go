package main

import (
	"fmt"
	"sync"
)

func main() {
	var a, b sync.Mutex
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		a.Lock()
		b.Lock()
		fmt.Println("g2")
		b.Unlock()
		a.Unlock()
		wg.Done()
	}()
	go func() {
		b.Lock()
		a.Lock()
		fmt.Println("g3")
		a.Unlock()
		b.Unlock()
		wg.Done()
	}()
	wg.Wait()
}
