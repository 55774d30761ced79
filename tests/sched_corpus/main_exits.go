// main returns without waiting: what the others print depends on the schedule.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	runtime.GOMAXPROCS(1)
	for i := 0; i < 3; i++ {
		go func(i int) {
			fmt.Println(i)
		}(i)
	}
	runtime.Gosched()
	fmt.Println("main")
}
