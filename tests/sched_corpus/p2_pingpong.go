// GOMAXPROCS=2: a ping-pong pair and a bystander that another P may steal.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	runtime.GOMAXPROCS(2)
	ping := make(chan int)
	done := make(chan bool)
	go func() {
		for i := 0; i < 2; i++ {
			v := <-ping
			fmt.Println("ping", v)
		}
		done <- true
	}()
	go func() {
		fmt.Println("bystander")
		done <- true
	}()
	ping <- 1
	ping <- 2
	<-done
	<-done
}
