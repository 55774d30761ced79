package main

import (
	"errors"
	"fmt"
)

var ErrClosed = errors.New("closed")

// fmt.Errorf with %w wraps: errors.Is and errors.Unwrap follow the chain.
func main() {
	err := fmt.Errorf("op %d: %w", 1, ErrClosed)
	twice := fmt.Errorf("outer: %w", err)
	plain := fmt.Errorf("op %d: %v", 1, ErrClosed)
	fmt.Println(err, errors.Is(err, ErrClosed), errors.Is(twice, ErrClosed), errors.Is(plain, ErrClosed))
	fmt.Println(errors.Unwrap(twice) == err, errors.Unwrap(ErrClosed) == nil, err == ErrClosed)
}
