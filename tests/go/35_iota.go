package main

import "fmt"

type State int

const (
	Idle State = iota
	Running
	Done
)

const (
	_  = iota
	KB = 1 << (10 * iota)
	MB
)

func main() {
	s := Running
	if s == Running {
		fmt.Println(int(s), Done, KB, MB)
	}
}
