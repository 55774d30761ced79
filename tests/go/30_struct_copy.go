package main

import "fmt"

type Inner struct {
	v int
}

type Outer struct {
	in   Inner
	name string
	next *Outer
}

func build(n string) Outer {
	return Outer{in: Inner{v: 1}, name: n}
}

func main() {
	a := build("a")
	b := a
	b.in.v = 5
	b.next = &a
	var c Outer
	c = b
	fmt.Println(a.in.v, b.in.v, c.next.name)
}
