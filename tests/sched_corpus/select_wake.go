// A goroutine parked in select is woken by the first partner (SEL-6).
package main

import (
	"fmt"
	"runtime"
)

func main() {
	runtime.GOMAXPROCS(1)
	a := make(chan int)
	b := make(chan int)
	done := make(chan bool)
	go func() {
		for k := 0; k < 2; k++ {
			select {
			case v := <-a:
				fmt.Println("a", v)
			case v := <-b:
				fmt.Println("b", v)
			}
		}
		done <- true
	}()
	go func() { b <- 2 }()
	go func() { a <- 1 }()
	<-done
}
