// Command rramtwin is the CLI of the rramtwin co-simulation: it forms and
// drives RRAM macros (simulated or on a board), runs the liquid state machine
// on event data and compares chip against model.
//
// Run "rramtwin help" for the list of subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errHelpShown) {
			fmt.Fprintln(os.Stderr, "rramtwin:", err)
		}
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		if errors.Is(err, errHelpShown) {
			os.Exit(0)
		}
		os.Exit(1)
	}
}
