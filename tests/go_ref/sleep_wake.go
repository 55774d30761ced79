package main

import (
	"fmt"
	"time"
)

func main() {
	done := make(chan bool)
	go func() {
		time.Sleep(30 * time.Millisecond)
		fmt.Println("slept")
		done <- true
	}()
	select {
	case <-done:
		fmt.Println("done")
	case <-time.After(5 * time.Second):
		fmt.Println("timeout")
	}
	<-time.After(time.Millisecond)
	fmt.Println("after")
}
