// One P: a goroutine that sleeps 20 ms finds main's 10 ms timer fired.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func main() {
	runtime.GOMAXPROCS(1)
	t := time.NewTimer(10 * time.Millisecond)
	done := make(chan bool)
	go func() {
		time.Sleep(20 * time.Millisecond)
		select {
		case <-t.C:
			fmt.Println("fired")
		default:
			fmt.Println("pending")
		}
		done <- true
	}()
	<-done
}
