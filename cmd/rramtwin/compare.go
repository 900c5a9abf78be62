package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rramtwin/rramtwin/bench"
	"github.com/rramtwin/rramtwin/macro"
)

func runCompare(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "compare", "-task nmnist|audio|associate -train SPEC -test SPEC [-hw virtual|auto|PATH|model] [-report DIR] [-json]\n"+
		"       (associate: -vision-train SPEC -audio-train SPEC -vision-test SPEC -audio-test SPEC)")
	var x experimentFlags
	x.register(fs, "hw", "virtual", "the chip: virtual (the virtual board), auto (the first board found), a serial device path, or model (the in-process model)")
	task := fs.String("task", "nmnist", "nmnist (camera), audio (cochlea) or associate (audio–vision)")
	train := fs.String("train", "", "training data spec, e.g. 'mnist-saccade:train?n=2000'")
	test := fs.String("test", "", "test data spec, e.g. 'mnist-saccade:test?n=500'")
	var af assocFlags
	af.register(fs, "associate: ")
	report := fs.String("report", "", "write report.md, report.json and PNG plots into this directory")
	twin := fs.Bool("twin", false, "software side = gauss on the chip's read-back weights (default: the paper's independent gauss draw)")
	vectors := fs.Int("mac-vectors", 256, "random spike vectors of the MAC error measurement")
	sample := fs.Int("raster-sample", 0, "test sample whose spike train the report draws")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if x.backend == "gauss" {
		return usageError{"compare: -hw gauss: the hardware side needs a chip (virtual, auto, a device path or model)"}
	}
	if *vectors < 1 {
		return usageError{fmt.Sprintf("compare: -mac-vectors %d must be positive", *vectors)}
	}
	cfg := bench.CompareConfig{Task: *task, Neurons: x.neurons, SoftwareTwin: *twin, Seed: c.seed, Epochs: x.epochs,
		Progress: progressFunc(e, c), MACVectors: *vectors, RasterSample: *sample}
	var err error
	switch *task {
	case "nmnist", "audio":
		if *train == "" || *test == "" {
			return usageError{"compare: -train and -test are required"}
		}
		if af.loss != "infonce" || af.ensemble != 1 {
			return usageError{"compare: -loss and -ensemble are for -task associate"}
		}
		cfg.TrainSpec, cfg.TestSpec = *train, *test
		if cfg.Train, err = openData(e, c, &x, *train); err != nil {
			return fmt.Errorf("-train: %w", err)
		}
		if cfg.Test, err = openData(e, c, &x, *test); err != nil {
			return fmt.Errorf("-test: %w", err)
		}
	case "associate":
		if cfg.AssocData, cfg.Seen, cfg.Unseen, err = af.open("compare", e, c, &x); err != nil {
			return err
		}
		cfg.AssocSpecs = af.specs
		cfg.Loss, cfg.Ensemble = af.heads()
	default:
		return usageError{fmt.Sprintf("compare: unknown task %q (want nmnist, audio or associate)", *task)}
	}
	preset := x.preset
	if *task == "associate" {
		// One reservoir per macro: a model or virtual board gets 2 macros.
		var cleanup func()
		if preset, cleanup, err = presetWithMacros(x.backend, x.preset, 2); err != nil {
			return err
		}
		defer cleanup()
	}
	b, closeFn, err := openExperimentBackend(ctx, e, x.backend, preset, c.seed)
	if err != nil {
		return err
	}
	defer closeFn()
	cfg.Hardware = b
	if x.backend == "model" || x.backend == "virtual" {
		// The chip is made from -preset, which may be a file: hand it over
		// rather than have Compare look the chip's preset up by name.
		p, err := macro.LoadPreset(preset)
		if err != nil {
			return err
		}
		cfg.Preset = &p
	}
	if cfg.CacheDir, err = x.cacheDir(); err != nil {
		return err
	}
	rep, err := bench.Compare(ctx, cfg)
	if err != nil {
		return err
	}
	if *report != "" {
		if err := bench.WriteReport(*report, rep); err != nil {
			return err
		}
	}
	if c.json {
		return printJSON(e.stdout, rep)
	}
	printCompare(e.stdout, rep, *report)
	return nil
}

func printCompare(w io.Writer, r bench.CompareReport, dir string) {
	fmt.Fprintf(w, "%s: software (%s) vs chip %s (%s, preset %s), seed %d\n", r.Task, r.Software.Backend, r.Chip, r.Hardware.Backend, r.Preset, r.Seed)
	fmt.Fprintf(w, "%-24s %14s %14s %12s\n", "", "LSM (software)", "LSM (chip)", "gap (pt)")
	if r.UnseenGapPt != nil {
		fmt.Fprintf(w, "%-24s %13.2f%% %13.2f%% %+12.2f\n", "seen (audio→image)", 100*r.Software.Accuracy, 100*r.Hardware.Accuracy, r.GapPt)
		fmt.Fprintf(w, "%-24s %13.2f%% %13.2f%% %+12.2f\n", "unseen (audio→image)", 100**r.Software.UnseenAccuracy, 100**r.Hardware.UnseenAccuracy, *r.UnseenGapPt)
	} else {
		fmt.Fprintf(w, "%-24s %13.2f%% %13.2f%% %+8.2f ± %.2f\n", fmt.Sprintf("accuracy (%d test)", r.TestN), 100*r.Software.Accuracy, 100*r.Hardware.Accuracy, r.GapPt, r.GapSEPt)
		fmt.Fprint(w, "per-class gap (pt):")
		for k, g := range r.PerClassGapPt {
			fmt.Fprintf(w, " %d:%+.0f", k, g)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%-24s %14.1f %14.1f\n", "spikes per sample", r.Software.SpikesPerSample, r.Hardware.SpikesPerSample)
	fmt.Fprintf(w, "%-24s %14s %14.3g\n", "energy/inference (J)", "–", r.Hardware.EnergyJPerInference)
	fmt.Fprintf(w, "MAC error: RMSE %.3g LSB, bias %+.3g LSB, correlation %.5f over %d conversions (%d-bit)\n", r.MACRMSE, r.MAC.Bias, r.MAC.Corr, r.MAC.Samples, r.MAC.Bits)
	fmt.Fprintf(w, "conductances: chip %.2f ± %.2f µS, model %.2f ± %.2f µS, KS %.3g\n", r.Conductance.Chip.GMeanUS, r.Conductance.Chip.GStdUS, r.Conductance.Model.GMeanUS, r.Conductance.Model.GStdUS, r.Conductance.KS)
	if dir != "" {
		fmt.Fprintf(w, "report written to %s\n", dir)
	}
}
