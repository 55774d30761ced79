package main

import (
	"fmt"
	"syscall"
)

func main() {
	done := make(chan bool, 1)
	go func() {
		fmt.Println("worker")
		done <- true
	}()
	syscall.Sync() // a blocking system call: the worker waits in P0's runnext
	<-done
	fmt.Println("main done")
}
