package main

import "fmt"

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

func main() {
	s := []int{1, 2, 3}
	s = append(s, 4)
	t := s[1:3]
	t[0] = 20
	u := make([]int, 2, 5)
	n := copy(u, s)
	u = append(u, 7, 8)
	var nilS []int
	nilS = append(nilS, s...)
	fmt.Println(s, t, len(t), cap(t), u, n, sum(s), len(nilS), nilS == nil)
	for i := range s {
		s[i] *= 2
	}
	fmt.Println(s, s[len(s)-1])
	m := map[string]int{"a": 1}
	m["b"] = 2
	m["a"] += 10
	v, ok := m["c"]
	delete(m, "b")
	fmt.Println(m, len(m), v, ok, m["a"])
	total := 0
	for k, v := range map[int]int{1: 10, 2: 20} {
		total += k * v
	}
	fmt.Println(total)
}
