package main

import "fmt"

func main() {
	unbuf := make(chan int)
	go func() {
		for i := 0; i < 3; i++ {
			unbuf <- i
		}
		close(unbuf)
	}()
	for v := range unbuf {
		fmt.Println("got", v)
	}
	buf := make(chan int, 3)
	buf <- 10
	buf <- 20
	buf <- 30
	fmt.Println(len(buf), cap(buf))
	close(buf)
	a := <-buf
	b, ok := <-buf
	fmt.Println(a, b, ok)
	c := <-buf
	d, ok2 := <-buf
	fmt.Println(c, d, ok2)
}
