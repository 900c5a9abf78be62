package dataset

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Options carries what opening a spec may need beyond the spec itself.
// The zero value means the defaults.
type Options struct {
	Seed     uint64        // root seed for synthesized data (0 → 1)
	CacheDir string        // cache root ("" → $RRAMTWIN_CACHE, else os.UserCacheDir()/rramtwin)
	Saccade  SaccadeConfig // camera for mnist-saccade
	Cochlea  CochleaConfig // cochlea for fsdd
	Progress io.Writer     // progress lines for long work (nil = quiet)
}

func (o Options) seed() uint64 {
	if o.Seed == 0 {
		return 1
	}
	return o.Seed
}

// Schemes lists the spec schemes Open understands.
var Schemes = []string{"nmnist", "mnist-saccade", "fsdd", "events", "ntidigits", "shd"}

// Open opens a dataset spec, one of:
//
//	nmnist:DIR                       a folder of <digit>/<NNNNN>.bin (or its Train/Test parent)
//	mnist-saccade:train|test[?n=N&offset=K]
//	                                 MNIST through the saccade camera, cached on disk
//	fsdd:DIR[?speakers=a,b&index=5-49&warp=A&agc=B&threshold=T]
//	                                 {digit}_{speaker}_{index}.wav through the cochlea;
//	                                 warp, agc and threshold set CochleaConfig.Warp,
//	                                 AGC (0 = none) and Threshold
//	events:FILE                      the project's event file (.rrev)
//	ntidigits:FILE?split=train|test  N-TIDIGITS HDF5 (build tag hdf5)
//	shd:FILE                         SHD HDF5 (build tag hdf5)
//
// A bad spec is a one-line error naming what is wrong.
func Open(spec string, opt Options) (Dataset, error) {
	scheme, rest, ok := strings.Cut(spec, ":")
	if !ok || rest == "" {
		return nil, fmt.Errorf("dataset spec %q: want SCHEME:ARG with SCHEME one of %s", spec, strings.Join(Schemes, ", "))
	}
	arg, rawq, _ := strings.Cut(rest, "?")
	q, err := url.ParseQuery(rawq)
	if err != nil {
		return nil, fmt.Errorf("dataset spec %q: bad query: %v", spec, err)
	}
	allow := func(keys ...string) error {
		for k := range q {
			if !slices.Contains(keys, k) {
				if len(keys) == 0 {
					return fmt.Errorf("dataset spec %q: %s takes no options (got %q)", spec, scheme, k)
				}
				return fmt.Errorf("dataset spec %q: unknown option %q (want %s)", spec, k, strings.Join(keys, ", "))
			}
		}
		return nil
	}
	switch scheme {
	case "nmnist":
		if err := allow(); err != nil {
			return nil, err
		}
		return OpenNMNIST(arg)
	case "mnist-saccade":
		if err := allow("n", "offset"); err != nil {
			return nil, err
		}
		if arg != "train" && arg != "test" {
			return nil, fmt.Errorf("dataset spec %q: mnist-saccade split %q (want train or test)", spec, arg)
		}
		n, off := -1, 0
		if v := q.Get("n"); v != "" {
			if n, err = strconv.Atoi(v); err != nil || n < 1 {
				return nil, fmt.Errorf("dataset spec %q: n=%q is not a positive integer", spec, v)
			}
		}
		if v := q.Get("offset"); v != "" {
			if off, err = strconv.Atoi(v); err != nil || off < 0 {
				return nil, fmt.Errorf("dataset spec %q: offset=%q is not a non-negative integer", spec, v)
			}
		}
		return OpenMNISTSaccade(arg, off, n, opt)
	case "fsdd":
		if err := allow("speakers", "index", "warp", "agc", "threshold"); err != nil {
			return nil, err
		}
		for _, o := range []struct {
			key      string
			dst      *float64
			min, max float64
		}{{"warp", &opt.Cochlea.Warp, 0.5, 2}, {"agc", &opt.Cochlea.AGC, 0, 1}, {"threshold", &opt.Cochlea.Threshold, 1e-6, 10}} {
			v := q.Get(o.key)
			if v == "" {
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || !(x >= o.min && x <= o.max) {
				return nil, fmt.Errorf("dataset spec %q: %s=%q: want a number in [%g, %g]", spec, o.key, v, o.min, o.max)
			}
			if x == 0 {
				x = -1 // agc=0: none (a zero field means the default)
			}
			*o.dst = x
		}
		var speakers []string
		if v := q.Get("speakers"); v != "" {
			speakers = strings.Split(v, ",")
		}
		var idx []int
		if v := q.Get("index"); v != "" {
			if idx, err = ParseRanges(v); err != nil {
				return nil, fmt.Errorf("dataset spec %q: index=%q: %v", spec, v, err)
			}
		}
		return OpenFSDD(arg, speakers, idx, opt)
	case "events":
		if err := allow(); err != nil {
			return nil, err
		}
		return OpenEvents(arg)
	case "ntidigits":
		if err := allow("split"); err != nil {
			return nil, err
		}
		split := q.Get("split")
		if split == "" {
			split = "train"
		}
		if split != "train" && split != "test" {
			return nil, fmt.Errorf("dataset spec %q: split %q (want train or test)", spec, split)
		}
		return openNTIDIGITS(arg, split)
	case "shd":
		if err := allow("split"); err != nil {
			return nil, err
		}
		return openSHD(arg)
	}
	return nil, fmt.Errorf("dataset spec %q: unknown scheme %q (want one of %s)", spec, scheme, strings.Join(Schemes, ", "))
}

// ParseRanges parses "0-4", "5,7,9-12" into a sorted list of distinct
// non-negative integers (the syntax of index= in specs, and of class lists).
func ParseRanges(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("%q is not a non-negative integer", lo)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("bad range %q", part)
			}
		}
		if b-a > 1<<20 {
			return nil, fmt.Errorf("range %q too large", part)
		}
		for i := a; i <= b; i++ {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// CacheRoot returns where synthesized sets are cached: dir if not empty,
// else $RRAMTWIN_CACHE, else os.UserCacheDir()/rramtwin.
func CacheRoot(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	if d := os.Getenv("RRAMTWIN_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("dataset: no cache directory: %v", err)
	}
	return filepath.Join(d, "rramtwin"), nil
}
