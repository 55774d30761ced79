package main

import (
	"fmt"
	"sync"
)

type Peer struct {
	mu   sync.RWMutex
	addr string
}

func (p *Peer) String() string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return "peer(" + p.addr + ")"
}

type Code int

func (c Code) String() string { return fmt.Sprintf("code-%d", int(c)) }

type Err struct{ msg string }

func (e *Err) Error() string { return "err: " + e.msg }

func main() {
	p := &Peer{addr: "a"}
	var nilp *Peer
	var e error = &Err{msg: "x"}
	var s fmt.Stringer = Code(3)
	var any1 any = Code(4)
	fmt.Println(p, Code(7), e, s, any1, nilp == nil)
	fmt.Printf("%s %v %d %q\n", p, Code(1), Code(2), Code(5))
	msg := fmt.Sprintf("%v|%s", e, p)
	fmt.Println(msg)
}
