package main

import (
	"errors"
	"fmt"
	"sync"
)

// The recover-to-error idiom: the deferred closure sets the named result.
func safeDiv(a, b int) (q int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	q = a / b
	return q, nil
}

// return X sets err before the deferred closure reads and wraps it.
func wrapped() (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("wrapped: %w", err)
		}
	}()
	return errors.New("inner")
}

// Every value is evaluated before any result is set.
func swap() (a, b int) {
	a, b = 1, 2
	defer func() { fmt.Println("in defer", a, b) }()
	return b, a
}

// A deferred call panics after return 5 set n; another one recovers: n stays 5.
func lateUnboxed() (n int) {
	defer func() { recover() }()
	defer func() { panic("late") }()
	return 5
}

// An addressed result is a shared cell too.
func addressed() (n int) {
	p := &n
	defer func() { *p += 100 }()
	return 7
}

// A bare return returns what the deferred calls left.
func bare() (s string, k int) {
	defer func() { k++ }()
	s, k = "x", 41
	return
}

// A deferred library call (wg.Done) runs among the deferred closures.
func counter(wg *sync.WaitGroup) (n int) {
	defer wg.Done()
	defer func() { n++ }()
	return 1
}

func main() {
	q, err := safeDiv(7, 0)
	fmt.Println(q, err)
	fmt.Println(wrapped())
	a, b := swap()
	fmt.Println(a, b)
	fmt.Println(lateUnboxed())
	fmt.Println(addressed())
	s, k := bare()
	fmt.Println(s, k)
	var wg sync.WaitGroup
	wg.Add(1)
	fmt.Println(counter(&wg))
	wg.Wait()
	lit := func() (x int) {
		defer func() { x *= 2 }()
		return 21
	}
	fmt.Println(lit())
}
