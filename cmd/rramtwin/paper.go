package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rramtwin/rramtwin/bench"
	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/internal/atomicfile"
	"github.com/rramtwin/rramtwin/macro"
)

// paperSize is how much data a reproduction uses.
type paperSize struct {
	trainN, testN int    // mnist-saccade samples
	fsddIndex     string // FSDD recordings per speaker and digit ("" = all)
}

// The sizes of a full and a -quick reproduction.
var (
	paperFull  = paperSize{60000, 10000, ""}
	paperQuick = paperSize{2000, 500, "0-24"}
)

func runPaper(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "paper", "[-quick] [-hw virtual|model|PATH] [-fsdd DIR] [-nmnist DIR] [-json]")
	quick := fs.Bool("quick", false, "a few-minute version: 2,000/500 mnist-saccade samples, half of FSDD")
	hw := fs.String("hw", "virtual", "the chip column: virtual (virtual board on a pty), model, or a serial device path")
	preset := fs.String("preset", "lin2025-40nm", "device preset of the model or virtual board (name or JSON file)")
	macros := fs.Int("macros", 2, "macros of the model or virtual board (association puts one reservoir on each of 2)")
	trainN := fs.Int("train-n", 0, "mnist-saccade training samples (0: 60000, or 2000 with -quick)")
	testN := fs.Int("test-n", 0, "mnist-saccade test samples (0: 10000, or 500 with -quick)")
	epochs := fs.Int("epochs", 0, "readout epochs of every task (0: each task's own)")
	nmnist := fs.String("nmnist", "../shared/data/nmnist/Train", "real N-MNIST recordings for the cross-validation row (skipped when absent)")
	nmnistN := fs.Int("nmnist-n", 0, "use at most this many real N-MNIST recordings, evenly spaced (0: all)")
	folds := fs.Int("folds", 5, "cross-validation folds of the real N-MNIST row")
	fsdd := fs.String("fsdd", "../shared/data/fsdd/recordings", "Free Spoken Digit Dataset recordings (audio and association rows; skipped when absent)")
	fsddIndex := fs.String("fsdd-index", "", "FSDD recordings per speaker and digit, e.g. 0-9 (default all; 0-24 with -quick)")
	holdOut := fs.String("holdout", "", "FSDD speaker held out for testing (default the last in sorted order)")
	cacheFlag := fs.String("cache", "", "cache directory for synthesized data and features (default $RRAMTWIN_CACHE or the user cache dir)")
	noCache := fs.Bool("no-cache", false, "do not cache features (synthesized data is still cached)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *macros < 1 {
		return usageError{"paper: -macros must be at least 1"}
	}
	if *hw == "gauss" {
		return usageError{"paper: -hw gauss: the software column is always gauss; -hw names the chip"}
	}
	hwSet := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "hw" {
			hwSet = true
		}
	})
	sizes := paperFull
	if *quick {
		sizes = paperQuick
	}
	cfg := bench.PaperConfig{
		Seed: c.seed, TrainN: *trainN, TestN: *testN, Epochs: *epochs,
		NMNISTDir: *nmnist, NMNISTN: *nmnistN, Folds: *folds,
		FSDDDir: *fsdd, FSDDIndex: *fsddIndex, HoldOut: *holdOut,
		Progress: progressFunc(e, c),
	}
	if cfg.TrainN == 0 {
		cfg.TrainN = sizes.trainN
	}
	if cfg.TestN == 0 {
		cfg.TestN = sizes.testN
	}
	if cfg.FSDDIndex == "" {
		cfg.FSDDIndex = sizes.fsddIndex
	}
	x := experimentFlags{cache: *cacheFlag, noCache: *noCache}
	cfg.OpenData = func(spec string) (dataset.Dataset, error) { return openData(e, c, &x, spec) }
	var err error
	if cfg.CacheDir, err = x.cacheDir(); err != nil {
		return err
	}

	// The chip: each experiment opens a fresh one with -macros macros.
	chipPreset, cleanup, err := presetWithMacros(*hw, *preset, *macros)
	if err != nil {
		return err
	}
	defer cleanup()
	open := func(ctx context.Context) (bench.Backend, func(), error) {
		return openExperimentBackend(ctx, e, *hw, chipPreset, c.seed)
	}
	if _, closeFn, err := open(ctx); err != nil {
		if hwSet {
			return err
		}
		cfg.ChipAbsent = fmt.Sprintf("-hw %s unavailable: %v", *hw, err)
	} else {
		closeFn()
		cfg.Chip = open
	}

	rep, err := bench.Paper(ctx, cfg)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(e.stdout, rep)
	}
	printPaper(e.stdout, rep)
	return nil
}

// presetWithMacros returns the preset to open a model or virtual board
// with macros macros: the preset itself for 1, else a temporary JSON copy
// with Macros set (both backends accept a preset file), removed by the
// returned function. Boards bring their own macros.
func presetWithMacros(hw, preset string, macros int) (string, func(), error) {
	if macros == 1 || (hw != "model" && hw != "virtual") {
		return preset, func() {}, nil
	}
	p, err := macro.LoadPreset(preset)
	if err != nil {
		return "", nil, err
	}
	p.Macros = macros
	if err := p.Validate(); err != nil {
		return "", nil, usageError{fmt.Sprintf("-macros %d: %v", macros, err)}
	}
	dir, err := os.MkdirTemp("", "rramtwin-preset-")
	if err != nil {
		return "", nil, err
	}
	path := filepath.Join(dir, p.Name+".json")
	if err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(p.MarshalIndent())
		return err
	}); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return path, func() { os.RemoveAll(dir) }, nil
}

func printPaper(w io.Writer, r bench.PaperReport) {
	chip := r.Chip
	if chip == "" {
		chip = "none: " + r.ChipAbsent
	}
	fmt.Fprintf(w, "reproduction of Lin et al. 2025 (seed %d, %s)\nsoftware: %s   chip: %s\n\n", r.Seed, r.Date, r.Software, chip)
	fmt.Fprintf(w, "%-36s %13s %13s %13s %13s  %s\n", "task", "pub. software", "pub. chip", "our software", "our chip", "data")
	for i, row := range r.Rows {
		fmt.Fprintf(w, "%-36s %12.2f%% %12.2f%% %13s %13s  [%d]\n", row.Task, row.Published.Software, row.Published.Chip,
			cellText(row.Software), cellText(row.Chip), i+1)
	}
	fmt.Fprintln(w)
	for i, row := range r.Rows {
		fmt.Fprintf(w, "[%d] ours: %s; published: %s\n", i+1, row.Data, row.Published.Data)
		if row.Beyond != "" {
			fmt.Fprintf(w, "    beyond the paper: %s\n", row.Beyond)
		}
		if row.Chip.EnergyNJ > 0 {
			fmt.Fprintf(w, "    chip energy %.1f nJ per inference\n", row.Chip.EnergyNJ)
		}
		for _, s := range []struct {
			side string
			c    bench.PaperCell
		}{{"software", row.Software}, {"chip", row.Chip}} {
			if !s.c.Done() {
				fmt.Fprintf(w, "    %s skipped: %s\n", s.side, s.c.Skipped)
			}
		}
	}
	fmt.Fprintf(w, "\n%.0f s\n", r.Seconds)
}

// cellText is an accuracy in percent (± the fold spread), or "skipped".
func cellText(c bench.PaperCell) string {
	switch {
	case !c.Done():
		return "skipped"
	case c.StdPct > 0:
		return fmt.Sprintf("%.1f±%.1f%%", c.AccuracyPct, c.StdPct)
	}
	return fmt.Sprintf("%.2f%%", c.AccuracyPct)
}
