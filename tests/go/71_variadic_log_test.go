package variadic

import (
	"fmt"
	"sync"
	"testing"
)

// A test helper forwarding to t.Logf/t.Errorf (testing.T's ...interface{} methods).
func logf(t *testing.T, format string, args ...interface{}) {
	t.Helper()
	t.Logf(format, args...)
}

func check(t *testing.T, ok bool, format string, args ...interface{}) {
	t.Helper()
	if !ok {
		t.Errorf(format, args...)
	}
}

type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) add(ds ...int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range ds {
		c.n += d
	}
}

func TestVariadicHelpers(t *testing.T) {
	c := &counter{}
	var wg sync.WaitGroup
	for i := 1; i <= 2; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c.add(i, i)
		}(i)
	}
	wg.Wait()
	logf(t, "total %d", c.n)
	check(t, c.n == 6, "total = %d, want %d", c.n, 6)
	t.Log(fmt.Sprint("done", 1))
}
