package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	x := 0
	done := make(chan bool)
	go func() {
		mu.Lock()
		x++
		mu.Unlock()
		done <- true
	}()
	mu.Lock()
	x++
	mu.Unlock()
	<-done
	if mu.TryLock() {
		mu.Unlock()
	}
	fmt.Println(x)
}
