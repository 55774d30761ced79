// A goroutine woken by a channel send goes to the sender's runnext (SCH-14).
package main

import (
	"fmt"
	"runtime"
)

func main() {
	runtime.GOMAXPROCS(1)
	ch := make(chan int)
	done := make(chan bool)
	go func() {
		v := <-ch
		fmt.Println("got", v)
		done <- true
	}()
	go func() {
		fmt.Println("other")
		done <- true
	}()
	runtime.Gosched()
	ch <- 1
	fmt.Println("sent")
	<-done
	<-done
}
