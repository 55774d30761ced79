package cache

import "testing"

func TestPutGet(t *testing.T) {
	c := New()
	c.Put(7)
	v, ok := c.Get()
	if !ok || v != 7 {
		t.Fatal("the cache lost its value")
	}
}

// TestPutWhileReporting deadlocks on some schedules: Put holds the cache
// and wants the stats (cache.go), Report holds the stats and wants the
// cache (stats.go, len.go).
func TestPutWhileReporting(t *testing.T) {
	c := New()
	done := make(chan bool)
	go func() {
		c.Put(1)
		done <- true
	}()
	c.Stats().Report()
	<-done
}
