package main

import "fmt"

func main() {
	defer fmt.Println("deferred")
	fmt.Println("before")
	panic("boom")
}
