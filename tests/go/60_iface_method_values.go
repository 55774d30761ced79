package main

import "fmt"

type Greeter interface{ Greet(n string) string }

type en struct{}

func (en) Greet(n string) string { return "hi " + n }

type wrap struct{ Greeter }

func main() {
	var g Greeter = en{}
	f := g.Greet
	w := wrap{g}
	h := w.Greet
	fmt.Println(f("a"), h("b"))
}
