package main

// Variadic methods through embedding, interfaces and method values, variadic
// closures, spread reslices and named slice types; calls of computed funcs.

import (
	"fmt"
	"sync"
)

type Logger interface {
	Infof(format string, args ...interface{})
}

type base struct {
	mu  sync.Mutex
	out []string
}

func (b *base) Infof(format string, args ...interface{}) {
	b.mu.Lock()
	b.out = append(b.out, fmt.Sprintf(format, args...))
	b.mu.Unlock()
}

type wrapped struct {
	*base
	name string
}

type viaIface struct {
	Logger
}

type Args []interface{}

func lockAll(ms ...*sync.Mutex) func() {
	for _, m := range ms {
		m.Lock()
	}
	return func() {
		for i := len(ms) - 1; i >= 0; i-- {
			ms[i].Unlock()
		}
	}
}

func count(xs ...int) int {
	if len(xs) == 0 {
		return 0
	}
	return 1 + count(xs[1:]...)
}

func maker(prefix string) func(...string) string {
	return func(parts ...string) string {
		s := prefix
		for _, p := range parts {
			s += "/" + p
		}
		return s
	}
}

func main() {
	b := &base{}
	w := wrapped{base: b, name: "w"}
	w.Infof("%s says %d", w.name, 1)
	var l Logger = w
	l.Infof("iface %v", true)
	v := viaIface{Logger: b}
	v.Infof("promoted %d", 3)
	f := l.Infof
	f("value %s", "x")
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); b.Infof("g%d", 1) }()
	go l.Infof("g%d", 2)
	wg.Add(-1)
	wg.Wait()
	var a, c sync.Mutex
	unlock := lockAll(&a, &c)
	unlock()
	fmt.Println(count(1, 2, 3), maker("r")("a", "b"), maker("q")())
	args := Args{"k", 1}
	fmt.Println(args...)
	fmt.Println(append([]interface{}{"first"}, args...)...)
	all := []interface{}{"%s-%d", "z", 9}
	fmt.Printf(all[0].(string)+"\n", all[1:]...)
	b.mu.Lock()
	n := len(b.out)
	b.mu.Unlock()
	fmt.Println(n >= 5)
}
