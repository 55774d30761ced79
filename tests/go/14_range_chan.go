package main

import "fmt"

func producer(ch chan int) {
	for i := 0; i < 3; i++ {
		ch <- i
	}
	close(ch)
}

func main() {
	ch := make(chan int)
	go producer(ch)
	sum := 0
	for v := range ch {
		sum += v
	}
	done := make(chan bool)
	go func() { close(done) }()
	for range done {
	}
	fmt.Println(sum)
}
