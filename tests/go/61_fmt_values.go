package main

import "fmt"

type inner struct{ a, b int }

type outer struct {
	name string
	in   inner
	p    *inner
	xs   []int
	arr  [2]bool
}

func main() {
	var s []int
	var m map[string]int
	o := outer{name: "o", in: inner{1, 2}, xs: []int{3}}
	anon := struct{ x int }{5}
	fmt.Println(s, m, inner{7, 8}, &inner{9, 10}, o.in, anon, o.arr, o.xs)
	fmt.Printf("%v %v\n", o.in, s)
	var np *inner
	fmt.Println(np)
}
