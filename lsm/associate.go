package lsm

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// Modal is one modality's features (rows = samples) and class labels.
type Modal struct {
	X      *mat.Dense
	Labels []int
}

// Pair is an (audio, vision) pair of sample indices.
type Pair struct{ A, V int }

// PairByClass pairs audio and vision samples by index within each class of
// classes (in that order): pair k of class c joins the k-th audio and the
// k-th vision sample of c, for k below the smaller count and below
// perClass when perClass > 0.
func PairByClass(audioLabels, visionLabels []int, classes []int, perClass int) []Pair {
	var out []Pair
	for _, c := range classes {
		var as, vs []int
		for i, y := range audioLabels {
			if y == c {
				as = append(as, i)
			}
		}
		for i, y := range visionLabels {
			if y == c {
				vs = append(vs, i)
			}
		}
		n := min(len(as), len(vs))
		if perClass > 0 {
			n = min(n, perClass)
		}
		for k := range n {
			out = append(out, Pair{as[k], vs[k]})
		}
	}
	return out
}

// AssocConfig configures Associate. Zero fields take the defaults named per
// field (the authors' settings, DESIGN §3).
type AssocConfig struct {
	ProjDim          int        `json:"proj_dim"`          // 0 = 64
	Activation       Activation `json:"activation"`        // after the projection; Identity (zero) means GELU
	Temperature      float64    `json:"temperature"`       // initial τ; 0 = 1.0
	LearnTemperature bool       `json:"learn_temperature"` // train log(1/τ) as CLIP does
	Loss             string     `json:"loss"`              // "infonce" (default: CLIPLoss, identity targets), "soft" (CLIPSoftLoss) or "class" (CLIPClassLoss, same-class pairs are positives; beyond the paper)
	LR               float64    `json:"lr"`                // Adam; 0 = 1e-3
	Batch            int        `json:"batch"`             // pairs per step; 0 = 8
	Epochs           int        `json:"epochs"`            // 0 = 100
	ValFraction      float64    `json:"val_fraction"`      // training pairs held out for model selection; 0 = 0.1, <0 = none
	Seed             uint64     `json:"seed"`
	Seen             []int      `json:"seen"`            // training and seen-test classes; nil = 1..7
	Unseen           []int      `json:"unseen"`          // zero-shot classes; nil = 8, 9
	TrainPerClass    int        `json:"train_per_class"` // pairs per class for training; 0 = all
	TestPerClass     int        `json:"test_per_class"`  // test pairs per class; 0 = 100, <0 = all
	ProtoDim         int        `json:"proto_dim"`       // prototype baseline projection; 0 = 64
	ProtoEpochs      int        `json:"proto_epochs"`    // full-batch epochs; 0 = 100
	ProtoLR          float64    `json:"proto_lr"`        // 0 = 1e-3
	Raw              bool       `json:"raw,omitempty"`   // skip feature standardisation
	// Ensemble is the number of contrastive head pairs trained from
	// independent initialisations and batch orders (beyond the paper); each
	// keeps its own best epoch, and retrieval ranks by the sum of their
	// similarity matrices (each head's logits s·a·v). 0 or 1 = one head,
	// bit for bit the single-head result.
	Ensemble int `json:"ensemble,omitempty"`
	// Normalize L2-normalises the embeddings before the dot product, in the
	// loss and in retrieval (cosine similarity, as CLIP does; beyond the
	// paper). Pair it with a lower Temperature or LearnTemperature: the
	// logits then lie in ±1/τ.
	Normalize bool `json:"normalize,omitempty"`
	// UnseenFromTrain adds the unseen classes' pairs in the training data
	// (never trained on: training pairs come from Seen only) to the unseen
	// test pairs, after the test data's, each source capped at TestPerClass
	// pairs per class: more zero-shot queries and keys, a less noisy
	// estimate. Beyond the paper; off by default.
	UnseenFromTrain bool `json:"unseen_from_train,omitempty"`
	// SeenHoldOut, when in (0, 1), holds this fraction of the seen training
	// pairs out of training and validation (stratified by class; the split is
	// StratifiedSplit seeded by Seed+1000, so it is not the validation
	// split) and scores them as the seen set in place of the test data's
	// seen pairs: seen-class validation of a configuration that never
	// touches test data. 0 = off.
	SeenHoldOut float64 `json:"seen_holdout,omitempty"`

	skipProto bool // AssocZeroShotCV: no prototype baseline

	// Progress, when set, is called after every epoch of each model
	// ("clip", then "proto") with the validation audio→image accuracy.
	Progress func(model string, epoch, epochs int, valA2I float64) `json:"-"`
}

func (c AssocConfig) withDefaults() AssocConfig {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	deff := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	def(&c.ProjDim, 64)
	def(&c.Batch, 8)
	def(&c.Epochs, 100)
	def(&c.TestPerClass, 100)
	def(&c.ProtoDim, 64)
	def(&c.ProtoEpochs, 100)
	def(&c.Ensemble, 1)
	deff(&c.Temperature, 1)
	deff(&c.LR, 1e-3)
	deff(&c.ProtoLR, 1e-3)
	deff(&c.ValFraction, 0.1)
	if c.Activation == Identity {
		c.Activation = GELU
	}
	if c.Loss == "" {
		c.Loss = "infonce"
	}
	if c.Seen == nil {
		c.Seen = []int{1, 2, 3, 4, 5, 6, 7}
	}
	if c.Unseen == nil {
		c.Unseen = []int{8, 9}
	}
	return c
}

// Retrieval is top-1 cross-modal retrieval accuracy: a query is right when
// the best-scoring sample of the other modality (within the same split) has
// the query's class.
type Retrieval struct {
	SeenA2I   float64 `json:"seen_a2i"`   // audio searches image, seen classes
	UnseenA2I float64 `json:"unseen_a2i"` // audio searches image, unseen classes
	SeenI2A   float64 `json:"seen_i2a"`   // image searches audio, seen classes
	UnseenI2A float64 `json:"unseen_i2a"`
}

// AssocResult is an association run: the contrastive heads and the
// prototypical-network baseline on the same features and splits.
type AssocResult struct {
	CLIP            Retrieval `json:"clip"`  // dot-product retrieval of the projections
	Proto           Retrieval `json:"proto"` // Euclidean nearest neighbour of L2-normalised prototype embeddings
	TrainPairs      int       `json:"train_pairs"`
	ValPairs        int       `json:"val_pairs"`
	SeenTestPairs   int       `json:"seen_test_pairs"`
	UnseenTestPairs int       `json:"unseen_test_pairs"`
	BestEpoch       int       `json:"best_epoch"`  // CLIP epoch kept (by validation audio→image accuracy; the first head's with an ensemble)
	ValA2I          float64   `json:"val_a2i"`     // at BestEpoch (with an ensemble: of the ensemble, each head at its kept epoch)
	Temperature     float64   `json:"temperature"` // final τ (the first head's)
	ProtoBestEpoch  int       `json:"proto_best_epoch"`
	// BestEpochs are the kept epochs of every head of an ensemble.
	BestEpochs []int `json:"best_epochs,omitempty"`
}

type pairSet struct {
	a, v   []float64
	labels []int
}

func collect(a, v Modal, ps []Pair) pairSet {
	ax, _, da := dense(a.X)
	vx, _, dv := dense(v.X)
	s := pairSet{}
	for _, p := range ps {
		s.a = append(s.a, ax[p.A*da:(p.A+1)*da]...)
		s.v = append(s.v, vx[p.V*dv:(p.V+1)*dv]...)
		s.labels = append(s.labels, a.Labels[p.A])
	}
	return s
}

func (s pairSet) subset(idx []int, da, dv int) pairSet {
	var o pairSet
	for _, i := range idx {
		o.a = append(o.a, s.a[i*da:(i+1)*da]...)
		o.v = append(o.v, s.v[i*dv:(i+1)*dv]...)
		o.labels = append(o.labels, s.labels[i])
	}
	return o
}

func checkModal(name string, m Modal) (int, error) {
	_, n, d := dense(m.X)
	if n != len(m.Labels) {
		return 0, fmt.Errorf("lsm: associate: %s has %d samples and %d labels", name, n, len(m.Labels))
	}
	return d, nil
}

// Associate trains one projection per modality with the symmetric
// contrastive loss on audio–vision pairs of the Seen classes (paired by
// index within class), selects the epoch on validation pairs carved from the
// training pairs, and tests retrieval once on the test pairs of the Seen and
// Unseen classes. The prototypical-network baseline is trained and scored on
// the same pairs.
func Associate(audioTrain, visionTrain, audioTest, visionTest Modal, cfg AssocConfig) (AssocResult, error) {
	cfg = cfg.withDefaults()
	var res AssocResult
	switch {
	case !(cfg.LR > 0) || !(cfg.ProtoLR > 0) || !(cfg.Temperature > 0):
		return res, fmt.Errorf("lsm: associate: learning rates and temperature must be positive")
	case cfg.ProjDim < 1 || cfg.ProtoDim < 1 || cfg.Batch < 1 || cfg.Epochs < 1 || cfg.ProtoEpochs < 1 || cfg.Ensemble < 1:
		return res, fmt.Errorf("lsm: associate: sizes and epochs must be positive")
	case cfg.ValFraction >= 1:
		return res, fmt.Errorf("lsm: associate: validation fraction %g must be below 1", cfg.ValFraction)
	case !(cfg.SeenHoldOut >= 0 && cfg.SeenHoldOut < 1):
		return res, fmt.Errorf("lsm: associate: seen hold-out fraction %g outside [0, 1)", cfg.SeenHoldOut)
	case cfg.Loss != "infonce" && cfg.Loss != "soft" && cfg.Loss != "class":
		return res, fmt.Errorf("lsm: associate: unknown loss %q (want infonce, soft or class)", cfg.Loss)
	case cfg.UnseenFromTrain && slices.ContainsFunc(cfg.Unseen, func(c int) bool { return slices.Contains(cfg.Seen, c) }):
		return res, fmt.Errorf("lsm: associate: unseen classes %v from the training data overlap the seen %v", cfg.Unseen, cfg.Seen)
	}
	da, err := checkModal("audio train", audioTrain)
	if err != nil {
		return res, err
	}
	dv, err := checkModal("vision train", visionTrain)
	if err != nil {
		return res, err
	}
	if d, err := checkModal("audio test", audioTest); err != nil || d != da {
		return res, fmtErr(err, "audio test has %d features, train %d", d, da)
	}
	if d, err := checkModal("vision test", visionTest); err != nil || d != dv {
		return res, fmtErr(err, "vision test has %d features, train %d", d, dv)
	}
	all := collect(audioTrain, visionTrain, PairByClass(audioTrain.Labels, visionTrain.Labels, cfg.Seen, cfg.TrainPerClass))
	var held pairSet
	if cfg.SeenHoldOut > 0 {
		keep, ho := StratifiedSplit(all.labels, cfg.SeenHoldOut, cfg.Seed+1000)
		held, all = all.subset(ho, da, dv), all.subset(keep, da, dv)
	}
	tr, va := StratifiedSplit(all.labels, cfg.ValFraction, cfg.Seed)
	train, val := all.subset(tr, da, dv), all.subset(va, da, dv)
	if len(train.labels) < 2 {
		return res, fmt.Errorf("lsm: associate: %d training pairs in classes %v", len(train.labels), cfg.Seen)
	}
	tpc := cfg.TestPerClass
	if tpc < 0 {
		tpc = 0
	}
	seen := collect(audioTest, visionTest, PairByClass(audioTest.Labels, visionTest.Labels, cfg.Seen, tpc))
	if cfg.SeenHoldOut > 0 {
		seen = held
	}
	unseen := collect(audioTest, visionTest, PairByClass(audioTest.Labels, visionTest.Labels, cfg.Unseen, tpc))
	if cfg.UnseenFromTrain {
		more := collect(audioTrain, visionTrain, PairByClass(audioTrain.Labels, visionTrain.Labels, cfg.Unseen, tpc))
		unseen.a, unseen.v = append(unseen.a, more.a...), append(unseen.v, more.v...)
		unseen.labels = append(unseen.labels, more.labels...)
	}
	res.TrainPairs, res.ValPairs = len(train.labels), len(val.labels)
	res.SeenTestPairs, res.UnseenTestPairs = len(seen.labels), len(unseen.labels)

	if !cfg.Raw {
		n := len(train.labels)
		sa, sv := FitStandardizer(train.a, n, da), FitStandardizer(train.v, n, dv)
		for _, s := range []*pairSet{&train, &val, &seen, &unseen} {
			s.a = sa.Apply(s.a, len(s.labels))
			s.v = sv.Apply(s.v, len(s.labels))
		}
	}

	ens := make(ensemble, cfg.Ensemble)
	for k := range ens {
		ens[k] = newCLIPHeads(da, dv, cfg, k)
		ep, acc := ens[k].train(train, val, cfg)
		if k == 0 {
			res.BestEpoch, res.ValA2I = ep, acc
		}
		if cfg.Ensemble > 1 {
			res.BestEpochs = append(res.BestEpochs, ep)
		}
	}
	if cfg.Ensemble > 1 && len(val.labels) > 0 {
		res.ValA2I, _ = ens.retrieval(val)
	}
	res.Temperature = math.Exp(-ens[0].logScale[0])
	res.CLIP = score(ens.retrieval, seen, unseen)

	if cfg.skipProto {
		return res, nil
	}
	p := newProtoHeads(da, dv, cfg)
	res.ProtoBestEpoch, _ = p.train(train, val, cfg)
	res.Proto = score(p.retrieval, seen, unseen)
	return res, nil
}

// ZeroShotFold is one fold of AssocZeroShotCV.
type ZeroShotFold struct {
	HeldOut []int   `json:"held_out"` // the two seen classes held out as pseudo-unseen
	Pairs   int     `json:"pairs"`    // their pairs, all of them retrieval queries
	A2I     float64 `json:"a2i"`      // audio searches image among the held-out pairs
	I2A     float64 `json:"i2a"`
	ValA2I  float64 `json:"val_a2i"` // validation retrieval on the remaining classes (model selection)
}

// ZeroShotCV is leave-two-classes-out validation inside the seen classes.
type ZeroShotCV struct {
	Folds   []ZeroShotFold `json:"folds"`
	MeanA2I float64        `json:"mean_a2i"` // mean over folds of the held-out audio→image retrieval
	SDA2I   float64        `json:"sd_a2i"`   // its standard deviation over folds
	MeanI2A float64        `json:"mean_i2a"`
	MeanVal float64        `json:"mean_val_a2i"` // mean over folds of ValA2I
}

// ZeroShotFolds is the number of distinct folds AssocZeroShotCV has for n
// seen classes: the held-out pairs (2i mod n, 2i+1 mod n) repeat after n
// folds, or n/2 for even n.
func ZeroShotFolds(n int) int {
	if n%2 == 0 {
		return n / 2
	}
	return n
}

// AssocZeroShotCV estimates zero-shot retrieval without the unseen classes
// or any test data: fold i trains on cfg.Seen without the two classes
// Seen[2i mod n] and Seen[(2i+1) mod n] (n = len(Seen) ≥ 3) exactly as
// Associate does, and scores audio→image retrieval among all pairs of those
// two classes in the training data, the way Associate scores the unseen
// classes. There are n distinct folds for odd n (for n = 7: (1,2), (3,4),
// (5,6), (7,1), (2,3), (4,5), (6,7)) and n/2 for even n, after which they
// repeat; folds ≤ 0 means all of them, and more is an error. The first
// ⌈n/2⌉ hold out every class at least once. A seen class with no pairs in
// the data is an error. The prototype baseline is not trained.
func AssocZeroShotCV(audio, vision Modal, cfg AssocConfig, folds int) (ZeroShotCV, error) {
	cfg = cfg.withDefaults()
	var cv ZeroShotCV
	n := len(cfg.Seen)
	if n < 3 {
		return cv, fmt.Errorf("lsm: associate: zero-shot validation needs 3 or more seen classes, have %v", cfg.Seen)
	}
	for _, y := range cfg.Seen {
		if !slices.Contains(audio.Labels, y) || !slices.Contains(vision.Labels, y) {
			return cv, fmt.Errorf("lsm: associate: seen class %d has no audio–vision pairs in the data", y)
		}
	}
	distinct := ZeroShotFolds(n)
	if folds <= 0 {
		folds = distinct
	}
	if folds > distinct {
		return cv, fmt.Errorf("lsm: associate: %d zero-shot folds, at most %d distinct for %d seen classes", folds, distinct, n)
	}
	for i := range folds {
		held := []int{cfg.Seen[2*i%n], cfg.Seen[(2*i+1)%n]}
		c := cfg
		c.Seen = slices.DeleteFunc(slices.Clone(cfg.Seen), func(y int) bool { return slices.Contains(held, y) })
		c.Unseen = held
		c.TestPerClass = -1
		c.UnseenFromTrain = false // the test data is the training data
		c.skipProto = true
		if cfg.Progress != nil {
			c.Progress = func(model string, ep, epochs int, val float64) {
				cfg.Progress(fmt.Sprintf("fold %d/%d", i+1, folds), ep, epochs, val)
			}
		}
		res, err := Associate(audio, vision, audio, vision, c)
		if err != nil {
			return cv, err
		}
		cv.Folds = append(cv.Folds, ZeroShotFold{HeldOut: held, Pairs: res.UnseenTestPairs,
			A2I: res.CLIP.UnseenA2I, I2A: res.CLIP.UnseenI2A, ValA2I: res.ValA2I})
	}
	var a2i []float64
	for _, f := range cv.Folds {
		a2i = append(a2i, f.A2I)
		cv.MeanI2A += f.I2A / float64(folds)
		cv.MeanVal += f.ValA2I / float64(folds)
	}
	cv.MeanA2I = stat.Mean(a2i, nil)
	if folds > 1 {
		cv.SDA2I = stat.StdDev(a2i, nil)
	}
	return cv, nil
}

func fmtErr(err error, format string, args ...any) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("lsm: associate: "+format, args...)
}

// heads are two projections into a shared space.
type heads struct {
	a, v     *MLP
	logScale []float64 // CLIP only
	gScale   []float64
	params   []Param
	dot      bool   // retrieval metric: dot product (CLIP) or Euclidean on L2-normalised embeddings (proto)
	norm     bool   // CLIP: L2-normalise embeddings before the dot product
	stream   string // suffix of the head's random streams: "" for the first head, "/k" for head k of an ensemble
}

// newCLIPHeads makes head pair k of an ensemble; head 0 draws from the
// streams a single head always used.
func newCLIPHeads(da, dv int, cfg AssocConfig, k int) *heads {
	var stream string
	if k > 0 {
		stream = fmt.Sprintf("/%d", k)
	}
	r := rng.New(cfg.Seed, "lsm/associate/clip-init"+stream)
	h := &heads{
		a:        NewMLP([]int{da, cfg.ProjDim}, cfg.Activation, true, r),
		v:        NewMLP([]int{dv, cfg.ProjDim}, cfg.Activation, true, r),
		logScale: []float64{-math.Log(cfg.Temperature)},
		gScale:   []float64{0},
		dot:      true,
		norm:     cfg.Normalize,
		stream:   stream,
	}
	h.params = slices.Concat(h.a.Params(), h.v.Params())
	if cfg.LearnTemperature {
		h.params = append(h.params, Param{"logit_scale", h.logScale, h.gScale})
	}
	return h
}

func newProtoHeads(da, dv int, cfg AssocConfig) *heads {
	r := rng.New(cfg.Seed, "lsm/associate/proto-init")
	h := &heads{
		a: NewMLP([]int{da, cfg.ProtoDim}, Identity, false, r),
		v: NewMLP([]int{dv, cfg.ProtoDim}, Identity, false, r),
	}
	h.params = slices.Concat(h.a.Params(), h.v.Params())
	return h
}

func (h *heads) embed(s pairSet) (ea, ev []float64) {
	n := len(s.labels)
	ea = slices.Clone(h.a.Forward(s.a, n))
	ev = slices.Clone(h.v.Forward(s.v, n))
	return ea, ev
}

// score evaluates retrieval in both directions (a heads' or an
// ensemble's) on the seen and unseen pairs.
func score(retrieval func(pairSet) (a2i, i2a float64), seen, unseen pairSet) Retrieval {
	var r Retrieval
	r.SeenA2I, r.SeenI2A = retrieval(seen)
	r.UnseenA2I, r.UnseenI2A = retrieval(unseen)
	return r
}

func (h *heads) retrieval(s pairSet) (a2i, i2a float64) {
	if len(s.labels) == 0 {
		return 0, 0
	}
	ea, ev := h.embed(s)
	d := h.a.Out()
	if !h.dot || h.norm {
		normalize(ea, d)
		normalize(ev, d)
	}
	return Top1(ea, s.labels, ev, s.labels, d, h.dot), Top1(ev, s.labels, ea, s.labels, d, h.dot)
}

// ensemble is K CLIP head pairs whose similarity matrices add.
type ensemble []*heads

// retrieval ranks by Σ_k s_k·a_k·v_k: the dot product of the heads'
// embeddings, each scaled by √s_k, side by side. One head is heads.retrieval.
func (e ensemble) retrieval(s pairSet) (a2i, i2a float64) {
	if len(e) == 1 {
		return e[0].retrieval(s)
	}
	n := len(s.labels)
	if n == 0 {
		return 0, 0
	}
	var d int
	for _, h := range e {
		d += h.a.Out()
	}
	ca, cv := make([]float64, n*d), make([]float64, n*d)
	off := 0
	for _, h := range e {
		ea, ev := h.embed(s)
		hd := h.a.Out()
		if h.norm {
			normalize(ea, hd)
			normalize(ev, hd)
		}
		w := math.Sqrt(math.Exp(h.logScale[0]))
		for i := range n {
			for j := range hd {
				ca[i*d+off+j] = w * ea[i*hd+j]
				cv[i*d+off+j] = w * ev[i*hd+j]
			}
		}
		off += hd
	}
	return Top1(ca, s.labels, cv, s.labels, d, true), Top1(cv, s.labels, ca, s.labels, d, true)
}

// normForward writes the rows of x (n × d) scaled to unit length into y and
// their norms into norms (a zero row stays zero).
func normForward(x []float64, n, d int, y, norms []float64) {
	for i := range n {
		nr := floats.Norm(x[i*d:(i+1)*d], 2)
		norms[i] = nr
		for j := range d {
			if nr > 0 {
				y[i*d+j] = x[i*d+j] / nr
			} else {
				y[i*d+j] = 0
			}
		}
	}
}

// normBackward turns the gradient g with respect to the unit rows y into the
// gradient with respect to x, in place: (g − y·(y·g))/‖x‖.
func normBackward(g, y []float64, n, d int, norms []float64) {
	for i := range n {
		gi, yi := g[i*d:(i+1)*d], y[i*d:(i+1)*d]
		if norms[i] == 0 {
			clear(gi)
			continue
		}
		dot := floats.Dot(yi, gi)
		for j := range gi {
			gi[j] = (gi[j] - yi[j]*dot) / norms[i]
		}
	}
}

func normalize(x []float64, d int) {
	for i := 0; i < len(x); i += d {
		if n := floats.Norm(x[i:i+d], 2); n > 0 {
			floats.Scale(1/n, x[i:i+d])
		}
	}
}

// Top1 is the share of queries (rows of q, d wide) whose best key has the
// query's label. Scores are dot products when dot, else negative Euclidean
// distances; ties go to the lowest key index.
func Top1(q []float64, qLabels []int, keys []float64, kLabels []int, d int, dot bool) float64 {
	if len(qLabels) == 0 {
		return 0
	}
	correct := 0
	for i, y := range qLabels {
		qi := q[i*d : (i+1)*d]
		best, bestJ := math.Inf(-1), -1
		for j := range kLabels {
			kj := keys[j*d : (j+1)*d]
			var s float64
			if dot {
				s = floats.Dot(qi, kj)
			} else {
				s = -floats.Distance(qi, kj, 2)
			}
			if s > best {
				best, bestJ = s, j
			}
		}
		if bestJ >= 0 && kLabels[bestJ] == y {
			correct++
		}
	}
	return float64(correct) / float64(len(qLabels))
}

func (h *heads) snapshot(dst [][]float64) [][]float64 {
	if dst == nil {
		dst = make([][]float64, len(h.params))
	}
	for i, p := range h.params {
		dst[i] = append(dst[i][:0], p.W...)
	}
	return dst
}

func (h *heads) restore(src [][]float64) {
	for i, p := range h.params {
		copy(p.W, src[i])
	}
}

// train runs the CLIP heads; it returns the kept epoch and its validation
// audio→image accuracy.
func (h *heads) train(train, val pairSet, cfg AssocConfig) (bestEpoch int, bestAcc float64) {
	if h.logScale == nil {
		return h.trainProto(train, val, cfg), 0
	}
	da, dv, pd := h.a.In(), h.v.In(), h.a.Out()
	n := len(train.labels)
	opt := NewAdam(cfg.LR)
	shuf := rng.New(cfg.Seed, "lsm/associate/clip-shuffle"+h.stream)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	bs := min(cfg.Batch, n)
	xa, xv := make([]float64, bs*da), make([]float64, bs*dv)
	yb := make([]int, bs)
	ga, gv := make([]float64, bs*pd), make([]float64, bs*pd)
	var ua, uv, na, nv []float64 // unit embeddings and norms (Normalize)
	if h.norm {
		ua, uv, na, nv = make([]float64, bs*pd), make([]float64, bs*pd), make([]float64, bs), make([]float64, bs)
	}
	var best [][]float64
	bestAcc = -1
	for ep := 1; ep <= cfg.Epochs; ep++ {
		shuf.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		for s := 0; s+1 < n; s += bs { // a batch of one has no negatives: skip it
			m := min(bs, n-s)
			if m < 2 {
				break
			}
			for i, o := range order[s : s+m] {
				copy(xa[i*da:(i+1)*da], train.a[o*da:(o+1)*da])
				copy(xv[i*dv:(i+1)*dv], train.v[o*dv:(o+1)*dv])
				yb[i] = train.labels[o]
			}
			ZeroGrad(h.params)
			ea := h.a.Forward(xa[:m*da], m)
			ev := h.v.Forward(xv[:m*dv], m)
			if h.norm {
				normForward(ea, m, pd, ua, na)
				normForward(ev, m, pd, uv, nv)
				ea, ev = ua[:m*pd], uv[:m*pd]
			}
			var dls float64
			switch cfg.Loss {
			case "soft":
				_, dls = CLIPSoftLoss(ea, ev, m, pd, h.logScale[0], ga[:m*pd], gv[:m*pd])
			case "class":
				_, dls = CLIPClassLoss(ea, ev, yb[:m], m, pd, h.logScale[0], ga[:m*pd], gv[:m*pd])
			default:
				_, dls = CLIPLoss(ea, ev, m, pd, h.logScale[0], ga[:m*pd], gv[:m*pd])
			}
			h.gScale[0] = dls
			if h.norm {
				normBackward(ga[:m*pd], ua, m, pd, na)
				normBackward(gv[:m*pd], uv, m, pd, nv)
			}
			h.a.Backward(ga[:m*pd], m, nil)
			h.v.Backward(gv[:m*pd], m, nil)
			opt.Step(h.params)
		}
		if len(val.labels) == 0 {
			bestEpoch = ep
			if cfg.Progress != nil {
				cfg.Progress("clip", ep, cfg.Epochs, 0)
			}
			continue
		}
		acc, _ := h.retrieval(val)
		if acc > bestAcc {
			bestAcc, bestEpoch = acc, ep
			best = h.snapshot(best)
		}
		if cfg.Progress != nil {
			cfg.Progress("clip", ep, cfg.Epochs, acc)
		}
	}
	if best != nil {
		h.restore(best)
	}
	return bestEpoch, max(bestAcc, 0)
}

// trainProto trains the prototype heads full-batch: audio queries against
// vision prototypes and vision queries against audio prototypes.
func (h *heads) trainProto(train, val pairSet, cfg AssocConfig) int {
	idx := map[int]int{}
	for _, c := range cfg.Seen {
		if _, ok := idx[c]; !ok {
			idx[c] = len(idx)
		}
	}
	n := len(train.labels)
	y := make([]int, n)
	for i, c := range train.labels {
		y[i] = idx[c]
	}
	k, pd := len(idx), h.a.Out()
	opt := NewAdam(cfg.ProtoLR)
	ga, gv := make([]float64, n*pd), make([]float64, n*pd)
	ta, tv := make([]float64, n*pd), make([]float64, n*pd)
	var best [][]float64
	bestAcc, bestEpoch := -1.0, 0
	for ep := 1; ep <= cfg.ProtoEpochs; ep++ {
		ZeroGrad(h.params)
		ea := h.a.Forward(train.a, n)
		ev := h.v.Forward(train.v, n)
		// a→v prototypes, then v→a prototypes; each half of the loss.
		ProtoLoss(ea, y, ev, y, pd, k, ga, gv)
		ProtoLoss(ev, y, ea, y, pd, k, tv, ta)
		for i := range ga {
			ga[i] = 0.5 * (ga[i] + ta[i])
			gv[i] = 0.5 * (gv[i] + tv[i])
		}
		h.a.Backward(ga, n, nil)
		h.v.Backward(gv, n, nil)
		opt.Step(h.params)
		if len(val.labels) == 0 {
			bestEpoch = ep
			if cfg.Progress != nil {
				cfg.Progress("proto", ep, cfg.ProtoEpochs, 0)
			}
			continue
		}
		acc, _ := h.retrieval(val)
		if acc > bestAcc {
			bestAcc, bestEpoch = acc, ep
			best = h.snapshot(best)
		}
		if cfg.Progress != nil {
			cfg.Progress("proto", ep, cfg.ProtoEpochs, acc)
		}
	}
	if best != nil {
		h.restore(best)
	}
	return bestEpoch
}
