package main

import (
	"fmt"
	"time"
)

func main() {
	go func() {
		x := 0
		for {
			x++
		}
	}()
	time.Sleep(30 * time.Millisecond)
	fmt.Println("main ran")
}
