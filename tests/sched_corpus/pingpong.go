// Unbuffered ping-pong: the pair hand each other runnext (SCH-ORACLE-3).
package main

import (
	"fmt"
	"runtime"
)

func main() {
	runtime.GOMAXPROCS(1)
	ping := make(chan int)
	pong := make(chan int)
	done := make(chan bool)
	go func() {
		for i := 0; i < 3; i++ {
			v := <-ping
			fmt.Println("ping", v)
			pong <- v + 1
		}
	}()
	go func() {
		fmt.Println("bystander")
		done <- true
	}()
	for i := 0; i < 3; i++ {
		ping <- i * 10
		v := <-pong
		fmt.Println("pong", v)
	}
	<-done
}
