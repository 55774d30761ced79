package main

import (
	"errors"
	"fmt"
	"sync"
)

type Store struct {
	mu   sync.RWMutex
	keys int
}

func (s *Store) String() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fmt.Sprintf("store(%d)", s.keys)
}

type State struct{ n int }

func (s State) String() string { return fmt.Sprint("state-", s.n) }

type myErr struct{ code int }

func (e *myErr) Error() string { return fmt.Sprintf("code %d", e.code) }

func main() {
	s := &Store{keys: 2}
	fmt.Printf("%v %d\n", s, s.keys)
	fmt.Println(State{n: 3}, &State{n: 4})
	var err error = &myErr{code: 7}
	fmt.Println(err, errors.New("plain"))
	var st fmt.Stringer = State{n: 5}
	fmt.Println(st)
	var e2 error
	fmt.Println(e2)
}
