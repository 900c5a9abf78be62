//go:build !(linux || darwin)

package main

import (
	"context"
	"errors"

	"github.com/rramtwin/rramtwin/macro"
)

func openVirtual(ctx context.Context, preset string, seed uint64) (macro.Macro, func(), error) {
	return nil, nil, errors.New("the virtual board needs pseudo-terminals (Linux or macOS)")
}
