package main

import "fmt"

type request struct {
	n     int
	reply chan int
}

type Results <-chan int

func worker(reqs <-chan request, quit chan<- struct{}) {
	for r := range reqs {
		r.reply <- r.n * 2
	}
	quit <- struct{}{}
}

func produce(n int) Results {
	ch := make(chan int, 1)
	ch <- n
	return ch
}

func main() {
	reqs := make(chan request)
	quit := make(chan struct{})
	chans := make(chan chan int, 1)
	go worker(reqs, quit)
	reply := make(chan int)
	chans <- reply
	r := request{n: 21, reply: <-chans}
	reqs <- r
	r.n = 5
	fmt.Println(<-reply, r.n)
	close(reqs)
	<-quit
	z, ok := <-reqs
	fmt.Println(z.n, z.reply == nil, ok)
	point := struct {
		x, y int
	}{1, 2}
	var cfg struct{ name string }
	cfg.name = "a"
	fmt.Println(point.x+point.y, cfg.name, <-produce(3))
}
