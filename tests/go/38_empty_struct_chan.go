package main

import "fmt"

func main() {
	quit := make(chan struct{})
	sem := make(chan struct{}, 1)
	go func() {
		sem <- struct{}{}
		<-sem
		close(quit)
	}()
	<-quit
	fmt.Println("quit")
}
