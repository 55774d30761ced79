// One P: a ticker's first 10 ms tick comes before a 15 ms timer set after it.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func main() {
	runtime.GOMAXPROCS(1)
	tk := time.NewTicker(10 * time.Millisecond)
	defer tk.Stop()
	t := time.NewTimer(15 * time.Millisecond)
	select {
	case <-t.C:
		fmt.Println("timer")
	case <-tk.C:
		fmt.Println("tick")
	}
}
