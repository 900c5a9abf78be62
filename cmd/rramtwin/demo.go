package main

import (
	"context"
	"fmt"

	"github.com/rramtwin/rramtwin/bench"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "demo", "[-quick] [-json]")
	quick := fs.Bool("quick", false, "a smaller run (under a minute)")
	trainN := fs.Int("train-n", 0, "training recordings (default 10000, 1000 with -quick)")
	testN := fs.Int("test-n", 0, "test recordings (default 2000, 300 with -quick)")
	chip := fs.String("chip", "virtual", "the chip backend beside the model: virtual (a virtual board on a pty), auto, or a device path")
	preset := fs.String("preset", "lin2025-40nm", "device preset of the model and virtual board")
	cacheFlag := fs.String("cache", "", "cache directory for the synthesized data (default $RRAMTWIN_CACHE or the user cache dir)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	cfg := bench.DemoConfig{TrainN: 10000, TestN: 2000, Seed: c.seed, Epochs: 60, LR: 1e-3, Progress: progressFunc(e, c)}
	if *quick {
		cfg.TrainN, cfg.TestN, cfg.Epochs = 1000, 300, 40
	}
	if *trainN > 0 {
		cfg.TrainN = *trainN
	}
	if *testN > 0 {
		cfg.TestN = *testN
	}
	cfg.Data = dataOptions(e, c)
	cfg.Data.CacheDir = *cacheFlag
	// Features are not cached: the demo shows the encoders at work.
	cfg.Backends = []bench.Backend{{Name: "gauss"}}
	for _, name := range []string{"model", *chip} {
		b, closeFn, err := openExperimentBackend(ctx, e, name, *preset, c.seed)
		if err != nil {
			return fmt.Errorf("demo: %s backend: %w", name, err)
		}
		defer closeFn()
		cfg.Backends = append(cfg.Backends, b)
	}
	if !c.json {
		fmt.Fprintf(e.stdout, "rramtwin demo: a %s chip (seed %d) in process and as %s; MNIST through a saccade event camera\n", *preset, c.seed, *chip)
	}
	rep, err := bench.Demo(ctx, cfg)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(e.stdout, rep)
	}
	rep.Print(e.stdout)
	return nil
}
