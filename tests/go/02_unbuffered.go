package main

import "fmt"

func worker(ch chan int, v int) {
	ch <- v * 2
}

func main() {
	ch := make(chan int)
	go worker(ch, 21)
	v := <-ch
	fmt.Println(v)
}
