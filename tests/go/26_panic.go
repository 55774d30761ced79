package main

func check(v int) {
	if v > 2 {
		panic("too big")
	}
}

func main() {
	for i := 0; i < 5; i++ {
		check(i)
	}
}
