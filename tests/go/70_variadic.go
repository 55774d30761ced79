package main

import (
	"errors"
	"fmt"
	"sync"
)

// Variadic functions (Go spec, "Passing arguments to ... parameters").

type Point struct{ X, Y int }

type config struct {
	workers int
	name    string
}

// Option is the functional-options pattern: New(opts ...Option).
type Option func(*config)

func WithWorkers(n int) Option { return func(c *config) { c.workers = n } }

func WithName(s string) Option { return func(c *config) { c.name = s } }

func New(opts ...Option) *config {
	c := &config{workers: 1, name: "default"}
	for _, o := range opts {
		o(c)
	}
	return c
}

func sum(xs ...int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

func isNil(xs ...int) bool { return xs == nil }

func first(prefix string, ps ...Point) string {
	if len(ps) == 0 {
		return prefix + " none"
	}
	return fmt.Sprintf("%s %d", prefix, ps[0].X+ps[0].Y)
}

func pair() (int, int) { return 3, 4 }

type Logger interface {
	Logf(format string, args ...interface{})
}

type prefixLogger struct {
	mu     sync.Mutex
	prefix string
	n      int
}

func (l *prefixLogger) Logf(format string, args ...interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	fmt.Printf(l.prefix+format+"\n", args...)
}

func wrapf(err error, format string, args ...interface{}) error {
	return fmt.Errorf("%s: %v", fmt.Sprintf(format, args...), err)
}

type handler struct {
	logf func(string, ...interface{})
}

type Summer func(...int) int

func main() {
	c := New(WithWorkers(4), WithName("pool"))
	d := New()
	fmt.Println(c.workers, c.name, d.workers, d.name)

	s := []int{1, 2, 3}
	fmt.Println(sum(), sum(5), sum(1, 2), sum(s...), sum(pair()))
	fmt.Println(isNil(), isNil(s[:0]...), isNil(1))
	fmt.Println(first("p"), first("q", Point{1, 2}, Point{5, 6}))

	var l Logger = &prefixLogger{prefix: "> "}
	l.Logf("%d workers named %s", c.workers, c.name)
	l.Logf("no args")
	f := l.Logf
	f("method value %v", true)
	h := handler{logf: l.Logf}
	h.logf("field %d", 7)

	var sm Summer = sum
	fmt.Println(sm(1, 1), sm(s[1:]...))
	inc := func(base int, xs ...int) int { return base + len(xs) }
	fmt.Println(inc(10, 1, 2), inc(20))

	fmt.Println(wrapf(errors.New("timeout"), "dial %s:%d", "db", 5432))
	args := []interface{}{"x", 2}
	fmt.Println(args...)
	fmt.Print(args...)
	fmt.Println()
	fmt.Println(fmt.Sprint(args...), fmt.Sprintln(args...) == "x 2\n")

	var wg sync.WaitGroup
	wg.Add(1)
	go func(xs ...int) {
		defer wg.Done()
		fmt.Println("go", sum(xs...))
	}(s...)
	wg.Wait()
	defer fmt.Println("deferred", sum(s...))
	defer l.Logf("deferred log %d", 1)
	s[0] = 100
}
