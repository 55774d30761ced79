package main

import (
	"sync"
	"testing"
)

type point struct {
	x, y int
}

type entry struct {
	name string
	p    point
}

func TestTable(t *testing.T) {
	tests := []struct {
		name string
		in   int
		want int
	}{
		{"one", 1, 2},
		{name: "two", in: 2, want: 4},
	}
	for _, tt := range tests {
		if got := tt.in * 2; got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
	ps := []point{{1, 2}, {3, 4}}
	q := ps[0]
	q.x = 100
	ps[1].y = 40
	ps = append(ps, point{5, 6})
	ps[0].x = 7
	cp := make([]point, 2)
	n := copy(cp, ps)
	cp[0].x = 9
	m := map[string]entry{"a": {name: "a", p: point{1, 1}}}
	e := m["a"]
	e.p.x = 50
	missing := m["zz"]
	ptrs := []*point{{8, 8}}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ptrs[0].x++
	}()
	wg.Wait()
	t.Log(q.x, ps[0].x, ps[1].y, len(ps), n, cp[0].x, ps[0].x, m["a"].p.x, e.p.x, missing.name == "", ptrs[0].x)
}
