package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/rramtwin/rramtwin/driver"
	"github.com/rramtwin/rramtwin/macro"
)

// openBackend opens the chip a subcommand runs on:
//
//   - "model": the software macro made from preset and seed (a seed is a chip);
//   - "virtual": an in-process virtual board (the firmware over the same
//     model) on a pseudo-terminal, reached through the serial stack like a
//     USB board;
//   - "auto": the first board attached, else the model with one line on
//     stderr saying so;
//   - a device path (/dev/ttyACM0, /dev/pts/3, COM3): that board, never a
//     fallback.
//
// It returns a function that releases the backend.
func openBackend(ctx context.Context, e *env, name, preset string, seed uint64) (macro.Macro, func(), error) {
	switch {
	case name == "model":
		p, err := macro.LoadPreset(preset)
		if err != nil {
			return nil, nil, err
		}
		m, err := macro.NewModel(p, seed)
		if err != nil {
			return nil, nil, err
		}
		return m, func() {}, nil
	case name == "virtual":
		return openVirtual(ctx, preset, seed)
	case name == driver.Auto || isDevicePath(name):
		m, closeFn, err := driver.Open(ctx, name, driver.Config{Preset: preset, Seed: seed, Log: e.stderr})
		if err != nil {
			return nil, nil, err
		}
		return m, func() { closeFn() }, nil
	}
	return nil, nil, usageError{fmt.Sprintf("unknown backend %q (want model, virtual, auto or a serial device path)", name)}
}

// isDevicePath reports whether name looks like a serial device.
func isDevicePath(name string) bool {
	return strings.ContainsAny(name, `/\`) || strings.HasPrefix(strings.ToUpper(name), "COM")
}
