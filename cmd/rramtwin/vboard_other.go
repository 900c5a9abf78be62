//go:build !(linux || darwin)

package main

import (
	"context"
	"errors"
)

func runVboard(ctx context.Context, e *env, args []string) error {
	return errors.New("vboard: needs pseudo-terminals (Linux or macOS)")
}
