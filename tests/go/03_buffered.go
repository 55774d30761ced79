package main

import "fmt"

func main() {
	ch := make(chan string, 2)
	ch <- "a"
	ch <- "b"
	fmt.Println(len(ch), cap(ch))
	<-ch
	x := <-ch
	fmt.Println(x)
}
