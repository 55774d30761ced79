package main

import "fmt"

func main() {
	var in chan int
	out := make(chan int, 1)
	out <- 3
	select {
	case v := <-in:
		fmt.Println("never", v)
	case v := <-out:
		fmt.Println(v)
	}
	if in == nil {
		fmt.Println("nil")
	}
}
