package main

import "fmt"

func divmod(a, b int) (int, int) {
	return a / b, a % b
}

func named(x int) (double int, ok bool) {
	double = x * 2
	ok = x > 0
	return
}

func main() {
	q, r := divmod(17, 5)
	q, r = r, q
	d, ok := named(q)
	a, b := 1, 2
	a, b = b, a
	fmt.Println(q, r, d, ok, a, b)
}
