package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	defer fmt.Println("deferred runs")
	wg.Add(1)
	wg.Done()
	wg.Done()
}
