//go:build linux || darwin

package main

import (
	"context"

	"github.com/rramtwin/rramtwin/driver"
	"github.com/rramtwin/rramtwin/firmware/vboard"
	"github.com/rramtwin/rramtwin/macro"
)

// openVirtual starts a virtual board in process and opens it through the
// serial stack.
func openVirtual(ctx context.Context, preset string, seed uint64) (macro.Macro, func(), error) {
	vb, err := vboard.StartOptions(ctx, vboard.Options{Preset: preset, Seed: seed})
	if err != nil {
		return nil, nil, err
	}
	b, err := driver.OpenPort(ctx, vb.Path(), driver.Config{})
	if err != nil {
		vb.Stop()
		return nil, nil, err
	}
	return b.AsMacro(), func() { b.Close(); vb.Stop() }, nil
}
