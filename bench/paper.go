package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/lsm"
)

// Published is one row of the authors' results (DESIGN §3: their README
// tables, on their data), accuracies in percent.
type Published struct {
	Software float64 `json:"software_pct"`
	Chip     float64 `json:"chip_pct"`
	Data     string  `json:"data"`
}

// The authors' numbers.
var (
	PublishedNMNIST   = Published{89.11, 89.66, "N-MNIST, 60k train / 10k test"}
	PublishedTIDIGITS = Published{70.79, 70.11, "N-TIDIGITS"}
	PublishedSeen     = Published{66.1, 67.42, "N-MNIST + N-TIDIGITS, digits 1–7"}
	PublishedUnseen   = Published{88, 87.5, "N-MNIST + N-TIDIGITS, digits 8–9 (zero-shot)"}
)

// PaperConfig configures Paper. Zero fields take defaults.
type PaperConfig struct {
	Seed uint64 // 0 → 1
	// TrainN and TestN are the mnist-saccade samples of the camera
	// classification and of the vision side of association (default
	// 60,000 and 10,000: the whole MNIST splits).
	TrainN, TestN int
	// Epochs overrides every readout's epochs (0: each task's own).
	Epochs int
	// NMNISTDir is a folder of real N-MNIST recordings (<digit>/<N>.bin):
	// its row is a k-fold cross-validation on them. Absent or "": the row
	// is skipped with the reason.
	NMNISTDir string
	// NMNISTN uses at most this many of the real recordings, evenly spaced
	// over the folder (0: all).
	NMNISTN int
	// Folds of the cross-validation (default 5).
	Folds int
	// FSDDDir is the Free Spoken Digit Dataset's recordings folder. Absent
	// or "": the audio and association rows are skipped with the reason.
	FSDDDir string
	// FSDDIndex limits the recordings of each speaker and digit, e.g.
	// "0-9" ("" = all 50).
	FSDDIndex string
	// HoldOut is the FSDD speaker tested on, never trained on (default the
	// last in sorted order).
	HoldOut string
	// OpenData opens a dataset spec (required): the CLI's, with its seed
	// and caches.
	OpenData func(spec string) (dataset.Dataset, error)
	// Chip opens a fresh chip for one experiment (each experiment forms its
	// reservoirs on a chip of its own, as the feature cache assumes). It
	// should have 2 macros: association puts one reservoir on each. Nil:
	// the chip column is absent, with ChipAbsent as the reason.
	Chip       func(ctx context.Context) (Backend, func(), error)
	ChipAbsent string
	CacheDir   string                              // feature cache root ("" = none)
	Progress   func(stage string, done, total int) // nil = quiet
}

// PaperReport is the reproduction of the authors' tables with our data.
type PaperReport struct {
	Date       string     `json:"date"`
	Seed       uint64     `json:"seed"`
	Software   string     `json:"software"`              // "gauss": the authors' software LSM
	Chip       string     `json:"chip,omitempty"`        // backend and chip identity
	ChipAbsent string     `json:"chip_absent,omitempty"` // why there is no chip column
	Rows       []PaperRow `json:"rows"`
	Seconds    float64    `json:"seconds"`
}

// PaperRow is one row: ours (software and chip) beside the published pair.
type PaperRow struct {
	Task string `json:"task"`
	Data string `json:"data"` // the data this row used
	// Beyond names what a row does beyond the authors' protocol ("" for
	// the paper's own settings), next to the row it improves on.
	Beyond    string    `json:"beyond,omitempty"`
	Published Published `json:"published"`
	Software  PaperCell `json:"software"`
	Chip      PaperCell `json:"chip"`
}

// PaperCell is one of our accuracies, or why it is missing.
type PaperCell struct {
	AccuracyPct float64 `json:"accuracy_pct"`
	StdPct      float64 `json:"std_pct,omitempty"` // across cross-validation folds
	TestN       int     `json:"test_n"`            // test samples (pairs, for association)
	// EnergyNJ is the chip's compute energy per inference (per audio and
	// vision pair, for association) from its ledger; 0 for gauss.
	EnergyNJ float64 `json:"energy_nj,omitempty"`
	Skipped  string  `json:"skipped,omitempty"`
}

// Done reports whether the cell holds a result.
func (c PaperCell) Done() bool { return c.Skipped == "" }

func (c PaperConfig) withDefaults() PaperConfig {
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.TrainN <= 0 {
		c.TrainN = 60000
	}
	if c.TestN <= 0 {
		c.TestN = 10000
	}
	if c.Folds <= 0 {
		c.Folds = 5
	}
	if c.Chip == nil && c.ChipAbsent == "" {
		c.ChipAbsent = "no chip configured"
	}
	return c
}

// Paper runs the reproduction: camera classification on mnist-saccade, a
// cross-validation on real N-MNIST recordings when present, audio
// classification on FSDD with a speaker held out, and audio–vision
// association (seen 1–7, unseen 8–9), each on the software LSM (gauss)
// and on a chip; beside the audio and association rows, rows that go
// beyond the authors' protocol (PaperRow.Beyond): vocal-tract-length
// perturbation of the audio training data with a readout on log counts,
// and class-aware contrastive targets. Rows whose data is absent are skipped with the reason;
// any other failure is an error.
func Paper(ctx context.Context, cfg PaperConfig) (PaperReport, error) {
	start := time.Now()
	cfg = cfg.withDefaults()
	if cfg.OpenData == nil {
		return PaperReport{}, fmt.Errorf("bench: paper: no OpenData")
	}
	rep := PaperReport{Date: start.UTC().Format(time.RFC3339), Seed: cfg.Seed, Software: "gauss", ChipAbsent: cfg.ChipAbsent}
	if cfg.Chip != nil {
		b, closeFn, err := cfg.Chip(ctx)
		if err != nil {
			return PaperReport{}, fmt.Errorf("bench: paper: opening the chip: %w", err)
		}
		rep.Chip = b.Name
		if b.Chip != nil {
			info := b.Chip.Info()
			rep.Chip = fmt.Sprintf("%s (%s, %s, %d macro(s))", b.Name, info.ID, info.Firmware, info.Macros)
		}
		closeFn()
	}
	p := paperRun{cfg: cfg}

	// Camera: mnist-saccade train → test.
	vtr := fmt.Sprintf("mnist-saccade:train?n=%d", cfg.TrainN)
	vte := fmt.Sprintf("mnist-saccade:test?n=%d", cfg.TestN)
	row := PaperRow{Task: "N-MNIST (camera)", Data: vtr + " → " + vte, Published: PublishedNMNIST}
	train, err := cfg.OpenData(vtr)
	if err != nil {
		return PaperReport{}, err
	}
	test, err := cfg.OpenData(vte)
	if err != nil {
		return PaperReport{}, err
	}
	if err := p.both(ctx, &row, func(ctx context.Context, b Backend) (PaperCell, error) {
		return p.classify(ctx, b, Tasks["nmnist"], vtr, vte, train, test)
	}); err != nil {
		return PaperReport{}, err
	}
	rep.Rows = append(rep.Rows, row)

	// Real N-MNIST, k-fold cross-validation.
	row = PaperRow{Task: fmt.Sprintf("N-MNIST real (%d-fold CV)", cfg.Folds), Published: PublishedNMNIST}
	if real, spec, why := p.realNMNIST(); why != "" {
		row.Data = "nmnist:" + cfg.NMNISTDir
		row.Software.Skipped, row.Chip.Skipped = why, why
	} else {
		row.Data = spec
		if err := p.both(ctx, &row, func(ctx context.Context, b Backend) (PaperCell, error) {
			return p.crossValidate(ctx, b, spec, real)
		}); err != nil {
			return PaperReport{}, err
		}
	}
	rep.Rows = append(rep.Rows, row)

	// Audio and association need FSDD.
	atr, ate, why := p.fsddSpecs()
	audio := PaperRow{Task: "audio (cochlea)", Published: PublishedTIDIGITS}
	seen := PaperRow{Task: "association, seen 1–7", Published: PublishedSeen}
	unseen := PaperRow{Task: "association, unseen 8–9", Published: PublishedUnseen}
	if why != "" {
		audio.Data = "fsdd:" + cfg.FSDDDir
		seen.Data, unseen.Data = audio.Data, audio.Data
		vtlp := PaperRow{Task: "audio + VTLP, log counts", Published: PublishedTIDIGITS, Data: audio.Data, Beyond: "vocal-tract-length perturbation, log counts"}
		seenC := PaperRow{Task: "association, seen 1–7, class loss", Published: PublishedSeen, Data: audio.Data, Beyond: "class-aware contrastive loss"}
		unseenC := PaperRow{Task: "association, unseen 8–9, class loss", Published: PublishedUnseen, Data: audio.Data, Beyond: "class-aware contrastive loss"}
		for _, r := range []*PaperRow{&audio, &vtlp, &seen, &unseen, &seenC, &unseenC} {
			r.Software.Skipped, r.Chip.Skipped = why, why
		}
		rep.Rows = append(rep.Rows, audio, vtlp, seen, unseen, seenC, unseenC)
		rep.Seconds = time.Since(start).Seconds()
		return rep, nil
	}
	audio.Data = atr + " → " + ate
	atrDS, err := cfg.OpenData(atr)
	if err != nil {
		return PaperReport{}, err
	}
	ateDS, err := cfg.OpenData(ate)
	if err != nil {
		return PaperReport{}, err
	}
	if err := p.both(ctx, &audio, func(ctx context.Context, b Backend) (PaperCell, error) {
		return p.classify(ctx, b, Tasks["audio"], atr, ate, atrDS, ateDS)
	}); err != nil {
		return PaperReport{}, err
	}
	rep.Rows = append(rep.Rows, audio)

	// Beyond the paper: the same with vocal-tract-length perturbation and
	// a readout on log counts (classify's defaults for audio).
	vtlp := PaperRow{Task: "audio + VTLP, log counts", Published: PublishedTIDIGITS, Data: audio.Data,
		Beyond: fmt.Sprintf("training data heard through cochleas warped by %v as well; readout on ln(1 + count)", VTLP)}
	if err := p.both(ctx, &vtlp, func(ctx context.Context, b Backend) (PaperCell, error) {
		return p.classifyVTLP(ctx, b, atr, ate, atrDS, ateDS)
	}); err != nil {
		return PaperReport{}, err
	}
	rep.Rows = append(rep.Rows, vtlp)

	seen.Data = fmt.Sprintf("vision %s → %s; audio %s → %s", vtr, vte, atr, ate)
	unseen.Data = seen.Data
	// Beyond the paper: class-aware contrastive targets.
	const classLoss = "class-aware contrastive loss: same-class pairs in a batch are positives"
	seenC := PaperRow{Task: "association, seen 1–7, class loss", Published: PublishedSeen, Data: seen.Data, Beyond: classLoss}
	unseenC := PaperRow{Task: "association, unseen 8–9, class loss", Published: PublishedUnseen, Data: seen.Data, Beyond: classLoss}
	for _, side := range []struct {
		name string
		cell func(*PaperRow) *PaperCell
	}{{"gauss", func(r *PaperRow) *PaperCell { return &r.Software }}, {"chip", func(r *PaperRow) *PaperCell { return &r.Chip }}} {
		for _, rows := range []struct {
			loss         string
			seen, unseen *PaperRow
		}{{"", &seen, &unseen}, {"class", &seenC, &unseenC}} {
			s, u, err := p.associate(ctx, side.name, rows.loss, [4]string{vtr, atr, vte, ate}, [4]dataset.Dataset{train, atrDS, test, ateDS})
			if err != nil {
				return PaperReport{}, err
			}
			*side.cell(rows.seen), *side.cell(rows.unseen) = s, u
		}
	}
	rep.Rows = append(rep.Rows, seen, unseen, seenC, unseenC)
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// paperRun carries a run's configuration through its experiments.
type paperRun struct{ cfg PaperConfig }

// progress prefixes the stages of one experiment.
func (p paperRun) progress(prefix string) func(string, int, int) {
	if p.cfg.Progress == nil {
		return nil
	}
	return func(stage string, d, n int) { p.cfg.Progress(prefix+": "+stage, d, n) }
}

// both fills row's software cell on gauss and its chip cell on a fresh chip.
func (p paperRun) both(ctx context.Context, row *PaperRow, run func(context.Context, Backend) (PaperCell, error)) error {
	var err error
	if row.Software, err = run(ctx, Backend{Name: "gauss"}); err != nil {
		return fmt.Errorf("%s on gauss: %w", row.Task, err)
	}
	if p.cfg.Chip == nil {
		row.Chip.Skipped = p.cfg.ChipAbsent
		return nil
	}
	b, closeFn, err := p.cfg.Chip(ctx)
	if err != nil {
		return fmt.Errorf("%s: opening the chip: %w", row.Task, err)
	}
	defer closeFn()
	if row.Chip, err = run(ctx, b); err != nil {
		return fmt.Errorf("%s on %s: %w", row.Task, b.Name, err)
	}
	return nil
}

func (p paperRun) classify(ctx context.Context, b Backend, t Task, trs, tes string, tr, te dataset.Dataset) (PaperCell, error) {
	r, err := Classify(ctx, ClassifyConfig{Task: t, TrainSpec: trs, TestSpec: tes, Train: tr, Test: te, Backend: b,
		Seed: p.cfg.Seed, CacheDir: p.cfg.CacheDir, Epochs: p.cfg.Epochs, Progress: p.progress(t.Name + " on " + b.Name)})
	if err != nil {
		return PaperCell{}, err
	}
	return PaperCell{AccuracyPct: 100 * r.Accuracy, TestN: r.TestN, EnergyNJ: r.EnergyJPerSample * 1e9}, nil
}

// classifyVTLP is the audio task with the training data also heard through
// the VTLP-warped cochleas and the readout on log counts.
func (p paperRun) classifyVTLP(ctx context.Context, b Backend, trs, tes string, tr, te dataset.Dataset) (PaperCell, error) {
	specs, err := VTLPSpecs(trs, VTLP)
	if err != nil {
		return PaperCell{}, err
	}
	var aug []dataset.Dataset
	for _, s := range specs {
		d, err := p.cfg.OpenData(s)
		if err != nil {
			return PaperCell{}, err
		}
		aug = append(aug, d)
	}
	t := Tasks["audio"]
	r, err := Classify(ctx, ClassifyConfig{Task: t, TrainSpec: trs, TestSpec: tes, Train: tr, Test: te, Augment: aug, AugmentSpecs: specs, LogFeatures: true, Backend: b,
		Seed: p.cfg.Seed, CacheDir: p.cfg.CacheDir, Epochs: p.cfg.Epochs, Progress: p.progress("audio + VTLP on " + b.Name)})
	if err != nil {
		return PaperCell{}, err
	}
	return PaperCell{AccuracyPct: 100 * r.Accuracy, TestN: r.TestN, EnergyNJ: r.EnergyJPerSample * 1e9}, nil
}

// realNMNIST opens the real recordings (a spaced subset when NMNISTN asks)
// or says why not.
func (p paperRun) realNMNIST() (dataset.Dataset, string, string) {
	dir := p.cfg.NMNISTDir
	if dir == "" {
		return nil, "", "no real N-MNIST folder given"
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, "", fmt.Sprintf("real N-MNIST not found at %s", dir)
	}
	spec := "nmnist:" + dir
	ds, err := p.cfg.OpenData(spec)
	if err != nil {
		return nil, "", fmt.Sprintf("real N-MNIST at %s unreadable: %v", dir, err)
	}
	if n := p.cfg.NMNISTN; n > 0 && n < ds.Len() {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i * ds.Len() / n
		}
		return &dataset.Subset{D: ds, Idx: idx}, fmt.Sprintf("%s (%d of %d, evenly spaced)", spec, n, ds.Len()), ""
	}
	return ds, fmt.Sprintf("%s (%d recordings)", spec, ds.Len()), ""
}

func (p paperRun) crossValidate(ctx context.Context, b Backend, spec string, ds dataset.Dataset) (PaperCell, error) {
	t := Tasks["nmnist"]
	enc, err := t.Encoder(ctx, b, p.cfg.Seed, Placement{})
	if err != nil {
		return PaperCell{}, err
	}
	var prog func(int, int)
	if f := p.progress("nmnist real on " + b.Name); f != nil {
		prog = func(d, n int) { f("encode", d, n) }
	}
	feat, st, err := Encode(ctx, t, b, enc, ds, EncodeOptions{Spec: spec, CacheDir: p.cfg.CacheDir, Seed: p.cfg.Seed, Progress: prog})
	if err != nil {
		return PaperCell{}, err
	}
	cfg := t.Probe
	cfg.Seed = p.cfg.Seed
	cfg.Classes = ds.Classes()
	if p.cfg.Epochs > 0 {
		cfg.Epochs = p.cfg.Epochs
	}
	cv, err := lsm.CrossValidate(feat.Matrix(), Labels(ds), p.cfg.Folds, cfg)
	if err != nil {
		return PaperCell{}, err
	}
	return PaperCell{AccuracyPct: 100 * cv.Mean, StdPct: 100 * cv.Std, TestN: ds.Len(), EnergyNJ: st.EnergyJPerSample * 1e9}, nil
}

// fsddSpecs returns the FSDD train (four speakers) and test (the held-out
// speaker) specs, or why there are none.
func (p paperRun) fsddSpecs() (train, test, why string) {
	dir := p.cfg.FSDDDir
	if dir == "" {
		return "", "", "no FSDD folder given"
	}
	files, err := filepath.Glob(filepath.Join(dir, "*_*_*.wav"))
	if err != nil || len(files) == 0 {
		return "", "", fmt.Sprintf("FSDD not found at %s", dir)
	}
	var speakers []string
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".wav"), "_")
		if len(parts) == 3 && !slices.Contains(speakers, parts[1]) {
			speakers = append(speakers, parts[1])
		}
	}
	slices.Sort(speakers)
	if len(speakers) < 2 {
		return "", "", fmt.Sprintf("FSDD at %s has %d speaker(s): holding one out needs 2 or more", dir, len(speakers))
	}
	hold := p.cfg.HoldOut
	if hold == "" {
		hold = speakers[len(speakers)-1]
	}
	if !slices.Contains(speakers, hold) {
		return "", "", fmt.Sprintf("FSDD at %s has no speaker %q (it has %s)", dir, hold, strings.Join(speakers, ", "))
	}
	rest := slices.DeleteFunc(slices.Clone(speakers), func(s string) bool { return s == hold })
	q := ""
	if p.cfg.FSDDIndex != "" {
		q = "&index=" + p.cfg.FSDDIndex
	}
	return fmt.Sprintf("fsdd:%s?speakers=%s%s", dir, strings.Join(rest, ","), q), fmt.Sprintf("fsdd:%s?speakers=%s%s", dir, hold, q), ""
}

// associate runs association with the given loss ("" = the paper's) on
// gauss or on a fresh chip and returns the seen and unseen cells (audio
// searches image, top-1).
func (p paperRun) associate(ctx context.Context, side, loss string, specs [4]string, ds [4]dataset.Dataset) (seen, unseen PaperCell, err error) {
	b := Backend{Name: "gauss"}
	if side == "chip" {
		if p.cfg.Chip == nil {
			return PaperCell{Skipped: p.cfg.ChipAbsent}, PaperCell{Skipped: p.cfg.ChipAbsent}, nil
		}
		var closeFn func()
		if b, closeFn, err = p.cfg.Chip(ctx); err != nil {
			return seen, unseen, fmt.Errorf("association: opening the chip: %w", err)
		}
		defer closeFn()
		if n := b.Chip.Info().Macros; n < 2 {
			why := fmt.Sprintf("association needs 2 macros, one reservoir on each; the chip has %d", n)
			return PaperCell{Skipped: why}, PaperCell{Skipped: why}, nil
		}
	}
	r, err := Associate(ctx, AssociateConfig{
		VisionTrain: ds[0], AudioTrain: ds[1], VisionTest: ds[2], AudioTest: ds[3], Specs: specs,
		Backend: b, Seen: []int{1, 2, 3, 4, 5, 6, 7}, Unseen: []int{8, 9}, Seed: p.cfg.Seed, Loss: loss,
		CacheDir: p.cfg.CacheDir, Epochs: p.cfg.Epochs, Progress: p.progress("association on " + b.Name),
	})
	if err != nil {
		return seen, unseen, fmt.Errorf("association on %s: %w", b.Name, err)
	}
	nj := r.EnergyJPerPair * 1e9
	return PaperCell{AccuracyPct: 100 * r.SeenAccuracy, TestN: r.SeenTestPairs, EnergyNJ: nj},
		PaperCell{AccuracyPct: 100 * r.UnseenAccuracy, TestN: r.UnseenTestPairs, EnergyNJ: nj}, nil
}
