package main

import "fmt"

func main() {
	a, b := 3, 0
	ok := a > 1 && b == 0
	bad := !ok || a/1 < 0
	if a > 2 && (b < 1 || !bad) {
		fmt.Println("yes", ok, bad)
	}
	c := -a ^ 5
	d := a<<2 | 1
	e := a &^ 1 % 2
	fmt.Println(c, d, e)
}
