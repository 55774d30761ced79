package main

import (
	"fmt"
	"sync"
)

type Shape interface {
	Area() int
	Name() string
}

type Named interface {
	Name() string
}

type Sq struct{ n int }

func (s Sq) Area() int     { return s.n * s.n }
func (s Sq) Name() string  { return "sq" }
func (s *Sq) Grow(by int)  { s.n += by }

type Rect struct {
	w, h int
	mu   sync.Mutex
}

func (r *Rect) Area() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.w * r.h
}
func (r *Rect) Name() string { return "rect" }

type MyErr struct{ code int }

func (e *MyErr) Error() string { return "myerr" }

func find(ok bool) error {
	if ok {
		return nil
	}
	return &MyErr{code: 7}
}

func describe(x any) string {
	switch v := x.(type) {
	case nil:
		return "nil"
	case int:
		return "int"
	case string, bool:
		return "string or bool"
	case Shape:
		return "shape " + v.Name()
	default:
		return "other"
	}
}

func total(shapes []Shape) int {
	t := 0
	for _, s := range shapes {
		t += s.Area()
	}
	return t
}

func main() {
	sq := Sq{n: 2}
	shapes := []Shape{sq, &Rect{w: 2, h: 3}, &Sq{n: 1}}
	sq.n = 10
	fmt.Println(total(shapes), shapes[0].Name(), shapes[1].Name())
	var n Named = shapes[1]
	fmt.Println(n.Name())
	err := find(false)
	if err != nil {
		fmt.Println(err.Error())
	}
	if e, ok := err.(*MyErr); ok {
		fmt.Println(e.code)
	}
	fmt.Println(find(true) == nil)
	_, isSq := shapes[0].(Sq)
	_, isRect := shapes[0].(*Rect)
	fmt.Println(isSq, isRect)
	fmt.Println(describe(1), describe("a"), describe(nil), describe(sq), describe(&sq), describe(3 > 1))
	var p *MyErr
	var e2 error = p
	fmt.Println(e2 != nil)
	m := map[string]any{"a": 1}
	if v, ok := m["a"].(int); ok {
		fmt.Println(v + 1)
	}
}
