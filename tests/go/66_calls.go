package main

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

type status uint32

type L struct{ n int }

func (l *L) add(xs ...int) int {
	for _, x := range xs {
		l.n += x
	}
	return len(xs)
}

type Adder interface{ add(...int) int }

func sum(base int, xs ...int) int {
	for _, x := range xs {
		base += x
	}
	if xs == nil {
		base = -base
	}
	return base
}

// A deferred closure may change named results after return sets them.
func fetch(fail bool) (n int, err error) {
	defer func() {
		if err != nil {
			n = -1
		}
	}()
	if fail {
		return 5, errors.New("bad")
	}
	return 7, nil
}

func two() (int, string) { return 1, "a" }

type store struct {
	mu struct {
		sync.Mutex
		n int
	}
	st status
}

func main() {
	s := []int{1, 2}
	var a Adder = &L{}
	f := sum
	fmt.Println(sum(1), sum(1, 2, 3), sum(0, s...), a.add(4, 5), f(10, 1), a.(*L).n)
	fmt.Println(fetch(true))
	fmt.Println(fetch(false))
	fmt.Println(two())
	st := &store{}
	st.mu.Lock()
	st.mu.n++
	st.mu.Unlock()
	atomic.StoreUint32((*uint32)(&st.st), 2)
	grid := [][2]int{{1, 2}, {3, 4}}
	nested := map[string][]int{"a": {8}}
	fmt.Println(st.mu.n, status(atomic.LoadUint32((*uint32)(&st.st))), grid[1][0], nested["a"][0])
}
