package main

import (
	"fmt"
	"runtime"
)

func main() {
	go func() {
		fmt.Println("worker")
	}()
	runtime.Goexit()
}
