package dataset

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDecodeNMNISTKnownAnswer(t *testing.T) {
	// x=1 y=1 OFF at the last 23-bit tick, an overflow marker, then
	// x=2 y=2 ON at the same raw time, which is 8192 µs later.
	b2 := []byte{1, 1, 0x7f, 0xff, 0xff, 0, 240, 0, 0, 0, 2, 2, 0x80 | 0x7f, 0xff, 0xff}
	got2, err := DecodeNMNIST(b2, "k2.bin", 34, 34)
	if err != nil {
		t.Fatal(err)
	}
	want2 := []Event{{T: 1<<23 - 1, X: 1, Y: 1, P: 0}, {T: 1<<23 - 1 + 8192, X: 2, Y: 2, P: 1}}
	if !slices.Equal(got2, want2) {
		t.Errorf("overflow: got %v, want %v", got2, want2)
	}
}

func TestDecodeNMNISTOrdered(t *testing.T) {
	b := []byte{3, 4, 0x81, 0x02, 0x03, 33, 33, 0x01, 0x02, 0x04}
	got, err := DecodeNMNIST(b, "k.bin", 34, 34)
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{{T: 0x010203, X: 3, Y: 4, P: 1}, {T: 0x010204, X: 33, Y: 33, P: 0}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	ev := []Event{{T: 0, X: 0, Y: 0, P: 0}, {T: 5, X: 33, Y: 1, P: 1}, {T: 1<<23 + 77, X: 7, Y: 9, P: 1}, {T: 3 << 23, X: 2, Y: 2, P: 0}}
	b, err := EncodeNMNIST(nil, ev)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeNMNIST(b, "rt.bin", 34, 34)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, ev) {
		t.Errorf("round trip: got %v, want %v", got, ev)
	}
	if _, err := EncodeNMNIST(nil, []Event{{Y: 240}}); err == nil {
		t.Error("y = 240 encoded without error")
	}
	if _, err := EncodeNMNIST(nil, []Event{{T: 5}, {T: 4}}); err == nil {
		t.Error("backwards time encoded without error")
	}
}

func TestDecodeNMNISTErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
		off  int64
		msg  string
	}{
		{"truncated", []byte{1, 1, 0, 0, 1, 2, 2}, 5, "multiple of 5"},
		{"x", []byte{1, 1, 0, 0, 1, 34, 2, 0, 0, 2}, 5, "outside"},
		{"y", []byte{1, 34, 0, 0, 1}, 0, "outside"},
		{"backwards", []byte{1, 1, 0, 0, 9, 2, 2, 0, 0, 8}, 5, "backwards"},
	} {
		_, err := DecodeNMNIST(c.b, "bad.bin", 34, 34)
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Offset != c.off || fe.File != "bad.bin" || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want a FormatError at byte %d mentioning %q", c.name, err, c.off, c.msg)
			continue
		}
		if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "bad.bin: byte ") {
			t.Errorf("%s: error %q is not one line naming file and byte", c.name, err)
		}
	}
}

// The reader reproduces the statistics of the 1,000 real recordings.
func TestRealNMNISTStats(t *testing.T) {
	dir := sharedData(t, "nmnist/Train")
	d, err := OpenNMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, per, err := ComputeStats(d)
	if err != nil {
		t.Fatal(err)
	}
	if st.N != 1000 || st.Classes != 10 {
		t.Fatalf("n %d classes %d, want 1000 and 10", st.N, st.Classes)
	}
	check := func(name string, got, want, tol float64) {
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.6g, want %.6g ± %g", name, got, want, tol)
		}
	}
	check("events_mean", st.EventsMean, 4133.231, 1e-9)
	check("events_std", st.EventsStd, 1154.0996, 1e-3)
	check("on_fraction", st.OnFraction, 0.49826, 1e-5)
	check("duration_ms_mean", st.DurationMsMean, 307.69056, 1e-4)
	check("active_addresses_mean", st.ActiveAddressesMean, 448.005, 1e-9)
	// Sizes on disk agree with the event counts (5 bytes each, no overflow markers in N-MNIST).
	for i := range 20 {
		fi, err := os.Stat(d.Path(i))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != int64(5*per[i].Events) {
			t.Errorf("%s: %d bytes for %d events", d.Path(i), fi.Size(), per[i].Events)
		}
	}
	// The parent folder works too, and the file names are 1-based MNIST indices.
	p, err := OpenNMNIST(filepath.Dir(dir))
	if err != nil || p.Len() != 1000 {
		t.Fatalf("parent folder: %v, %d samples", err, p.Len())
	}
	if got := filepath.Base(d.Path(0)); got != "00002.bin" || d.MNISTIndex(0) != 1 {
		t.Errorf("first file %s index %d, want 00002.bin index 1", got, d.MNISTIndex(0))
	}
}

func TestNMNISTFolderErrors(t *testing.T) {
	empty := t.TempDir()
	if _, err := OpenNMNIST(empty); err == nil || !strings.Contains(err.Error(), empty) {
		t.Errorf("empty folder: err = %v, want one naming %s", err, empty)
	}
	if _, err := OpenNMNIST(filepath.Join(empty, "nope")); err == nil {
		t.Error("missing folder: no error")
	}
	dir := t.TempDir()
	good, _ := EncodeNMNIST(nil, []Event{{T: 1, X: 1, Y: 1, P: 1}})
	for d, name := range map[string]string{"0": "00001.bin", "3": "00007.bin"} {
		os.MkdirAll(filepath.Join(dir, "Train", d), 0o755)
		os.WriteFile(filepath.Join(dir, "Train", d, name), good, 0o644)
	}
	bad := filepath.Join(dir, "Train", "3", "00009.bin")
	os.WriteFile(bad, good[:4], 0o644)
	f, err := OpenNMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != 3 || f.Label(0) != 0 || f.Label(2) != 3 {
		t.Fatalf("len %d labels %d %d", f.Len(), f.Label(0), f.Label(2))
	}
	_, _, err = ComputeStats(f)
	if err == nil || !strings.Contains(err.Error(), bad) || strings.Contains(err.Error(), "\n") {
		t.Errorf("corrupt file: err = %v, want one line naming %s", err, bad)
	}
}

func FuzzDecodeNMNIST(f *testing.F) {
	f.Add([]byte{1, 1, 0x80, 0, 1})
	f.Add([]byte{0, 240, 0, 0, 0, 1, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := DecodeNMNIST(b, "fuzz.bin", 34, 34)
		if err != nil {
			return
		}
		if _, ok := checkSorted(ev); !ok {
			t.Fatal("decoded events not sorted")
		}
		enc, err := EncodeNMNIST(nil, ev)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeNMNIST(enc, "re.bin", 34, 34)
		if err != nil || !slices.Equal(back, ev) {
			t.Fatalf("re-encode round trip: %v", err)
		}
	})
}
