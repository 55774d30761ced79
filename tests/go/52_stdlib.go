package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math/rand"
	"strconv"
	"time"
)

var ErrClosed = errors.New("closed")

func main() {
	t := time.NewTimer(time.Second)
	select {
	case <-t.C:
		fmt.Println("fired")
	default:
		fmt.Println("stopped", t.Stop())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	vctx := context.WithValue(ctx, "k", 7)
	<-vctx.Done()
	fmt.Println(vctx.Err(), vctx.Value("k"))
	n := rand.Intn(3)
	err := fmt.Errorf("op %d: %w", n, ErrClosed)
	log.Println("n is", n)
	fmt.Println(err, errors.Is(ErrClosed, ErrClosed), strconv.Itoa(n)+"!", fmt.Sprint("a", 1, 2))
	done := make(chan bool)
	time.AfterFunc(time.Millisecond, func() { done <- true })
	<-done
	start := time.Now()
	tk := time.NewTicker(time.Millisecond)
	<-tk.C
	tk.Stop()
	if time.Since(start) > time.Hour {
		fmt.Println("slow")
	}
}
