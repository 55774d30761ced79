// sync.Once: late callers park on its Mutex and are released one per Unlock (ONCE-1).
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	runtime.GOMAXPROCS(1)
	var once sync.Once
	var wg sync.WaitGroup
	wg.Add(4)
	for i := 0; i < 4; i++ {
		go func(i int) {
			once.Do(func() {
				fmt.Println(i)
				runtime.Gosched()
			})
			if i != 0 {
				fmt.Println(i)
			}
			wg.Done()
		}(i)
	}
	wg.Wait()
}
