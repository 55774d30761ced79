package main

import "fmt"

func cleanup(ch chan int) {
	defer close(ch)
	defer fmt.Println("closing")
	x := 1
	defer func() {
		fmt.Println("deferred", x)
	}()
	x = 2
	ch <- x
}

func main() {
	ch := make(chan int, 1)
	cleanup(ch)
	for v := range ch {
		fmt.Println(v)
	}
}
