package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/rramtwin/rramtwin/bench"
	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/lsm"
	"github.com/rramtwin/rramtwin/macro"
)

// experimentFlags are the flags shared by classify, associate and compare.
type experimentFlags struct {
	backend, preset string
	neurons, epochs int
	lr              float64
	cache           string
	noCache         bool
}

// register adds the flags; the backend flag is called name (compare calls
// it -hw) with the given default and help.
func (x *experimentFlags) register(fs *flagSet, name, defaultBackend, help string) {
	fs.StringVar(&x.backend, name, defaultBackend, help)
	fs.StringVar(&x.preset, "preset", "lin2025-40nm", "device preset of the model or virtual board (name or JSON file)")
	fs.IntVar(&x.neurons, "neurons", 0, "reservoir neurons (0: the task's default, 200)")
	fs.IntVar(&x.epochs, "epochs", 0, "readout training epochs (0: the task's default)")
	fs.StringVar(&x.cache, "cache", "", "cache directory for synthesized data and features (default $RRAMTWIN_CACHE or the user cache dir)")
	fs.BoolVar(&x.noCache, "no-cache", false, "do not cache features (synthesized data is still cached)")
}

const backendHelp = "gauss (software model), model, virtual, auto, or a serial device path"

// cacheDir is where features are cached, or "" with -no-cache.
func (x *experimentFlags) cacheDir() (string, error) {
	if x.noCache {
		return "", nil
	}
	return dataset.CacheRoot(x.cache)
}

// openData opens a dataset spec with the run's seed and progress.
func openData(e *env, c *common, x *experimentFlags, spec string) (dataset.Dataset, error) {
	if spec == "" {
		return nil, usageError{"a dataset SPEC is required"}
	}
	opt := dataOptions(e, c)
	opt.CacheDir = x.cache
	return dataset.Open(spec, opt)
}

// progressFunc prints stage progress on a terminal and nothing otherwise.
func progressFunc(e *env, c *common) func(stage string, done, total int) {
	w := progressWriter(e, c)
	if w == nil {
		return nil
	}
	last := ""
	return func(stage string, done, total int) {
		if stage != last || done == total || done%max(total/100, 1) == 0 {
			fmt.Fprintf(w, "\r%-14s %s %d/%d", stage, bar(done, total, 30), done, total)
			if done == total {
				fmt.Fprintln(w)
			}
			last = stage
		}
	}
}

// bar draws a progress bar of width cells.
func bar(done, total, width int) string {
	n := 0
	if total > 0 {
		n = width * done / total
	}
	b := make([]rune, width)
	for i := range b {
		b[i] = '·'
		if i < n {
			b[i] = '█'
		}
	}
	return "[" + string(b) + "]"
}

// openExperimentBackend opens the backend an experiment runs on; gauss has
// no chip.
func openExperimentBackend(ctx context.Context, e *env, name, preset string, seed uint64) (bench.Backend, func(), error) {
	if name == "gauss" {
		return bench.Backend{Name: "gauss"}, func() {}, nil
	}
	m, closeFn, err := openBackend(ctx, e, name, preset, seed)
	if err != nil {
		return bench.Backend{}, nil, err
	}
	b := bench.Backend{Name: name, Chip: m, Preset: m.Info().Preset}
	switch name {
	case "model", "virtual":
		// Cached features follow the preset's content, not just its name.
		if p, err := macro.LoadPreset(preset); err == nil {
			b.Preset = fmt.Sprintf("%s@%x", p.Name, sha256.Sum256(p.MarshalIndent()))[:len(p.Name)+13]
		}
	default:
		b.Name = "board"
	}
	return b, closeFn, nil
}

func runClassify(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "classify", "-task nmnist|audio -train SPEC -test SPEC [-backend B] [-neurons N] [-json]")
	var x experimentFlags
	x.register(fs, "backend", "gauss", backendHelp)
	fs.Float64Var(&x.lr, "lr", 0, "readout learning rate (0: the task's default, the authors' 1e-4 for N-MNIST, sized for 60k samples)")
	task := fs.String("task", "nmnist", "nmnist (camera) or audio (cochlea)")
	train := fs.String("train", "", "training data spec, e.g. 'mnist-saccade:train?n=2000'")
	test := fs.String("test", "", "test data spec, e.g. 'mnist-saccade:test?n=500'")
	bins := fs.Int("bins", 1, "readout features: spike counts in this many equal time bins (1: the paper's whole-window counts)")
	logf := fs.String("log", "auto", "readout on ln(1 + spike count): on, off, or auto = on for -task audio (beyond the paper), off for nmnist")
	wconst := fs.Float64("const", 0, "reservoir weight units per µS of differential conductance, input and recurrent (0: the task's, the paper's 0.08 for audio and 0.07 for nmnist)")
	hidden := fs.String("hidden", "", "readout hidden layer widths, e.g. 128 or 256,64: a small GELU MLP instead of the linear probe (beyond the paper); empty = the paper's linear probe")
	wd := fs.Float64("wd", 0, "readout weight decay (0: the task's default, AdamW 0.01 for audio)")
	vtlp := fs.String("vtlp", "auto", "training-time vocal-tract-length perturbation: cochlea warps, e.g. 0.9,1.1; none; auto = 0.9,1.1 for -task audio on fsdd audio, else none")
	val := fs.String("val", "stratified", "validation split for choosing the readout's epoch: stratified (10 % of each class, the default), speaker (one whole training speaker, rotated by -seed through the sorted speakers: seed 1 the first; beyond the paper) speaker:NAME[,NAME] (these speakers) or speakers (leave-one-speaker-out cross-validation over the training speakers chooses the epoch, then the readout is refitted on all; beyond the paper)")
	norm := fs.String("norm", "none", "readout feature normalisation (beyond the paper): none; speaker = standardise every feature within each speaker with that speaker's own mean and standard deviation (speaker-level CMVN; each warped copy of a training speaker is normalised on its own; a test speaker's statistics come from its own unlabelled test recordings: transductive, no labels used); speaker-mean = subtract each speaker's mean only; recording = standardise each recording across its own features (nothing transductive)")
	ensemble := fs.Int("ensemble", 1, "reservoirs in an ensemble (beyond the paper): each of this many reservoirs (the run's and ones drawn from keyed seeds) gets its own readout, and the mean of their softmax probabilities classifies; above 1 gauss only")
	refit := fs.Bool("refit", false, "after choosing the epoch on the validation split, retrain on all training data, validation included, for that many epochs (beyond the paper)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	t, err := bench.LookupTask(*task, x.neurons)
	if err != nil {
		return usageError{"classify: " + err.Error()}
	}
	if *wconst != 0 {
		if !(*wconst > 0) || math.IsInf(*wconst, 0) {
			return usageError{fmt.Sprintf("classify: -const %g: want a finite value > 0", *wconst)}
		}
		t.Config.Const = *wconst // beyond the paper: a stronger or weaker reservoir drive
	}
	if *bins > 1 {
		t.Config.Bins = *bins // beyond the paper: spike counts per time bin as features
		if err := t.Config.Validate(); err != nil {
			return usageError{"classify: -bins: " + err.Error()}
		}
	}
	widths, err := parseWidths(*hidden)
	if err != nil {
		return usageError{"classify: -hidden: " + err.Error()}
	}
	if !(*wd >= 0) || math.IsInf(*wd, 0) {
		return usageError{fmt.Sprintf("classify: -wd %g: want a finite value ≥ 0", *wd)}
	}
	trainDS, err := openData(e, c, &x, *train)
	if err != nil {
		return fmt.Errorf("-train: %w", err)
	}
	var valSpeakers []string
	speakerCV := *val == "speakers"
	if speakerCV {
		if n := len(bench.SpeakerNames(trainDS)); n < 2 {
			return usageError{fmt.Sprintf("classify: -val speakers: %d training speakers, want two or more", n)}
		}
	} else if valSpeakers, err = parseVal(*val, trainDS, c.seed); err != nil {
		return usageError{"classify: -val: " + err.Error()}
	}
	var logFeatures bool
	switch *logf {
	case "on", "off":
		logFeatures = *logf == "on"
	case "auto":
		logFeatures = *task == "audio"
	default:
		return usageError{fmt.Sprintf("classify: -log %q: want on, off or auto", *logf)}
	}
	if *ensemble < 1 || *ensemble > 64 {
		return usageError{fmt.Sprintf("classify: -ensemble %d: want 1 to 64", *ensemble)}
	}
	if *ensemble > 1 && x.backend != "gauss" {
		return usageError{fmt.Sprintf("classify: -ensemble %d: the members' reservoirs are drawn in software, so -backend gauss only", *ensemble)}
	}
	normMode, err := parseNorm(*norm)
	if err != nil {
		return usageError{"classify: -norm: " + err.Error()}
	}
	augSpecs, err := vtlpSpecs(*vtlp, *task, *train)
	if err != nil {
		return usageError{"classify: -vtlp: " + err.Error()}
	}
	var aug []dataset.Dataset
	for _, spec := range augSpecs {
		d, err := openData(e, c, &x, spec)
		if err != nil {
			return fmt.Errorf("-vtlp: %w", err)
		}
		aug = append(aug, d)
	}
	testDS, err := openData(e, c, &x, *test)
	if err != nil {
		return fmt.Errorf("-test: %w", err)
	}
	b, closeFn, err := openExperimentBackend(ctx, e, x.backend, x.preset, c.seed)
	if err != nil {
		return err
	}
	defer closeFn()
	cache, err := x.cacheDir()
	if err != nil {
		return err
	}
	rep, err := bench.Classify(ctx, bench.ClassifyConfig{Task: t, TrainSpec: *train, TestSpec: *test, Train: trainDS, Test: testDS, Augment: aug, AugmentSpecs: augSpecs, LogFeatures: logFeatures,
		Hidden: widths, WeightDecay: *wd, ValSpeakers: valSpeakers, Refit: *refit, SpeakerCV: speakerCV, Norm: normMode, Ensemble: *ensemble, Backend: b, Seed: c.seed, CacheDir: cache, Epochs: x.epochs, LR: x.lr, Progress: progressFunc(e, c)})
	if err != nil {
		return err
	}
	if rep.Norm != "" {
		rep.Norm = *norm // report what was asked for: speaker, speaker-mean or recording
	}
	if c.json {
		return printJSON(e.stdout, rep)
	}
	printClassify(e.stdout, rep)
	return nil
}

// parseVal parses -val: the speakers held out for validation, none for
// the stratified split.
func parseVal(arg string, train dataset.Dataset, seed uint64) ([]string, error) {
	switch {
	case arg == "stratified":
		return nil, nil
	case arg == "speaker":
		s, err := bench.ValSpeaker(train, seed)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	case strings.HasPrefix(arg, "speaker:"):
		names := strings.Split(strings.TrimPrefix(arg, "speaker:"), ",")
		spk := bench.Speakers(train)
		if spk == nil {
			return nil, fmt.Errorf("the training data has no speakers")
		}
		for _, n := range names {
			if !slices.Contains(spk, n) {
				return nil, fmt.Errorf("no speaker %q in the training data", n)
			}
		}
		if held := lsm.GroupMask(spk, names); !slices.Contains(held, false) {
			return nil, fmt.Errorf("%s are all the training speakers", strings.Join(names, ","))
		}
		return names, nil
	}
	return nil, fmt.Errorf("%q: want stratified, speaker, speaker:NAME[,NAME] or speakers", arg)
}

// parseNorm maps -norm to the readout's feature normalisation
// (lsm.TrainConfig.Norm).
func parseNorm(arg string) (string, error) {
	switch arg {
	case "none":
		return lsm.NormNone, nil
	case "speaker":
		return lsm.NormGroup, nil
	case "speaker-mean":
		return lsm.NormGroupMean, nil
	case "recording":
		return lsm.NormSample, nil
	}
	return "", fmt.Errorf("%q: want none, speaker, speaker-mean or recording", arg)
}

// parseWidths parses -hidden: comma-separated layer widths, "" = none.
func parseWidths(arg string) ([]int, error) {
	if arg == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(arg, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || w < 1 || w > 1<<16 {
			return nil, fmt.Errorf("width %q: want integers in [1, 65536]", f)
		}
		out = append(out, w)
	}
	return out, nil
}

// vtlpSpecs returns the specs of the warped copies of the training data
// that -vtlp asks for.
func vtlpSpecs(arg, task, train string) ([]string, error) {
	switch arg {
	case "none":
		return nil, nil
	case "auto":
		if task != "audio" || !strings.HasPrefix(train, "fsdd:") {
			return nil, nil
		}
		return bench.VTLPSpecs(train, bench.VTLP)
	}
	var warps []float64
	for _, f := range strings.Split(arg, ",") {
		w, err := strconv.ParseFloat(f, 64)
		if err != nil || !(w >= 0.5 && w <= 2) {
			return nil, fmt.Errorf("warp %q: want numbers in [0.5, 2], none or auto", f)
		}
		warps = append(warps, w)
	}
	return bench.VTLPSpecs(train, warps)
}

func printClassify(w io.Writer, r bench.ClassifyReport) {
	fmt.Fprintf(w, "%s on %s (%d neurons, seed %d): accuracy %.2f %% on %d test samples (validation %.2f %%, epoch %d)\n",
		r.Task, r.Backend, r.Neurons, r.Seed, 100*r.Accuracy, r.TestN, 100*r.ValAccuracy, r.BestEpoch)
	fmt.Fprintf(w, "trained on %d (+%d validation", r.TrainN, r.ValN)
	if r.SpeakerCV {
		fmt.Fprintf(w, " in leave-one-speaker-out folds over %s", strings.Join(r.ValSpeakers, ","))
	} else if len(r.ValSpeakers) > 0 {
		fmt.Fprintf(w, " of speaker %s", strings.Join(r.ValSpeakers, ","))
	}
	fmt.Fprint(w, ")")
	if r.Refit {
		fmt.Fprint(w, ", refitted on all")
	}
	if r.Norm != "" {
		fmt.Fprintf(w, ", features normalised per %s", map[string]string{"speaker": "speaker", "speaker-mean": "speaker (mean)", "recording": "recording"}[r.Norm])
	}
	if len(r.Ensemble) > 0 {
		fmt.Fprintf(w, ", ensemble of %d reservoirs (each alone:", len(r.Ensemble))
		for _, a := range r.Ensemble {
			fmt.Fprintf(w, " %.2f %%", 100*a)
		}
		fmt.Fprint(w, ")")
	}
	if len(r.Augment) > 0 {
		fmt.Fprintf(w, " with %d augmented copies", len(r.Augment))
	}
	fmt.Fprintf(w, "; %.0f spikes/sample; encode %.0f samples/s", r.SpikesPerSample, r.EncodeSamplesPerS)
	if r.EnergyJPerSample > 0 {
		fmt.Fprintf(w, "; %.3g J/inference on the chip", r.EnergyJPerSample)
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, "per class:")
	for k, a := range r.PerClass {
		fmt.Fprintf(w, " %d:%.0f%%", k, 100*a)
	}
	fmt.Fprintln(w)
}
