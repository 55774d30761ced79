package foo

import "testing"

func TestFatal(t *testing.T) {
	ch := make(chan int, 1)
	go func() {
		ch <- 1
	}()
	v := <-ch
	if v != 1 {
		t.Fatalf("bad value %d", v)
	}
	if v == 1 {
		t.Error("boom")
		t.Fatal("stop")
	}
	t.Logf("unreachable %d", v)
}
