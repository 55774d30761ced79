package worker_test

import (
	"testing"

	"example.com/shop/internal/cache"
	"example.com/shop/worker"
)

func TestFetchTimeout(t *testing.T) {
	w := worker.New(cache.New())
	w.Fetch()
}

func TestFetchBuffered(t *testing.T) {
	c := cache.New()
	c.Put(41)
	w := worker.New(c)
	if v, ok := w.FetchBuffered(); ok && v != 42 {
		t.Fatal("wrong value")
	}
}
