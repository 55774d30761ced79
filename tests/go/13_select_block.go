package main

import "fmt"

func main() {
	a := make(chan int)
	b := make(chan string)
	go func() { a <- 1 }()
	go func() { close(b) }()
	for i := 0; i < 2; i++ {
		select {
		case v := <-a:
			fmt.Println("a", v)
		case s, ok := <-b:
			if !ok {
				fmt.Println("closed", s)
				b = nil
				continue
			}
		}
	}
}
