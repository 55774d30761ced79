package main

import "fmt"

type T struct {
	n int
}

func main() {
	var p *T
	fmt.Println("start")
	fmt.Println(p.n)
}
