//go:build hdf5

package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// cochleaFixture makes utterance-like samples with the project's own
// cochlea: tones whose frequency depends on the digit.
func cochleaFixture(t *testing.T, n int) []Sample {
	t.Helper()
	k := NewCochlea(CochleaConfig{}, 1)
	var out []Sample
	for i := range n {
		d := i % 10
		ev, err := k.Events(tone(200+150*float64(d), 8000, 0.2), uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Sample{Events: ev, Label: d, Meta: Meta{Key: "fsdd-theo-" + string(rune('a'+i%26)) + "-" + string(rune('0'+d)), Index: i}})
	}
	return out
}

func TestNTIDIGITSRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n-tidigits.hdf5")
	train := cochleaFixture(t, 12)
	test := cochleaFixture(t, 3)
	// A multi-digit utterance and an "oh" and a "zero", as in the real file.
	test = append(test, Sample{Events: []Event{{T: 5, X: 1, P: 1}}, Label: 7, Meta: Meta{Key: "man-im-a-7557"}},
		Sample{Events: []Event{{T: 7, X: 2, P: 1}}, Label: 0, Meta: Meta{Key: "woman-ab-b-o"}},
		Sample{Events: []Event{{T: 9, X: 3, P: 1}, {T: 1_500_000, X: 63, P: 1}}, Label: 0, Meta: Meta{Key: "boy-cd-a-z"}})
	if err := WriteNTIDIGITS(path, map[string][]Sample{"train": train, "test": test}); err != nil {
		t.Fatal(err)
	}
	d, err := Open("ntidigits:"+path+"?split=train", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 12 || d.Shape().Width != 64 {
		t.Fatalf("train: %d samples, shape %v", d.Len(), d.Shape())
	}
	for i := range d.Len() {
		s, err := d.Sample(i)
		if err != nil {
			t.Fatal(err)
		}
		if s.Label != train[i].Label || s.Meta.Key != train[i].Meta.Key || !slices.Equal(s.Events, train[i].Events) {
			t.Fatalf("train sample %d differs after the round trip (%d vs %d events)", i, len(s.Events), len(train[i].Events))
		}
	}
	te, err := OpenNTIDIGITS(path, "test")
	if err != nil {
		t.Fatal(err)
	}
	if te.Len() != 5 {
		t.Fatalf("test: %d single-digit samples, want 5 (multi-digit skipped)", te.Len())
	}
	if te.Key(3) != "woman-ab-b-o" || te.Label(3) != 0 || te.Label(4) != 0 {
		t.Errorf("o/z mapping: key %s label %d %d", te.Key(3), te.Label(3), te.Label(4))
	}
	s, _ := te.Sample(4)
	if !slices.Equal(s.Events, test[5].Events) {
		t.Errorf("z sample: %v", s.Events)
	}
	st, _, err := ComputeStats(d)
	if err != nil || st.N != 12 || st.Classes != 10 {
		t.Errorf("stats %+v %v", st, err)
	}
}

func TestHDF5Errors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.h5")
	if err := WriteNTIDIGITS(path, map[string][]Sample{"train": cochleaFixture(t, 2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenNTIDIGITS(path, "test"); err == nil || !strings.Contains(err.Error(), "/test_labels") || !strings.Contains(err.Error(), path) {
		t.Errorf("missing key: err = %v", err)
	}
	if _, err := OpenSHD(path); err == nil || !strings.Contains(err.Error(), "/labels") {
		t.Errorf("SHD on an N-TIDIGITS file: err = %v", err)
	}
	junk := filepath.Join(dir, "junk.h5")
	os.WriteFile(junk, []byte("not hdf5"), 0o644)
	if _, err := Open("ntidigits:"+junk, Options{}); err == nil || !strings.Contains(err.Error(), junk) {
		t.Errorf("junk file: err = %v", err)
	}
	if _, err := Open("shd:"+filepath.Join(dir, "none.h5"), Options{}); err == nil {
		t.Error("missing file: no error")
	}
}

func TestSHDRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shd_test.h5")
	ss := cochleaFixture(t, 7)
	ss[3].Label = 13 // German "drei"
	ss = append(ss, Sample{Events: []Event{{T: 0, X: 699, P: 1}, {T: 250, X: 0, P: 1}}, Label: 19})
	if err := WriteSHD(path, ss); err != nil {
		t.Fatal(err)
	}
	d, err := Open("shd:"+path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 8 || d.Shape().Width != 700 {
		t.Fatalf("%d samples, shape %v", d.Len(), d.Shape())
	}
	shd := d.(*SHD)
	if shd.RawLabel(3) != 13 || d.Label(3) != 3 || d.Label(7) != 9 {
		t.Errorf("labels %d %d %d", shd.RawLabel(3), d.Label(3), d.Label(7))
	}
	for i := range d.Len() {
		s, err := d.Sample(i)
		if err != nil {
			t.Fatal(err)
		}
		// Times are float32 seconds in SHD: allow the rounding of a float32.
		if len(s.Events) != len(ss[i].Events) {
			t.Fatalf("sample %d: %d events, want %d", i, len(s.Events), len(ss[i].Events))
		}
		for j, e := range s.Events {
			w := ss[i].Events[j]
			if e.X != w.X || e.T-w.T > 1+w.T/1_000_000 || w.T-e.T > 1+w.T/1_000_000 {
				t.Fatalf("sample %d event %d: %+v, want %+v", i, j, e, w)
			}
		}
	}
}

// FuzzOpenNTIDIGITS feeds bytes to the N-TIDIGITS and SHD readers through
// libhdf5. The seeds are fixtures written by the project's own writers
// (whole, truncated and with flipped bytes); `go test` runs them.
func FuzzOpenNTIDIGITS(f *testing.F) {
	dir := f.TempDir()
	nt := filepath.Join(dir, "nt.h5")
	sh := filepath.Join(dir, "shd.h5")
	ss := []Sample{{Events: []Event{{T: 1, X: 2, P: 1}, {T: 30, X: 63, P: 1}}, Label: 4, Meta: Meta{Key: "man-ab-a-4"}}}
	if err := WriteNTIDIGITS(nt, map[string][]Sample{"train": ss}); err != nil {
		f.Fatal(err)
	}
	if err := WriteSHD(sh, ss); err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{nt, sh} {
		b, _ := os.ReadFile(p)
		f.Add(b)
		f.Add(b[:len(b)/2])
		for _, off := range []int{0, 8, 100, len(b) - 20} {
			c := slices.Clone(b)
			c[off] ^= 0x5a
			f.Add(c)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "f.h5")
		os.WriteFile(p, b, 0o644)
		if d, err := OpenNTIDIGITS(p, "train"); err == nil {
			for i := range d.Len() {
				d.Sample(i)
			}
		}
		if d, err := OpenSHD(p); err == nil {
			for i := range d.Len() {
				d.Sample(i)
			}
		}
	})
}
