package main

import (
	"fmt"
	"sync"
)

var rw sync.RWMutex
var data int

func reader(done chan bool) {
	rw.RLock()
	_ = data
	rw.RUnlock()
	done <- true
}

func main() {
	done := make(chan bool)
	go reader(done)
	rw.Lock()
	data = 1
	rw.Unlock()
	<-done
	fmt.Println(data)
}
