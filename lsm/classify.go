package lsm

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// TrainConfig configures a readout trained by Classify. Zero fields take the
// defaults named per field.
type TrainConfig struct {
	Hidden      []int      `json:"hidden,omitempty"`  // hidden widths; none = linear probe
	Activation  Activation `json:"activation"`        // hidden non-linearity; Identity (zero) means GELU when Hidden is set
	Optimizer   string     `json:"optimizer"`         // "adam" (default) or "adamw"
	LR          float64    `json:"lr"`                // learning rate; 0 = 1e-3
	WeightDecay float64    `json:"weight_decay"`      // AdamW decay; 0 = 0.01 for adamw, none for adam
	Batch       int        `json:"batch"`             // mini-batch size; 0 = 100
	Epochs      int        `json:"epochs"`            // 0 = 100
	ValFraction float64    `json:"val_fraction"`      // share of training data held out for model selection; 0 = 0.1, <0 = none (last epoch kept)
	Patience    int        `json:"patience"`          // stop after this many epochs without a better validation accuracy; 0 = never stop early
	Seed        uint64     `json:"seed"`              // initialisation, split and shuffling
	Raw         bool       `json:"raw,omitempty"`     // skip feature standardisation
	Log         bool       `json:"log,omitempty"`     // features x → ln(1 + x) first (spike counts are heavy-tailed; beyond the paper)
	Classes     int        `json:"classes,omitempty"` // number of classes; 0 = 1 + the largest label seen

	// ValMask, when not nil, replaces the stratified split: training sample
	// i validates iff ValMask[i] (say its speaker is held out, see
	// GroupMask), and ValFraction is ignored. It must leave samples on
	// both sides.
	ValMask []bool `json:"-"`
	// Refit, after the epoch has been chosen on the validation split,
	// trains again from the same initialisation on all training samples
	// (the validation part and its augmented copies included) for that
	// many epochs, and keeps that model (beyond the paper).
	Refit bool `json:"refit,omitempty"`
	// ValFolds, when not empty, chooses the epoch by cross-validation
	// inside the training data (beyond the paper): for each mask the
	// readout is trained on the unmasked samples (and their copies) and
	// validated on the masked ones for all Epochs, the epoch with the best
	// mean validation accuracy over the folds is kept, and the model is
	// refitted on all training data for that many epochs. Say one fold per
	// training speaker (GroupMask). ValMask, ValFraction, Refit and
	// Patience are then ignored.
	ValFolds [][]bool `json:"-"`

	// Norm normalises the features (after Log) before the readout's own
	// standardisation (beyond the paper): NormNone (""), NormGroup,
	// NormGroupMean or NormSample. The group norms need Groups and, with a
	// test set, TestGroups.
	Norm string `json:"norm,omitempty"`
	// Groups is the group (say, speaker) of each training sample for the
	// group norms; each augmented copy of the training data is
	// normalised on its own, so its samples form groups apart from the
	// originals' (a warped speaker is another voice).
	Groups []string `json:"-"`
	// TestGroups is the group of each test sample for the group norms.
	// A test group is normalised with statistics over its own test
	// samples: transductive (the test features are seen, never their
	// labels).
	TestGroups []string `json:"-"`

	// Progress, when set, is called after every epoch with the epoch's mean
	// training loss and validation accuracy (0 without a validation split).
	Progress func(epoch, epochs int, loss, valAcc float64) `json:"-"`
}

// Feature normalisations (TrainConfig.Norm; beyond the paper). Speech
// recognisers normalise each speaker's features with that speaker's own
// statistics (cepstral mean and variance normalisation), which removes
// much of what differs between voices and microphones.
const (
	NormNone = ""
	// NormGroup standardises every feature within each group: minus the
	// group's mean, divided by the group's standard deviation (0 where
	// the feature is constant in the group).
	NormGroup = "group"
	// NormGroupMean subtracts each group's mean of every feature.
	NormGroupMean = "group-mean"
	// NormSample standardises each sample across its own features (minus
	// their mean, divided by their standard deviation): no statistics
	// over other samples, so nothing transductive.
	NormSample = "sample"
)

// The authors' readouts (DESIGN §3).
var (
	// ProbeNMNIST: linear probe, Adam lr 1e-4, batch 100, 100 epochs.
	ProbeNMNIST = TrainConfig{Optimizer: "adam", LR: 1e-4, Batch: 100, Epochs: 100}
	// ProbeAudio: linear probe, AdamW lr 6e-4, batch 256, 600 epochs.
	ProbeAudio = TrainConfig{Optimizer: "adamw", LR: 6e-4, Batch: 256, Epochs: 600}
)

func (c TrainConfig) withDefaults() TrainConfig {
	if c.Optimizer == "" {
		c.Optimizer = "adam"
	}
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.WeightDecay == 0 && c.Optimizer == "adamw" {
		c.WeightDecay = 0.01
	}
	if c.Batch == 0 {
		c.Batch = 100
	}
	if c.Epochs == 0 {
		c.Epochs = 100
	}
	if c.ValFraction == 0 {
		c.ValFraction = 0.1
	}
	if c.Activation == Identity && len(c.Hidden) > 0 {
		c.Activation = GELU
	}
	return c
}

func (c TrainConfig) optimizer() (*Adam, error) {
	switch c.Optimizer {
	case "adam":
		a := NewAdam(c.LR)
		a.WeightDecay = c.WeightDecay
		return a, nil
	case "adamw":
		return NewAdamW(c.LR, c.WeightDecay), nil
	}
	return nil, fmt.Errorf("lsm: unknown optimizer %q (want adam or adamw)", c.Optimizer)
}

func (c TrainConfig) validate() error {
	switch {
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("lsm: learning rate %g must be positive", c.LR)
	case c.Batch < 1 || c.Epochs < 1:
		return fmt.Errorf("lsm: batch %d and epochs %d must be positive", c.Batch, c.Epochs)
	case c.ValFraction >= 1 || math.IsNaN(c.ValFraction):
		return fmt.Errorf("lsm: validation fraction %g must be below 1", c.ValFraction)
	case c.WeightDecay < 0:
		return fmt.Errorf("lsm: weight decay %g is negative", c.WeightDecay)
	case !slices.Contains([]string{NormNone, NormGroup, NormGroupMean, NormSample}, c.Norm):
		return fmt.Errorf("lsm: unknown normalisation %q (want %s, %s or %s)", c.Norm, NormGroup, NormGroupMean, NormSample)
	}
	for _, h := range c.Hidden {
		if h < 1 || h > maxDim {
			return fmt.Errorf("lsm: hidden width %d out of range", h)
		}
	}
	return nil
}

// Classifier is a trained readout: optionally ln(1 + x) of the features,
// a normalisation (TrainConfig.Norm), standardisation (fitted on training
// data), then the network.
type Classifier struct {
	Log     bool          // features x → ln(1 + x) first
	Norm    string        // then this normalisation (TrainConfig.Norm)
	Std     *Standardizer // nil when trained on raw features
	Net     *MLP
	Classes int
}

// Predict returns the arg-max class of each row of x. With a group norm
// all rows form one group (PredictGroups).
func (c *Classifier) Predict(x *mat.Dense) []int {
	return c.PredictGroups(x, nil)
}

// PredictGroups is Predict with the group of each row of x for a group
// norm (nil: all rows one group).
func (c *Classifier) PredictGroups(x *mat.Dense, groups []string) []int {
	data, n, d := c.prepare(x, groups)
	return c.predict(data, n, d)
}

// ProbaGroups returns the softmax class probabilities of each row of x
// (n × Classes; an empty matrix for no rows), with groups as in
// PredictGroups. Both panic if groups is neither nil nor one per row.
func (c *Classifier) ProbaGroups(x *mat.Dense, groups []string) *mat.Dense {
	data, n, d := c.prepare(x, groups)
	if n == 0 {
		return &mat.Dense{}
	}
	z := c.logits(data, n, d)
	for i := range n {
		softmaxRow(z[i*c.Classes : (i+1)*c.Classes])
	}
	return mat.NewDense(n, c.Classes, z)
}

// prepare takes the rows of x through Log and Norm, groups as in
// PredictGroups (it panics if they are neither nil nor one per row).
func (c *Classifier) prepare(x *mat.Dense, groups []string) (data []float64, n, d int) {
	data, n, d = dense(x)
	if groups != nil && len(groups) != n {
		panic(fmt.Sprintf("lsm: %d groups for %d rows", len(groups), n))
	}
	return prepareFeatures(data, n, d, c.Log, c.Norm, groups), n, d
}

// prepareFeatures takes x (n × d) through ln(1 + x) if log, then the
// normalisation norm (TrainConfig.Norm) with groups.
func prepareFeatures(x []float64, n, d int, log bool, norm string, groups []string) []float64 {
	if log {
		x = log1p(x)
	}
	return normalizeFeatures(x, n, d, norm, groups)
}

// predict classifies features that have been through Log and Norm.
func (c *Classifier) predict(x []float64, n, d int) []int {
	z := c.logits(x, n, d)
	out := make([]int, n)
	for i := range n {
		out[i] = argmax(z[i*c.Classes : (i+1)*c.Classes])
	}
	return out
}

// logits are the network's outputs (n × Classes) on features that have
// been through Log and Norm.
func (c *Classifier) logits(x []float64, n, d int) []float64 {
	if c.Std != nil {
		x = c.Std.Apply(x, n)
	}
	out := make([]float64, 0, n*c.Classes)
	const chunk = 1024
	for s := 0; s < n; s += chunk {
		m := min(chunk, n-s)
		out = append(out, c.Net.Forward(x[s*d:(s+m)*d], m)[:m*c.Classes]...)
	}
	return out
}

// softmaxRow turns logits into probabilities in place.
func softmaxRow(z []float64) {
	mx := z[argmax(z)]
	sum := 0.0
	for i, v := range z {
		z[i] = math.Exp(v - mx)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
}

// log1p returns ln(1 + x) of every value, in a new slice.
func log1p(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Log1p(v)
	}
	return out
}

func argmax(z []float64) int {
	best := 0
	for i, v := range z {
		if v > z[best] {
			best = i
		}
	}
	return best
}

// Result is a classification run: the test set is scored once, with the
// model selected on the validation split.
type Result struct {
	Accuracy    float64     `json:"accuracy"`  // test accuracy
	PerClass    []float64   `json:"per_class"` // test accuracy of each true class (NaN-free: 0 for a class absent from the test set)
	Confusion   [][]int     `json:"confusion"` // [true][predicted] test counts
	Classes     int         `json:"classes"`
	TrainN      int         `json:"train_n"` // samples trained on (after the validation split)
	ValN        int         `json:"val_n"`
	TestN       int         `json:"test_n"`
	BestEpoch   int         `json:"best_epoch"`   // 1-based epoch kept
	EpochsRun   int         `json:"epochs_run"`   // epochs trained (fewer with early stopping)
	ValAccuracy float64     `json:"val_accuracy"` // at BestEpoch (NaN-free: 0 without a validation split)
	TrainLoss   float64     `json:"train_loss"`   // mean loss of the last epoch
	Model       *Classifier `json:"-"`
}

func dense(x *mat.Dense) ([]float64, int, int) {
	if x == nil || x.IsEmpty() {
		return nil, 0, 0
	}
	n, d := x.Dims()
	raw := x.RawMatrix()
	if raw.Stride == d {
		return raw.Data[:n*d], n, d
	}
	out := make([]float64, 0, n*d)
	for i := range n {
		out = append(out, raw.Data[i*raw.Stride:i*raw.Stride+d]...)
	}
	return out, n, d
}

// Classify trains a readout on (train, trainY), selecting the epoch by
// accuracy on a stratified validation split carved from the training data,
// and scores the test set once. Rows of train and test are samples.
func Classify(train *mat.Dense, trainY []int, test *mat.Dense, testY []int, cfg TrainConfig) (Result, error) {
	return ClassifyAugmented(train, trainY, nil, test, testY, cfg)
}

// ClassifyAugmented is Classify with augmented copies of the training
// samples (training-time data augmentation): every matrix of augment has
// one row per row of train, row i a transformed copy of sample i with its
// label. The validation split is carved from the original samples, and only
// the copies of the samples left for training are trained on, so no copy of
// a validation sample leaks into training; the validation set has no
// copies. Result.TrainN counts the copies.
func ClassifyAugmented(train *mat.Dense, trainY []int, augment []*mat.Dense, test *mat.Dense, testY []int, cfg TrainConfig) (Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	xtr, ntr, d := dense(train)
	xte, nte, dte := dense(test)
	switch {
	case ntr == 0:
		return Result{}, fmt.Errorf("lsm: classify: empty training set")
	case len(trainY) != ntr || len(testY) != nte:
		return Result{}, fmt.Errorf("lsm: classify: %d/%d training and %d/%d test labels per samples", len(trainY), ntr, len(testY), nte)
	case nte > 0 && dte != d:
		return Result{}, fmt.Errorf("lsm: classify: test features have %d columns, training %d", dte, d)
	}
	k := cfg.Classes
	for _, y := range slices.Concat(trainY, testY) {
		if y < 0 || (cfg.Classes > 0 && y >= cfg.Classes) {
			return Result{}, fmt.Errorf("lsm: classify: label %d out of range", y)
		}
		if cfg.Classes == 0 {
			k = max(k, y+1)
		}
	}
	for k, a := range augment {
		if _, na, da := dense(a); na != ntr || da != d {
			return Result{}, fmt.Errorf("lsm: classify: augmented copy %d is %d×%d, training set %d×%d", k+1, na, da, ntr, d)
		}
	}
	if cfg.Norm != NormNone {
		if err := checkGroups(cfg, ntr, nte); err != nil {
			return Result{}, err
		}
	}
	// Log and Norm once, here; the classifier returned applies both.
	logf, norm := cfg.Log, cfg.Norm
	cfg.Log, cfg.Norm = false, NormNone
	if logf || norm != NormNone {
		prep := func(x []float64, n int, g []string) []float64 {
			return prepareFeatures(x, n, d, logf, norm, g)
		}
		xtr, xte = prep(xtr, ntr, cfg.Groups), prep(xte, nte, cfg.TestGroups)
		var aug []*mat.Dense
		for _, a := range augment {
			xa, na, _ := dense(a)
			aug = append(aug, mat.NewDense(na, d, prep(xa, na, cfg.Groups)))
		}
		augment = aug
	}
	res, err := classifyPrepared(xtr, trainY, augment, xte, testY, d, k, cfg)
	if err != nil {
		return Result{}, err
	}
	res.Model.Log, res.Model.Norm = logf, norm
	return res, nil
}

// checkGroups checks the groups a group norm needs.
func checkGroups(cfg TrainConfig, ntr, nte int) error {
	if cfg.Norm != NormGroup && cfg.Norm != NormGroupMean {
		return nil
	}
	if len(cfg.Groups) != ntr || len(cfg.TestGroups) != nte {
		return fmt.Errorf("lsm: classify: normalisation %q needs a group per sample: %d for %d training, %d for %d test samples", cfg.Norm, len(cfg.Groups), ntr, len(cfg.TestGroups), nte)
	}
	// A group of one sample would be normalised to all zeros.
	for _, set := range []struct {
		name   string
		groups []string
	}{{"training", cfg.Groups}, {"test", cfg.TestGroups}} {
		size := map[string]int{}
		for _, g := range set.groups {
			size[g]++
		}
		for _, g := range set.groups {
			if size[g] < 2 {
				return fmt.Errorf("lsm: classify: normalisation %q: %s group %q has %d sample, at least 2 needed", cfg.Norm, set.name, g, size[g])
			}
		}
	}
	return nil
}

// classifyPrepared is ClassifyAugmented on features that have been through
// Log and Norm.
func classifyPrepared(xtr []float64, trainY []int, augment []*mat.Dense, xte []float64, testY []int, d, k int, cfg TrainConfig) (Result, error) {
	ntr, nte := len(trainY), len(testY)
	if len(cfg.ValFolds) > 0 {
		return classifyFolds(xtr, trainY, augment, xte, testY, d, k, cfg)
	}
	trIdx, valIdx := StratifiedSplit(trainY, cfg.ValFraction, cfg.Seed)
	if cfg.ValMask != nil {
		if len(cfg.ValMask) != ntr {
			return Result{}, fmt.Errorf("lsm: classify: validation mask of %d for %d training samples", len(cfg.ValMask), ntr)
		}
		trIdx, valIdx = MaskSplit(cfg.ValMask)
		if len(trIdx) == 0 || len(valIdx) == 0 {
			return Result{}, fmt.Errorf("lsm: classify: validation mask leaves %d training and %d validation samples", len(trIdx), len(valIdx))
		}
	}
	xt, yt := gather(xtr, d, trainY, trIdx)
	xv, yv := gather(xtr, d, trainY, valIdx)
	for k, a := range augment {
		xa, na, da := dense(a)
		if na != ntr || da != d {
			return Result{}, fmt.Errorf("lsm: classify: augmented copy %d is %d×%d, training set %d×%d", k+1, na, da, ntr, d)
		}
		xk, yk := gather(xa, d, trainY, trIdx)
		xt, yt = append(xt, xk...), append(yt, yk...)
	}
	clf, res, err := train1(xt, yt, xv, yv, d, k, cfg)
	if err != nil {
		return Result{}, err
	}
	res.TrainN, res.ValN, res.TestN = len(yt), len(yv), nte
	if cfg.Refit && len(yv) > 0 {
		var n int
		if clf, res.TrainLoss, n, err = refit(xtr, trainY, augment, d, k, res.BestEpoch, cfg); err != nil {
			return Result{}, err
		}
		res.TrainN = n
	}
	pred := clf.predict(xte, nte, d)
	res.Accuracy, res.PerClass, res.Confusion = Score(testY, pred, k)
	res.Classes = k
	res.Model = clf
	return res, nil
}

// refit trains on all samples and all copies, in the order of the
// samples, for epochs epochs without validation.
func refit(xtr []float64, y []int, augment []*mat.Dense, d, k, epochs int, cfg TrainConfig) (*Classifier, float64, int, error) {
	all := make([]int, len(y))
	for i := range all {
		all[i] = i
	}
	xa, ya := gather(xtr, d, y, all)
	for _, a := range augment {
		xk, _, _ := dense(a)
		xc, yc := gather(xk, d, y, all)
		xa, ya = append(xa, xc...), append(ya, yc...)
	}
	cfg.Epochs, cfg.Progress = epochs, nil
	clf, r, err := train1(xa, ya, nil, nil, d, k, cfg)
	return clf, r.TrainLoss, len(ya), err
}

// classifyFolds is ClassifyAugmented with the epoch chosen by
// cross-validation over cfg.ValFolds, then refitted on all.
func classifyFolds(xtr []float64, y []int, augment []*mat.Dense, xte []float64, testY []int, d, k int, cfg TrainConfig) (Result, error) {
	mean := make([]float64, cfg.Epochs)
	valN := 0
	for f, m := range cfg.ValFolds {
		if len(m) != len(y) {
			return Result{}, fmt.Errorf("lsm: classify: validation fold %d has %d entries for %d training samples", f+1, len(m), len(y))
		}
		trIdx, valIdx := MaskSplit(m)
		if len(trIdx) == 0 || len(valIdx) == 0 {
			return Result{}, fmt.Errorf("lsm: classify: validation fold %d leaves %d training and %d validation samples", f+1, len(trIdx), len(valIdx))
		}
		xt, yt := gather(xtr, d, y, trIdx)
		xv, yv := gather(xtr, d, y, valIdx)
		for _, a := range augment {
			xa, _, _ := dense(a)
			xk, yk := gather(xa, d, y, trIdx)
			xt, yt = append(xt, xk...), append(yt, yk...)
		}
		fc := cfg
		fc.Patience = 0
		prog := cfg.Progress
		fc.Progress = func(ep, n int, loss, acc float64) {
			mean[ep-1] += acc / float64(len(cfg.ValFolds))
			if prog != nil {
				prog(f*n+ep, (len(cfg.ValFolds)+1)*n, loss, acc)
			}
		}
		if _, _, err := train1(xt, yt, xv, yv, d, k, fc); err != nil {
			return Result{}, err
		}
		valN += len(yv)
	}
	var res Result
	for ep, a := range mean {
		if a > res.ValAccuracy || ep == 0 {
			res.ValAccuracy, res.BestEpoch = a, ep+1
		}
	}
	clf, loss, n, err := refit(xtr, y, augment, d, k, res.BestEpoch, cfg)
	if err != nil {
		return Result{}, err
	}
	res.TrainLoss, res.TrainN, res.ValN, res.TestN, res.EpochsRun = loss, n, valN, len(testY), cfg.Epochs
	res.Accuracy, res.PerClass, res.Confusion = Score(testY, clf.predict(xte, len(testY), d), k)
	res.Classes, res.Model = k, clf
	return res, nil
}

func gather(x []float64, d int, y []int, idx []int) ([]float64, []int) {
	xo := make([]float64, 0, len(idx)*d)
	yo := make([]int, 0, len(idx))
	for _, i := range idx {
		xo = append(xo, x[i*d:(i+1)*d]...)
		yo = append(yo, y[i])
	}
	return xo, yo
}

// train1 trains one readout on features that have been through Log and
// Norm.
func train1(xt []float64, yt []int, xv []float64, yv []int, d, k int, cfg TrainConfig) (*Classifier, Result, error) {
	var res Result
	opt, err := cfg.optimizer()
	if err != nil {
		return nil, res, err
	}
	n := len(yt)
	clf := &Classifier{Classes: k} // the features have been through Log and Norm (ClassifyAugmented)
	if !cfg.Raw {
		clf.Std = FitStandardizer(xt, n, d)
		xt = clf.Std.Apply(xt, n)
	}
	sizes := slices.Concat([]int{d}, cfg.Hidden, []int{k})
	clf.Net = NewMLP(sizes, cfg.Activation, false, rng.New(cfg.Seed, "lsm/classify/init"))
	params := clf.Net.Params()
	shuf := rng.New(cfg.Seed, "lsm/classify/shuffle")
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	bs := min(cfg.Batch, n)
	xb := make([]float64, bs*d)
	yb := make([]int, bs)
	dl := make([]float64, bs*k)
	best := make([][]float64, len(params))
	bestAcc, since := -1.0, 0
	for ep := 1; ep <= cfg.Epochs; ep++ {
		shuf.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		total := 0.0
		for s := 0; s < n; s += bs {
			m := min(bs, n-s)
			for i, o := range order[s : s+m] {
				copy(xb[i*d:(i+1)*d], xt[o*d:(o+1)*d])
				yb[i] = yt[o]
			}
			ZeroGrad(params)
			out := clf.Net.Forward(xb[:m*d], m)
			total += SoftmaxCE(out, m, k, yb[:m], dl[:m*k]) * float64(m)
			clf.Net.Backward(dl[:m*k], m, nil)
			opt.Step(params)
		}
		res.TrainLoss = total / float64(n)
		res.EpochsRun = ep
		if len(yv) == 0 {
			res.BestEpoch = ep
			if cfg.Progress != nil {
				cfg.Progress(ep, cfg.Epochs, res.TrainLoss, 0)
			}
			continue
		}
		acc, _, _ := Score(yv, clf.predict(xv, len(yv), d), k)
		if cfg.Progress != nil {
			cfg.Progress(ep, cfg.Epochs, res.TrainLoss, acc)
		}
		if acc > bestAcc {
			bestAcc, since, res.BestEpoch, res.ValAccuracy = acc, 0, ep, acc
			for i, p := range params {
				best[i] = append(best[i][:0], p.W...)
			}
		} else if since++; cfg.Patience > 0 && since >= cfg.Patience {
			break
		}
	}
	if len(yv) > 0 {
		for i, p := range params {
			copy(p.W, best[i])
		}
	}
	return clf, res, nil
}

// StratifiedSplit splits sample indices into training and validation parts,
// taking round(frac·n_c) samples of each class c for validation (at least
// one when frac > 0 and the class has two or more samples), chosen by a
// permutation seeded from seed. frac ≤ 0 gives no validation part. Both
// parts are in increasing index order.
func StratifiedSplit(labels []int, frac float64, seed uint64) (train, val []int) {
	if frac <= 0 {
		train = make([]int, len(labels))
		for i := range train {
			train[i] = i
		}
		return train, nil
	}
	byClass := map[int][]int{}
	var classes []int
	for i, y := range labels {
		if _, ok := byClass[y]; !ok {
			classes = append(classes, y)
		}
		byClass[y] = append(byClass[y], i)
	}
	slices.Sort(classes)
	r := rng.New(seed, "lsm/split")
	isVal := make([]bool, len(labels))
	for _, c := range classes {
		idx := byClass[c]
		nv := int(math.Round(frac * float64(len(idx))))
		if nv == 0 && len(idx) >= 2 {
			nv = 1
		}
		nv = min(nv, len(idx)-1)
		perm := r.Perm(len(idx))
		for _, p := range perm[:max(nv, 0)] {
			isVal[idx[p]] = true
		}
	}
	return MaskSplit(isVal)
}

// MaskSplit returns the indices where val is false (training) and true
// (validation), each in increasing order.
func MaskSplit(val []bool) (train, valIdx []int) {
	for i, v := range val {
		if v {
			valIdx = append(valIdx, i)
		} else {
			train = append(train, i)
		}
	}
	return train, valIdx
}

// GroupMask marks the samples whose group (say, speaker) is one of held:
// a group-wise validation split (TrainConfig.ValMask), so that validation
// measures generalisation to unseen groups.
func GroupMask(groups []string, held []string) []bool {
	m := make([]bool, len(groups))
	for i, g := range groups {
		m[i] = slices.Contains(held, g)
	}
	return m
}

// Score compares predictions with the truth over k classes: accuracy, the
// accuracy of each true class (0 where a class has no samples), and the
// confusion matrix [true][predicted].
func Score(truth, pred []int, k int) (acc float64, perClass []float64, confusion [][]int) {
	confusion = make([][]int, k)
	for i := range confusion {
		confusion[i] = make([]int, k)
	}
	correct := 0
	for i, y := range truth {
		if p := pred[i]; p >= 0 && p < k && y >= 0 && y < k {
			confusion[y][p]++
		}
		if pred[i] == y {
			correct++
		}
	}
	perClass = make([]float64, k)
	for c, row := range confusion {
		tot := 0
		for _, v := range row {
			tot += v
		}
		if tot > 0 {
			perClass[c] = float64(row[c]) / float64(tot)
		}
	}
	if len(truth) > 0 {
		acc = float64(correct) / float64(len(truth))
	}
	return acc, perClass, confusion
}

// CVResult is a k-fold cross-validation: one Result per fold (each fold's
// test part is touched once) and the mean and sample standard deviation of
// their accuracies.
type CVResult struct {
	Folds []Result `json:"folds"`
	Mean  float64  `json:"mean"`
	Std   float64  `json:"std"`
}

// CrossValidate runs Classify over k stratified folds of (x, y): fold f
// tests on the samples whose within-class rank (in a seeded permutation) is
// f mod k and trains on the rest (with its own validation split).
func CrossValidate(x *mat.Dense, y []int, k int, cfg TrainConfig) (CVResult, error) {
	data, n, d := dense(x)
	if k < 2 || k > n {
		return CVResult{}, fmt.Errorf("lsm: cross-validation: %d folds for %d samples", k, n)
	}
	if len(y) != n {
		return CVResult{}, fmt.Errorf("lsm: cross-validation: %d labels for %d samples", len(y), n)
	}
	fold := make([]int, n)
	byClass := map[int][]int{}
	var classes []int
	for i, c := range y {
		if _, ok := byClass[c]; !ok {
			classes = append(classes, c)
		}
		byClass[c] = append(byClass[c], i)
	}
	slices.Sort(classes)
	r := rng.New(cfg.Seed, "lsm/cv")
	for _, c := range classes {
		idx := byClass[c]
		for rank, p := range r.Perm(len(idx)) {
			fold[idx[p]] = rank % k
		}
	}
	if cfg.Classes == 0 {
		cfg.Classes = slices.Max(y) + 1
	}
	var out CVResult
	for f := range k {
		var tr, te []int
		for i, fi := range fold {
			if fi == f {
				te = append(te, i)
			} else {
				tr = append(tr, i)
			}
		}
		xtr, ytr := gather(data, d, y, tr)
		xte, yte := gather(data, d, y, te)
		res, err := Classify(mat.NewDense(len(tr), d, xtr), ytr, mat.NewDense(len(te), d, xte), yte, cfg)
		if err != nil {
			return CVResult{}, fmt.Errorf("lsm: cross-validation fold %d: %w", f, err)
		}
		res.Model = nil
		out.Folds = append(out.Folds, res)
		out.Mean += res.Accuracy / float64(k)
	}
	for _, r := range out.Folds {
		out.Std += (r.Accuracy - out.Mean) * (r.Accuracy - out.Mean)
	}
	out.Std = math.Sqrt(out.Std / float64(k-1))
	return out, nil
}

// normalizeFeatures returns x (n × d) normalised by norm (TrainConfig.Norm), in a
// new slice unless norm is NormNone; groups (nil: all samples one group)
// name each sample's group for the group norms.
func normalizeFeatures(x []float64, n, d int, norm string, groups []string) []float64 {
	switch norm {
	case NormNone:
		return x
	case NormSample:
		out := make([]float64, n*d)
		for i := range n {
			row := x[i*d : (i+1)*d]
			mean, sd := meanStd(row)
			for j, v := range row {
				out[i*d+j] = scaled(v-mean, sd)
			}
		}
		return out
	}
	var order []string
	members := map[string][]int{}
	for i := range n {
		g := ""
		if groups != nil {
			g = groups[i]
		}
		if _, ok := members[g]; !ok {
			order = append(order, g)
		}
		members[g] = append(members[g], i)
	}
	out := make([]float64, n*d)
	col := []float64{}
	for _, g := range order {
		idx := members[g]
		for j := range d {
			col = col[:0]
			for _, i := range idx {
				col = append(col, x[i*d+j])
			}
			mean, sd := meanStd(col)
			if norm == NormGroupMean {
				sd = 1
			}
			for _, i := range idx {
				out[i*d+j] = scaled(x[i*d+j]-mean, sd)
			}
		}
	}
	return out
}

// meanStd returns the mean and the (population) standard deviation of v.
func meanStd(v []float64) (mean, sd float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(max(len(v), 1))
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(max(len(v), 1)))
}

// scaled is dv / sd, 0 where sd vanishes (a constant feature).
func scaled(dv, sd float64) float64 {
	if sd > 1e-12 {
		return dv / sd
	}
	return 0
}
