package main

import (
	"sync"
	"time"
)

var rw sync.RWMutex

func main() {
	rw.RLock()
	go func() {
		rw.Lock()
		rw.Unlock()
	}()
	time.Sleep(20 * time.Millisecond)
	rw.RLock()
}
