package main

import "fmt"

func classify(x int) string {
	switch x {
	case 0:
		return "zero"
	case 1, 2:
		return "small"
	default:
		return "big"
	case 3:
		fallthrough
	case 4:
		return "medium"
	}
}

func main() {
	y := 5
	switch {
	case y < 0:
		fmt.Println("neg")
	case y > 3 && y < 10:
		fmt.Println("mid")
	}
	switch z := y * 2; z {
	case 10:
		fmt.Println(classify(z))
	}
}
