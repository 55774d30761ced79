package main

import (
	"fmt"
	"os"
)

func main() {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	done := make(chan bool)
	go func() {
		buf := make([]byte, 4)
		n, err := r.Read(buf) // parks on the poller until the write below
		fmt.Println("read", n, err)
		n, err = r.Read(buf) // EOF after the writer closes
		fmt.Println("read", n, err)
		done <- true
	}()
	n, err := w.Write([]byte("hi"))
	fmt.Println("wrote", n, err)
	w.Close()
	<-done
}
