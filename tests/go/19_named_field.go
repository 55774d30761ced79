package main

import (
	"fmt"
	"sync"
)

type Account struct {
	mu      sync.Mutex
	balance int
}

func (a *Account) Deposit(v int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.balance += v
}

func main() {
	acct := &Account{balance: 10}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		acct.Deposit(5)
	}()
	go func() {
		defer wg.Done()
		acct.Deposit(7)
	}()
	wg.Wait()
	fmt.Println(acct.balance)
}
