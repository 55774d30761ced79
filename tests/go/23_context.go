package main

import (
	"context"
	"fmt"
)

func worker(ctx context.Context, out chan int) {
	for {
		select {
		case <-ctx.Done():
			close(out)
			return
		case out <- 1:
		}
	}
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan int)
	go worker(ctx, out)
	<-out
	cancel()
	for range out {
	}
	fmt.Println(ctx.Err())
	_ = context.TODO()
}
