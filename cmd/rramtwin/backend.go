package main

import (
	"context"
	"fmt"

	"github.com/rramtwin/rramtwin/macro"
)

// openBackend opens the chip a subcommand runs on: "model" is the software
// macro made from preset and seed (a seed is a chip). It returns a function
// that releases the backend.
func openBackend(ctx context.Context, e *env, name, preset string, seed uint64) (macro.Macro, func(), error) {
	switch name {
	case "model":
		p, err := macro.LoadPreset(preset)
		if err != nil {
			return nil, nil, err
		}
		m, err := macro.NewModel(p, seed)
		if err != nil {
			return nil, nil, err
		}
		return m, func() {}, nil
	}
	return nil, nil, usageError{fmt.Sprintf("unknown backend %q (want model)", name)}
}
