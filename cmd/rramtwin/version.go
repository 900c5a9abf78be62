package main

import (
	"context"
	"fmt"
	"runtime"
)

// version is the rramtwin release; the macro model version lives in macro.
const version = "0.1.0-dev"

func runVersion(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "version", "[-json]")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	v := struct {
		Version string `json:"version"`
		Go      string `json:"go"`
		Seed    uint64 `json:"seed"`
	}{version, runtime.Version(), c.seed}
	if c.json {
		return printJSON(e.stdout, v)
	}
	_, err := fmt.Fprintf(e.stdout, "rramtwin %s (%s)\n", v.Version, v.Go)
	return err
}
