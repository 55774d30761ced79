// A sleeper and a worker: the worker finishes long before the timer.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func main() {
	runtime.GOMAXPROCS(1)
	done := make(chan bool)
	go func() {
		time.Sleep(50 * time.Millisecond)
		fmt.Println("slept")
		done <- true
	}()
	go func() {
		fmt.Println("worked")
		done <- true
	}()
	<-done
	<-done
}
