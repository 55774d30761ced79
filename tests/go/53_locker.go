package main

import (
	"fmt"
	"sync"
)

func withLock(l sync.Locker, f func()) {
	l.Lock()
	defer l.Unlock()
	f()
}

func main() {
	var mu sync.Mutex
	var rw sync.RWMutex
	n := 0
	withLock(&mu, func() { n++ })
	withLock(rw.RLocker(), func() { n++ })
	withLock(&rw, func() { n++ })
	var l sync.Locker = &mu
	l.Lock()
	l.Unlock()
	fmt.Println(n)
}
