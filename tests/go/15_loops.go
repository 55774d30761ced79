package main

import "fmt"

func main() {
	n := 0
	for n < 5 {
		n++
	}
	i := 0
	for {
		i++
		if i == 2 {
			continue
		}
		if i > 4 {
			break
		}
	}
outer:
	for a := 0; a < 3; a++ {
		for b := 0; b < 3; b++ {
			if b == 1 {
				continue outer
			}
			if a == 2 {
				break outer
			}
		}
	}
	fmt.Println(n, i)
}
