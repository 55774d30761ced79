package main

import "fmt"

type Point struct {
	X, Y int
}

func divmod(a, b int) (int, int) {
	return a / b, a % b
}

func main() {
	q, r := divmod(-7, 2)
	fmt.Println(q, r, 7/-2, 1<<3, -8>>1, 6&^3)
	x := 9223372036854775807
	x++
	fmt.Println(x)
	p := &Point{X: 1}
	p.Y = p.X + 2
	fmt.Println(p.X, p.Y)
	for i := 0; i < 3; i++ {
		defer fmt.Println("defer", i)
	}
	fmt.Printf("%d-%s-%t-%v\n", 5, "s", true, "v")
	var f func()
	if f == nil {
		fmt.Println("nil func")
	}
}
