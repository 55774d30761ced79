package main

import "fmt"

const greeting = "hello"
const n = 3 * 4

func main() {
	s := greeting + ", world"
	fmt.Println(s, n)
	fmt.Print("x", 1)
	fmt.Printf("%d %s\n", n+1, s)
}
