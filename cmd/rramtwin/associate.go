package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/rramtwin/rramtwin/bench"
	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/lsm"
)

// classList parses "1-7" or "8,9" (or a mix, "0,2-4") into digit labels.
func classList(s string) ([]int, error) {
	out, err := dataset.ParseRanges(strings.ReplaceAll(s, " ", ""))
	if err != nil || len(out) == 0 || out[len(out)-1] > 9 {
		return nil, fmt.Errorf("class list %q: want digits like 1-7 or 8,9", s)
	}
	return out, nil
}

// assocFlags are the flags of an audio–vision association: the four data
// sets, the seen and unseen classes, and the heads' loss and number.
type assocFlags struct {
	specs        [4]string // vision-train, audio-train, vision-test, audio-test
	seen, unseen string
	loss         string
	ensemble     int
	trainOnly    bool // the test specs are optional (associate -zero-shot-cv)
}

var assocNames = [4]string{"vision-train", "audio-train", "vision-test", "audio-test"}

// register adds the flags, their help prefixed by prefix.
func (a *assocFlags) register(fs *flagSet, prefix string) {
	help := [4]string{"vision training data, e.g. 'mnist-saccade:train?n=2000'", "audio training data, e.g. 'fsdd:DIR?index=5-49'",
		"vision test data", "audio test data"}
	for i := range a.specs {
		fs.StringVar(&a.specs[i], assocNames[i], "", prefix+help[i])
	}
	fs.StringVar(&a.seen, "seen", "1-7", prefix+"classes trained on and tested as seen")
	fs.StringVar(&a.unseen, "unseen", "8,9", prefix+"classes never trained on, tested zero-shot")
	fs.StringVar(&a.loss, "loss", "infonce", prefix+"contrastive loss: infonce (the paper's), soft, or class (same-class pairs are positives; beyond the paper)")
	fs.IntVar(&a.ensemble, "ensemble", 1, prefix+"contrastive head pairs trained from independent initialisations; retrieval sums their similarities (beyond the paper)")
}

// heads is the heads' loss and number as AssociateConfig takes them
// (ensemble 0 for a single head).
func (a *assocFlags) heads() (loss string, ensemble int) {
	if a.ensemble > 1 {
		ensemble = a.ensemble
	}
	return a.loss, ensemble
}

// open parses the class lists and opens the four data sets; errors are
// one line naming the flag. With a.trainOnly the test specs may be empty
// (their data sets are then nil).
func (a *assocFlags) open(cmd string, e *env, c *common, x *experimentFlags) (data [4]dataset.Dataset, seen, unseen []int, err error) {
	if !slices.Contains([]string{"infonce", "soft", "class"}, a.loss) {
		return data, nil, nil, usageError{fmt.Sprintf("%s: -loss %q: want infonce, soft or class", cmd, a.loss)}
	}
	if a.ensemble < 1 {
		return data, nil, nil, usageError{fmt.Sprintf("%s: -ensemble %d: want 1 or more", cmd, a.ensemble)}
	}
	if seen, err = classList(a.seen); err != nil {
		return data, nil, nil, usageError{cmd + ": -seen: " + err.Error()}
	}
	if unseen, err = classList(a.unseen); err != nil {
		return data, nil, nil, usageError{cmd + ": -unseen: " + err.Error()}
	}
	for i, spec := range a.specs {
		if spec == "" && a.trainOnly && i >= 2 {
			continue
		}
		if spec == "" {
			return data, nil, nil, usageError{fmt.Sprintf("%s: -%s SPEC is required", cmd, assocNames[i])}
		}
		if data[i], err = openData(e, c, x, spec); err != nil {
			return data, nil, nil, fmt.Errorf("-%s: %w", assocNames[i], err)
		}
	}
	return data, seen, unseen, nil
}

func runAssociate(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "associate", "-vision-train SPEC -audio-train SPEC -vision-test SPEC -audio-test SPEC [-seen 1-7] [-unseen 8,9] [-backend B] [-json]")
	var x experimentFlags
	x.register(fs, "backend", "gauss", backendHelp)
	var af assocFlags
	af.register(fs, "")
	normalize := fs.Bool("normalize", false, "L2-normalise the embeddings: cosine similarity as CLIP (beyond the paper; pair with -temperature or -learn-temperature)")
	temperature := fs.Float64("temperature", 0, "contrastive temperature τ, the initial one with -learn-temperature (0: the paper's 1.0)")
	learnT := fs.Bool("learn-temperature", false, "train log(1/τ) with the heads, as CLIP does")
	projDim := fs.Int("proj-dim", 0, "width of the shared embedding (0: the paper's 64)")
	unseenTrain := fs.Bool("unseen-train", false, "also score the unseen classes on their pairs in the training data (never trained on): more zero-shot pairs")
	seenHold := fs.Float64("seen-holdout", 0, "hold this fraction of the seen training pairs out and score them as the seen set instead of the test data's: seen-class validation without test data (0: off)")
	zsFolds := fs.Int("zero-shot-cv", 0, "instead of testing, validate zero-shot retrieval on the training data: FOLDS folds each hold out two seen classes (at most the number of seen classes; test specs are then optional)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case !(*temperature >= 0) || math.IsInf(*temperature, 0):
		return usageError{fmt.Sprintf("associate: -temperature %g: want a positive number (0: the default)", *temperature)}
	case *projDim < 0:
		return usageError{fmt.Sprintf("associate: -proj-dim %d: want 1 or more (0: the default)", *projDim)}
	case !(*seenHold >= 0 && *seenHold < 1):
		return usageError{fmt.Sprintf("associate: -seen-holdout %g: want a fraction in [0, 1)", *seenHold)}
	case *zsFolds < 0:
		return usageError{fmt.Sprintf("associate: -zero-shot-cv %d: want a number of folds (0: off)", *zsFolds)}
	}
	af.trainOnly = *zsFolds > 0
	data, seen, unseen, err := af.open("associate", e, c, &x)
	if err != nil {
		return err
	}
	if most := lsm.ZeroShotFolds(len(seen)); *zsFolds > 0 && (len(seen) < 3 || *zsFolds > most) {
		return usageError{fmt.Sprintf("associate: -zero-shot-cv %d: needs 3 or more seen classes, and %d seen classes give at most %d distinct folds", *zsFolds, len(seen), most)}
	}
	cfg := bench.AssociateConfig{VisionTrain: data[0], AudioTrain: data[1], VisionTest: data[2], AudioTest: data[3],
		Specs: af.specs, Seen: seen, Unseen: unseen, Seed: c.seed, Epochs: x.epochs, Progress: progressFunc(e, c),
		Normalize: *normalize, Temperature: *temperature, LearnTemperature: *learnT, ProjDim: *projDim,
		UnseenFromTrain: *unseenTrain, SeenHoldOut: *seenHold, ZeroShotFolds: *zsFolds}
	cfg.Loss, cfg.Ensemble = af.heads()
	// One reservoir per macro: a model or virtual board gets 2 macros.
	preset, cleanup, err := presetWithMacros(x.backend, x.preset, 2)
	if err != nil {
		return err
	}
	defer cleanup()
	b, closeFn, err := openExperimentBackend(ctx, e, x.backend, preset, c.seed)
	if err != nil {
		return err
	}
	defer closeFn()
	cfg.Backend = b
	if cfg.CacheDir, err = x.cacheDir(); err != nil {
		return err
	}
	rep, err := bench.Associate(ctx, cfg)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(e.stdout, rep)
	}
	if cv := rep.ZeroShotCV; cv != nil {
		fmt.Fprintf(e.stdout, "zero-shot validation on %s (seed %d, %s loss): two seen classes held out per fold\n", rep.Backend, rep.Seed, rep.Loss)
		for _, f := range cv.Folds {
			fmt.Fprintf(e.stdout, "held out %v  %4d pairs  audio searches image %6.2f %%  image searches audio %6.2f %%  validation (rest) %6.2f %%\n",
				f.HeldOut, f.Pairs, 100*f.A2I, 100*f.I2A, 100*f.ValA2I)
		}
		fmt.Fprintf(e.stdout, "mean  audio searches image %6.2f ± %.2f %% (sd over folds)  image searches audio %6.2f %%  validation %6.2f %%\n",
			100*cv.MeanA2I, 100*cv.SDA2I, 100*cv.MeanI2A, 100*cv.MeanVal)
		return nil
	}
	fmt.Fprintf(e.stdout, "association on %s (seed %d, %s loss), %d training pairs\n", rep.Backend, rep.Seed, rep.Loss, rep.TrainPairs)
	fmt.Fprintf(e.stdout, "                      seen %v   unseen %v\n", rep.Seen, rep.Unseen)
	fmt.Fprintf(e.stdout, "audio searches image  %6.2f %%   %6.2f %%\n", 100*rep.SeenAccuracy, 100*rep.UnseenAccuracy)
	fmt.Fprintf(e.stdout, "image searches audio  %6.2f %%   %6.2f %%\n", 100*rep.SeenI2A, 100*rep.UnseenI2A)
	fmt.Fprintf(e.stdout, "prototype baseline    %6.2f %%   %6.2f %%   (audio searches image)\n", 100*rep.Proto.SeenA2I, 100*rep.Proto.UnseenA2I)
	if rep.SeenHoldOut > 0 {
		fmt.Fprintf(e.stdout, "seen: %d pairs held out of the training data (-seen-holdout %g), not the test data\n", rep.SeenTestPairs, rep.SeenHoldOut)
	}
	return nil
}
