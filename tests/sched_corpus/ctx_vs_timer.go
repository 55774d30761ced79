// One P: a 10 ms timer set before a 50 ms context timeout wins the select.
package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

func main() {
	runtime.GOMAXPROCS(1)
	t := time.NewTimer(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	select {
	case <-ctx.Done():
		fmt.Println("deadline:", ctx.Err())
	case <-t.C:
		fmt.Println("timer")
	}
}
