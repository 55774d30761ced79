package main

import (
	"fmt"
	"sync"
)

type Logger interface {
	Log(s string)
}

type Closer interface {
	Close() error
}

type LogCloser interface {
	Logger
	Closer
}

type base struct {
	mu    sync.Mutex
	lines []string
}

func (b *base) Log(s string) {
	b.mu.Lock()
	b.lines = append(b.lines, s)
	b.mu.Unlock()
}

type file struct {
	*base
	name string
}

func (f file) Close() error { return nil }

type wrapped struct {
	file
}

func use(lc LogCloser) error {
	lc.Log("hello")
	return lc.Close()
}

func main() {
	f := file{base: &base{}, name: "f"}
	err := use(f)
	w := &wrapped{file: f}
	var l Logger = w
	l.Log("again")
	var c Closer = w
	fmt.Println(err == nil, len(f.lines), c.Close() == nil, f.lines)
}
