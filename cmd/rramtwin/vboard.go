//go:build linux || darwin

package main

import (
	"context"
	"fmt"

	"github.com/rramtwin/rramtwin/firmware/vboard"
	"github.com/rramtwin/rramtwin/protocol"
)

const vboardUsage = `[-seed S] [-preset NAME|FILE] [-faults SPEC]

Serves the board firmware over a software chip on a pseudo-terminal and
prints its device path as the first line of stdout; give that path to
-backend. Runs until SIGINT or SIGTERM, then exits 0.
SPEC injects seeded faults on the board's side, e.g.
flip=0.01,drop=0.001,dup=0.001,split,delay=1ms@0.01`

func runVboard(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "vboard", vboardUsage)
	preset := fs.String("preset", "lin2025-40nm", "device preset name or JSON file")
	spec := fs.String("faults", "", "faults injected on the board's side of the link")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError{fmt.Sprintf("vboard: unexpected argument %q", pos[0])}
	}
	b, err := vboard.StartOptions(ctx, vboard.Options{Preset: *preset, Seed: c.seed, Faults: *spec})
	if err != nil {
		return err
	}
	defer b.Stop()
	fmt.Fprintln(e.stdout, b.Path())
	if f, ok := e.stdout.(interface{ Sync() error }); ok {
		f.Sync()
	}
	select {
	case <-ctx.Done():
	case <-b.Done():
		if err := b.Err(); err != nil {
			return fmt.Errorf("vboard: %w", err)
		}
	}
	st := b.Stats()
	if !c.json {
		fmt.Fprintf(e.stderr, "vboard: stopped after %d frames (%d rejected, %d replayed, %d refused, %d MACs executed)\n",
			st.Frames, st.Rejected, st.Replays, st.Refused, b.Executed(protocol.CmdMAC))
	}
	return nil
}
