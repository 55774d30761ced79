package main

import "fmt"

func main() {
	count := 0
	inc := func(d int) {
		count += d
	}
	inc(2)
	inc(3)
	done := make(chan bool)
	go func() {
		count++
		done <- true
	}()
	<-done
	fmt.Println(count)
}
