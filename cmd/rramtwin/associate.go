package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/rramtwin/rramtwin/bench"
)

// classList parses "1-7" or "8,9" (or a mix, "0,2-4") into class labels.
func classList(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(part, "-")
		lo, err1 := strconv.Atoi(strings.TrimSpace(a))
		hi, err2 := lo, error(nil)
		if isRange {
			hi, err2 = strconv.Atoi(strings.TrimSpace(b))
		}
		if err1 != nil || err2 != nil || lo < 0 || hi < lo || hi > 9 {
			return nil, fmt.Errorf("class list %q: want digits like 1-7 or 8,9", s)
		}
		for k := lo; k <= hi; k++ {
			out = append(out, k)
		}
	}
	return out, nil
}

func runAssociate(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "associate", "-vision-train SPEC -audio-train SPEC -vision-test SPEC -audio-test SPEC [-seen 1-7] [-unseen 8,9] [-backend B] [-json]")
	var x experimentFlags
	x.register(fs, "gauss")
	vtr := fs.String("vision-train", "", "vision training data, e.g. 'mnist-saccade:train?n=2000'")
	atr := fs.String("audio-train", "", "audio training data, e.g. 'fsdd:DIR?index=5-49'")
	vte := fs.String("vision-test", "", "vision test data")
	ate := fs.String("audio-test", "", "audio test data")
	seen := fs.String("seen", "1-7", "classes trained on and tested as seen")
	unseen := fs.String("unseen", "8,9", "classes never trained on, tested zero-shot")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	sc, err := classList(*seen)
	if err != nil {
		return usageError{"associate: -seen: " + err.Error()}
	}
	uc, err := classList(*unseen)
	if err != nil {
		return usageError{"associate: -unseen: " + err.Error()}
	}
	cfg := bench.AssociateConfig{Specs: [4]string{*vtr, *atr, *vte, *ate}, Seen: sc, Unseen: uc, Seed: c.seed, Epochs: x.epochs, Progress: progressFunc(e, c)}
	for i, dst := range []*bench.AssociateConfig{&cfg, &cfg, &cfg, &cfg} {
		ds, err := openData(e, c, &x, cfg.Specs[i])
		if err != nil {
			return fmt.Errorf("-%s: %w", []string{"vision-train", "audio-train", "vision-test", "audio-test"}[i], err)
		}
		switch i {
		case 0:
			dst.VisionTrain = ds
		case 1:
			dst.AudioTrain = ds
		case 2:
			dst.VisionTest = ds
		case 3:
			dst.AudioTest = ds
		}
	}
	b, closeFn, err := openExperimentBackend(ctx, e, x.backend, x.preset, c.seed)
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
	fmt.Fprintf(e.stdout, "association on %s (seed %d), %d training pairs\n", rep.Backend, rep.Seed, rep.TrainPairs)
	fmt.Fprintf(e.stdout, "                      seen %v   unseen %v\n", rep.Seen, rep.Unseen)
	fmt.Fprintf(e.stdout, "audio searches image  %6.2f %%   %6.2f %%\n", 100*rep.SeenAccuracy, 100*rep.UnseenAccuracy)
	fmt.Fprintf(e.stdout, "image searches audio  %6.2f %%   %6.2f %%\n", 100*rep.SeenI2A, 100*rep.UnseenI2A)
	fmt.Fprintf(e.stdout, "prototype baseline    %6.2f %%   %6.2f %%   (audio searches image)\n", 100*rep.Proto.SeenA2I, 100*rep.Proto.UnseenA2I)
	return nil
}
