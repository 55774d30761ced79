package main

import (
	"fmt"
	"sync"
)

func safeDiv(a, b int) (q int, err string) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println("recovered:", r)
		}
	}()
	q = a / b
	return q, ""
}

func worker(id int, wg *sync.WaitGroup) {
	defer wg.Done()
	defer func() {
		if r := recover(); r != nil {
			fmt.Println("worker", id, "recovered:", r)
		}
	}()
	if id == 1 {
		panic("bad worker")
	}
}

func main() {
	q, _ := safeDiv(7, 0)
	fmt.Println(q)
	q, _ = safeDiv(7, 2)
	fmt.Println(q)
	var wg sync.WaitGroup
	wg.Add(2)
	go worker(1, &wg)
	go worker(2, &wg)
	wg.Wait()
	fmt.Println("done")
}
