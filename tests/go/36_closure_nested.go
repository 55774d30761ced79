package main

import "fmt"

func makeAdder() func(int) int {
	total := 0
	return func(d int) int {
		apply := func() {
			total += d
		}
		apply()
		return total
	}
}

func main() {
	add := makeAdder()
	add(1)
	fmt.Println(add(2))
	var f func()
	if f == nil {
		fmt.Println("nil func")
	}
}
