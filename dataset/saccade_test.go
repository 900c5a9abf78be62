package dataset

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// The saccade camera against the real recordings, paired by MNIST index.
func TestSaccadeMatchesRealNMNIST(t *testing.T) {
	real, err := OpenNMNIST(sharedData(t, "nmnist/Train"))
	if err != nil {
		t.Fatal(err)
	}
	m := mnistOrSkip(t, "train")
	cam := NewSaccade(SaccadeConfig{}, 1)
	n := real.Len()
	if testing.Short() {
		n = 200
	}
	var syn, rl []float64
	var on, all, dur float64
	var hs, hr [21]float64 // events per 15 ms bin over the 315 ms of three saccades
	var mapCorr float64    // correlation of per-saccade ON−OFF maps, summed
	for i := range n {
		idx := real.MNISTIndex(i)
		if int(m.Labels[idx]) != real.Label(i) {
			t.Fatalf("%s: label %d but MNIST train[%d] is %d", real.Path(i), real.Label(i), idx, m.Labels[idx])
		}
		ev, err := cam.Events(m.Images.Image(idx), uint64(idx))
		if err != nil {
			t.Fatal(err)
		}
		s, err := real.Sample(i)
		if err != nil {
			t.Fatal(err)
		}
		syn = append(syn, float64(len(ev)))
		rl = append(rl, float64(len(s.Events)))
		for _, e := range ev {
			on += float64(e.P)
			hs[min(e.T/15000, 20)]++
		}
		for _, e := range s.Events {
			hr[min(e.T/15000, 20)]++
		}
		var ma, mb [3][34 * 34]float64
		for _, e := range ev {
			ma[min(e.T/105000, 2)][int(e.Y)*34+int(e.X)] += 2*float64(e.P) - 1
		}
		for _, e := range s.Events {
			mb[min(e.T/105000, 2)][int(e.Y)*34+int(e.X)] += 2*float64(e.P) - 1
		}
		for k := range 3 {
			mapCorr += pearson(ma[k][:], mb[k][:]) / 3
		}
		all += float64(len(ev))
		dur += float64(ev[len(ev)-1].T) / 1000
	}
	ms, mr := meanOf(syn), meanOf(rl)
	r := pearson(syn, rl)
	t.Logf("n %d: synthetic mean %.1f, real mean %.1f (%.1f %%), count correlation %.3f, ON fraction %.4f, duration %.1f ms",
		n, ms, mr, 100*(ms-mr)/mr, r, on/all, dur/float64(n))
	mc := mapCorr / float64(n)
	t.Logf("mean correlation of the per-saccade ON−OFF maps %.3f", mc)
	if mc < 0.5 {
		t.Errorf("ON−OFF map correlation %.3f < 0.5: polarity or motion differs from the real recordings", mc)
	}
	hc := pearson(hs[:], hr[:])
	t.Logf("correlation of the mean 15 ms time histograms %.3f", hc)
	if hc < 0.9 {
		t.Errorf("time histogram correlation %.3f < 0.9", hc)
	}
	if math.Abs(ms-mr) > 0.15*mr {
		t.Errorf("mean events %.1f not within 15 %% of real %.1f", ms, mr)
	}
	if r < 0.8 {
		t.Errorf("per-sample count correlation %.3f < 0.8", r)
	}
	if f := on / all; f < 0.45 || f > 0.55 {
		t.Errorf("ON fraction %.4f outside [0.45, 0.55]", f)
	}
	if d := dur / float64(n); d < 290 || d > 320 {
		t.Errorf("mean duration %.1f ms outside [290, 320]", d)
	}
}

func meanOf(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func pearson(x, y []float64) float64 {
	mx, my := meanOf(x), meanOf(y)
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func TestSaccadeEventsWellFormed(t *testing.T) {
	m := mnistOrSkip(t, "train")
	cam := NewSaccade(SaccadeConfig{}, 7)
	for idx := range 30 {
		ev, err := cam.Events(m.Images.Image(idx), uint64(idx))
		if err != nil {
			t.Fatal(err)
		}
		if i, ok := checkSorted(ev); !ok {
			t.Fatalf("image %d: event %d goes backwards", idx, i)
		}
		for _, e := range ev {
			if e.X >= 34 || e.Y >= 34 || e.P > 1 || e.T < 0 || e.T >= 308000 {
				t.Fatalf("image %d: bad event %+v", idx, e)
			}
		}
		b, err := EncodeNMNIST(nil, ev)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeNMNIST(b, "syn.bin", 34, 34)
		if err != nil || !slices.Equal(back, ev) {
			t.Fatalf("image %d: .bin round trip failed: %v", idx, err)
		}
	}
}

func TestSaccadeDeterministicAndSeeded(t *testing.T) {
	m := mnistOrSkip(t, "train")
	a, err := NewSaccade(SaccadeConfig{}, 3).Events(m.Images.Image(5), 5)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSaccade(SaccadeConfig{}, 3).Events(m.Images.Image(5), 5)
	c, _ := NewSaccade(SaccadeConfig{}, 4).Events(m.Images.Image(5), 5)
	if !slices.Equal(a, b) {
		t.Error("same seed, different events")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds, same events")
	}
}

// Without motion noise or jitter a blank image makes no events at all, and
// with noise only the background activity remains (≈ rate·pixels·time).
func TestSaccadeBlankImage(t *testing.T) {
	blank := make([]byte, 784)
	ev, _ := NewSaccade(SaccadeConfig{NoiseHz: -1}, 1).Events(blank, 0)
	if len(ev) != 0 {
		t.Errorf("blank image, no noise: %d events", len(ev))
	}
	cam := NewSaccade(SaccadeConfig{NoiseHz: 10}, 1)
	var total int
	const n = 100
	for i := range n {
		ev, _ := cam.Events(blank, uint64(i))
		total += len(ev)
	}
	want := 10.0 * 34 * 34 * 0.308 * n
	if math.Abs(float64(total)-want) > 4*math.Sqrt(want) {
		t.Errorf("noise events %d, want %.0f ± %.0f (4σ Poisson)", total, want, 4*math.Sqrt(want))
	}
	if _, err := cam.Events(blank[:10], 0); err == nil {
		t.Error("short image: no error")
	}
}

// Synthesis writes identical files whatever the number of workers, and a
// second run reuses them.
func TestSynthNMNISTWorkersAndResume(t *testing.T) {
	mnistOrSkip(t, "test")
	cam := NewSaccade(SaccadeConfig{}, 2)
	d1, d2 := t.TempDir(), t.TempDir()
	old := runtime.GOMAXPROCS(1)
	f1, err := SynthNMNIST(cam, "test", 10, 12, d1, nil)
	runtime.GOMAXPROCS(2)
	f2, err2 := SynthNMNIST(cam, "test", 10, 12, d2, nil)
	runtime.GOMAXPROCS(old)
	if err != nil || err2 != nil {
		t.Fatal(err, err2)
	}
	for i := range f1.Len() {
		b1, _ := os.ReadFile(f1.Path(i))
		b2, _ := os.ReadFile(f2.Path(i))
		if !bytes.Equal(b1, b2) || len(b1) == 0 {
			t.Fatalf("%s differs between 1 and 2 workers", f1.Path(i))
		}
	}
	if got := filepath.Base(f1.Path(0)); f1.MNISTIndex(0) != 10 || got != "00011.bin" {
		t.Errorf("first file %s index %d, want 00011.bin and 10", got, f1.MNISTIndex(0))
	}
	// Replace one file with a marker; a second run must keep it (resume).
	os.WriteFile(f1.Path(3), nil, 0o644)
	if _, err := SynthNMNIST(cam, "test", 10, 12, d1, nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(f1.Path(3)); len(b) != 0 {
		t.Error("existing file was rewritten")
	}
}

// The per-pixel thresholds are Normal(C, σ): a KS test over 115,600
// pixels of 100 cameras.
func TestSaccadeThresholdMismatchKS(t *testing.T) {
	const C, sigma = 0.34, 0.03
	var x []float64
	for seed := range uint64(100) {
		cam := NewSaccade(SaccadeConfig{}, seed+1)
		for i := range cam.con {
			x = append(x, float64(cam.con[i]))
		}
	}
	slices.Sort(x)
	n := float64(len(x))
	var d float64
	for i, v := range x {
		f := 0.5 * math.Erfc(-(v-C)/(sigma*math.Sqrt2))
		d = max(d, math.Abs(f-float64(i)/n), math.Abs(f-float64(i+1)/n))
	}
	// Critical value at α = 0.001: 1.95/√n.
	if crit := 1.95 / math.Sqrt(n); d > crit {
		t.Errorf("KS distance %.5f > %.5f (n = %.0f)", d, crit, n)
	}
}
