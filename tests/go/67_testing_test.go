package main

import (
	"runtime"
	"sync"
	"testing"
)

type TestingT interface {
	Logf(string, ...interface{})
	Helper()
}

type logger struct{ t TestingT }

func (l *logger) info(msg string, args ...interface{}) {
	l.t.Helper()
	l.t.Logf(msg, args...)
}

// t.Cleanup runs after the test (and its deferred calls), last first; a
// *testing.T held in an interface logs through it.
func TestCleanup(t *testing.T) {
	var mu sync.Mutex
	done := make(chan bool)
	t.Cleanup(func() { t.Log("cleanup 1") })
	defer t.Log("deferred")
	go func() {
		mu.Lock()
		mu.Unlock()
		done <- true
	}()
	t.Cleanup(func() {
		<-done
	})
	l := &logger{t: t}
	t.Run("sub", func(t *testing.T) {
		t.Cleanup(func() { t.Log("sub cleanup") })
		if testing.Short() {
			t.Skip("short")
		}
		l.info("n=%d", runtime.NumGoroutine())
	})
}
