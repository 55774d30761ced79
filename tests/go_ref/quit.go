package main

import (
	"fmt"
	"time"
)

func main() {
	ch := make(chan int)
	go func() {
		fmt.Println(<-ch)
	}()
	fmt.Println("started")
	time.Sleep(20 * time.Second)
	ch <- 1
}
