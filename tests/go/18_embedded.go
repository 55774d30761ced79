package main

import (
	"fmt"
	"sync"
)

type Base struct {
	id int
}

func (b *Base) ID() int {
	return b.id
}

type Counter struct {
	sync.Mutex
	Base
	n int
}

func (c *Counter) Inc() {
	c.Lock()
	c.n++
	c.Unlock()
}

func main() {
	c := &Counter{}
	c.id = 9
	c.Inc()
	fmt.Println(c.ID(), c.n)
}
