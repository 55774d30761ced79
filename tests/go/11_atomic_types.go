package main

import (
	"fmt"
	"sync/atomic"
)

type Stats struct {
	count atomic.Int64
	flag  atomic.Bool
}

func main() {
	var x atomic.Int32
	x.Store(3)
	x.Add(2)
	s := &Stats{}
	s.count.Add(10)
	s.flag.Store(true)
	swapped := x.CompareAndSwap(5, 1)
	old := x.Swap(4)
	fmt.Println(x.Load(), s.count.Load(), s.flag.Load(), swapped, old)
}
