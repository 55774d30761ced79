package main

import (
	"fmt"
	"time"
)

const tick = 10 * time.Millisecond

func main() {
	ch := make(chan int)
	go func() {
		time.Sleep(2 * tick)
		ch <- 1
	}()
	select {
	case v := <-ch:
		fmt.Println(v)
	case <-time.After(time.Second):
		fmt.Println("timeout")
	}
}
