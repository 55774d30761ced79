package main

import "fmt"

func main() {
	ch := make(chan int, 1)
	out := make(chan int, 1)
	select {
	case v := <-ch:
		fmt.Println("got", v)
	case out <- 5:
		fmt.Println("sent")
	default:
		fmt.Println("none")
	}
}
