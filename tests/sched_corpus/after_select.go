// One P: two time.After channels set shortest first; the select takes the short one first.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func main() {
	runtime.GOMAXPROCS(1)
	short := time.After(10 * time.Millisecond)
	long := time.After(30 * time.Millisecond)
	for i := 0; i < 2; i++ {
		select {
		case <-long:
			fmt.Println("long")
		case <-short:
			fmt.Println("short")
		}
	}
}
