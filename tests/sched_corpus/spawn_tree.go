// A spawning tree: children spawned by children go to their parent's P's runnext.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

var wg sync.WaitGroup

func node(name string, depth int) {
	fmt.Println(name)
	if depth < 2 {
		wg.Add(2)
		go node(name+"0", depth+1)
		go node(name+"1", depth+1)
	}
	wg.Done()
}

func main() {
	runtime.GOMAXPROCS(1)
	wg.Add(1)
	go node("r", 0)
	wg.Wait()
}
