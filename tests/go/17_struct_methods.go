package main

import "fmt"

type Point struct {
	X, Y int
}

func (p Point) Sum() int {
	return p.X + p.Y
}

func (p *Point) Move(dx int) {
	p.X += dx
}

func main() {
	p := Point{X: 1, Y: 2}
	p.Move(3)
	q := &Point{4, 5}
	q.Move(1)
	r := new(Point)
	r.Y = 7
	fmt.Println(p.Sum(), q.Sum(), r.Sum())
}
