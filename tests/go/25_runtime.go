package main

import (
	"fmt"
	"runtime"
)

func main() {
	runtime.GOMAXPROCS(2)
	done := false
	go func() {
		done = true
	}()
	for i := 0; i < 3; i++ {
		runtime.Gosched()
	}
	fmt.Println(done)
}
