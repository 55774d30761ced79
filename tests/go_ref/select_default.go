package main

import "fmt"

func main() {
	ch := make(chan int, 1)
	select {
	case v := <-ch:
		fmt.Println("recv", v)
	default:
		fmt.Println("default")
	}
	ch <- 7
	select {
	case v := <-ch:
		fmt.Println("recv", v)
	default:
		fmt.Println("default")
	}
	var nilch chan int
	select {
	case nilch <- 1:
		fmt.Println("sent to nil")
	default:
		fmt.Println("nil never ready")
	}
	done := make(chan bool)
	res := make(chan int)
	go func() {
		select {
		case v := <-res:
			fmt.Println("worker got", v)
		case <-done:
			fmt.Println("worker done")
		}
		done <- true
	}()
	res <- 5
	<-done
}
