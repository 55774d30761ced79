package main

import "fmt"

var counter = 10
var name string = "g"
var results = make(chan int, 1)
var ready bool

func init() {
	ready = true
}

func main() {
	counter++
	results <- counter
	fmt.Println(<-results, name, ready)
}
