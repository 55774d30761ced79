package main

import (
	"context"
	"fmt"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	child, cancel2 := context.WithCancel(ctx)
	defer cancel2()
	done := make(chan bool)
	go func() {
		<-child.Done()
		fmt.Println("child", child.Err())
		done <- true
	}()
	fmt.Println("before", ctx.Err() == nil)
	cancel()
	<-done
	cancel()
	fmt.Println("parent", ctx.Err())
}
