// One P: a 10 ms timer set before a 30 ms sleep has fired when the sleep ends.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func main() {
	runtime.GOMAXPROCS(1)
	t := time.NewTimer(10 * time.Millisecond)
	time.Sleep(30 * time.Millisecond)
	fmt.Println("stopped before it fired:", t.Stop())
}
