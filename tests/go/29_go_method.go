package main

import (
	"fmt"
	"sync"
)

type Worker struct {
	id int
	wg *sync.WaitGroup
}

func (w *Worker) Run(out chan int) {
	defer w.wg.Done()
	out <- w.id
}

func main() {
	var wg sync.WaitGroup
	out := make(chan int, 2)
	for i := 1; i <= 2; i++ {
		w := &Worker{id: i, wg: &wg}
		wg.Add(1)
		go w.Run(out)
	}
	wg.Wait()
	go fmt.Println("bye")
	fmt.Println(<-out + <-out)
}
