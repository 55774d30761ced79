package main

import "fmt"

func incr(p *int) {
	*p = *p + 1
}

func main() {
	x := 1
	incr(&x)
	p := new(int)
	*p = 5
	incr(p)
	q := &x
	*q += 10
	fmt.Println(x, *p)
}
