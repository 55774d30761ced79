package main

import (
	"fmt"
	"sync"
)

var once sync.Once
var config int

func setup() {
	config = 42
}

func main() {
	done := make(chan bool)
	go func() {
		once.Do(setup)
		done <- true
	}()
	once.Do(func() {
		config = 7
	})
	<-done
	fmt.Println(config)
}
