package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestOpenBadSpecs(t *testing.T) {
	isolateCache(t)
	empty := t.TempDir()
	for _, c := range []struct{ spec, want string }{
		{"nonsense", "SCHEME:ARG"},
		{"foo:bar", `unknown scheme "foo"`},
		{"nmnist:" + filepath.Join(empty, "missing"), "missing"},
		{"nmnist:" + empty, "no <digit>/<NNNNN>.bin"},
		{"nmnist:" + empty + "?n=3", `takes no options`},
		{"mnist-saccade:valid", `split "valid"`},
		{"mnist-saccade:train?n=-3", "n="},
		{"mnist-saccade:train?m=3", `unknown option "m"`},
		{"fsdd:" + empty, "no {digit}_{speaker}_{index}.wav"},
		{"fsdd:" + empty + "?index=4-2", "bad range"},
		{"fsdd:" + empty + "?warp=3", "warp="},
		{"fsdd:" + empty + "?agc=half", "agc="},
		{"fsdd:" + empty + "?threshold=0", "threshold="},
		{"ntidigits:x.h5?split=dev", `split "dev"`},
		{"events:" + filepath.Join(empty, "none.rrev"), "none.rrev"},
	} {
		_, err := Open(c.spec, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Open(%q): err = %v, want one line containing %q", c.spec, err, c.want)
		}
	}
}

func TestParseRanges(t *testing.T) {
	got, err := ParseRanges("5,0-2,2,9")
	if err != nil || !slices.Equal(got, []int{0, 1, 2, 5, 9}) {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestFSDDSpec(t *testing.T) {
	dir := sharedData(t, "fsdd/recordings")
	d, err := Open("fsdd:"+dir+"?speakers=george&index=0-4", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 50 || d.Classes() != 10 || d.Shape().Kind != KindCochlea {
		t.Fatalf("len %d classes %d shape %v", d.Len(), d.Classes(), d.Shape())
	}
	s, err := d.Sample(7)
	if err != nil {
		t.Fatal(err)
	}
	if s.Label != 1 || !strings.HasSuffix(s.Meta.Source, "1_george_2.wav") || s.Meta.Key != "fsdd-george-2-1" {
		t.Errorf("sample 7: label %d source %s key %s", s.Label, s.Meta.Source, s.Meta.Key)
	}
	if _, err := Open("fsdd:"+dir+"?speakers=nobody", Options{}); err == nil || !strings.Contains(err.Error(), `"nobody"`) {
		t.Errorf("unknown speaker: err = %v", err)
	}
	// Cochlea options: agc=0 is no gain control, and with the old threshold
	// the cochlea of the first releases (961 events on 3_theo_7.wav).
	d, err = Open("fsdd:"+dir+"?speakers=theo&index=7&agc=0&threshold=0.04", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := d.Sample(3); err != nil || len(s.Events) != 961 {
		t.Errorf("agc=0&threshold=0.04: %d events, %v; want 961", len(s.Events), err)
	}
	counts := map[string]int{}
	for _, q := range []string{"", "&warp=0.9", "&warp=1.1"} {
		d, err := Open("fsdd:"+dir+"?speakers=theo&index=7"+q, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := d.Sample(3)
		counts[q] = len(s.Events)
	}
	if counts[""] == counts["&warp=0.9"] || counts[""] == counts["&warp=1.1"] {
		t.Errorf("warp changes nothing: %v events", counts)
	}
}

// mnist-saccade synthesizes once into the cache, then reads the cache.
func TestMNISTSaccadeCache(t *testing.T) {
	mnistOrSkip(t, "train")
	cache := isolateCache(t)
	d, err := Open("mnist-saccade:train?n=20&offset=100", Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 20 {
		t.Fatalf("len %d", d.Len())
	}
	f := d.(*NMNISTFolder)
	if !strings.HasPrefix(f.Path(0), filepath.Join(cache, "mnist-saccade", "train-")) {
		t.Errorf("sample in %s, not under the cache %s", f.Path(0), cache)
	}
	st0, _ := os.Stat(f.Path(0))
	time.Sleep(10 * time.Millisecond)
	d2, err := Open("mnist-saccade:train?n=10&offset=105", Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if d2.(*NMNISTFolder).Path(0) != f.Path(5) {
		t.Errorf("overlapping request not served from the same cache files")
	}
	st1, _ := os.Stat(f.Path(0))
	if !st1.ModTime().Equal(st0.ModTime()) {
		t.Error("cached file rewritten")
	}
	other, _ := Open("mnist-saccade:train?n=1&offset=100", Options{Seed: 4})
	if other.(*NMNISTFolder).Path(0) == f.Path(0) {
		t.Error("a different seed shares the cache entry")
	}
	m := mnistOrSkip(t, "train")
	s, _ := d.Sample(0)
	if s.Label != int(m.Labels[100]) || s.Meta.Index != 100 {
		t.Errorf("label %d index %d, want %d and 100", s.Label, s.Meta.Index, m.Labels[100])
	}
}

type fakeSet struct{ labels []int }

func (f fakeSet) Len() int        { return len(f.labels) }
func (f fakeSet) Label(i int) int { return f.labels[i] }
func (f fakeSet) Shape() Shape    { return Shape{1, 1, KindCamera} }
func (f fakeSet) Classes() int    { return 3 }
func (f fakeSet) Sample(i int) (Sample, error) {
	return Sample{Label: f.labels[i], Meta: Meta{Index: i}}, nil
}

func TestShuffleAndSplit(t *testing.T) {
	var labels []int
	for i := range 300 {
		labels = append(labels, i%3)
	}
	d := fakeSet{labels}
	a, b := Shuffle(d, 1), Shuffle(d, 1)
	c := Shuffle(d, 2)
	if !slices.Equal(a.Idx, b.Idx) || slices.Equal(a.Idx, c.Idx) {
		t.Error("shuffle is not a function of the seed")
	}
	sorted := slices.Sorted(slices.Values(a.Idx))
	for i, v := range sorted {
		if v != i {
			t.Fatal("shuffle is not a permutation")
		}
	}
	tr, te, err := Split(d, 0.8, 9)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 240 || te.Len() != 60 {
		t.Fatalf("split %d/%d", tr.Len(), te.Len())
	}
	count := map[int]int{}
	seen := map[int]bool{}
	for i := range te.Len() {
		count[te.Label(i)]++
		seen[te.Idx[i]] = true
	}
	for i := range tr.Len() {
		if seen[tr.Idx[i]] {
			t.Fatal("train and test overlap")
		}
	}
	if count[0] != 20 || count[1] != 20 || count[2] != 20 {
		t.Errorf("test split not stratified: %v", count)
	}
	if _, _, err := Split(d, 1.5, 1); err == nil {
		t.Error("fraction 1.5: no error")
	}
}
