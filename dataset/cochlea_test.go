package dataset

import (
	"hash/fnv"
	"math"
	"path/filepath"
	"testing"
)

func tone(hz float64, rate int, seconds float64) *Audio {
	n := int(seconds * float64(rate))
	a := &Audio{Rate: rate, Samples: make([]float64, n)}
	for i := range a.Samples {
		a.Samples[i] = 0.5 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate))
	}
	return a
}

// A pure tone excites most the channel whose centre frequency is nearest
// (the filters' tuning: without the gain control, which raises the
// neighbours of a lone tone, and at a threshold that keeps the busiest
// channels below their refractory limit).
func TestCochleaPureTones(t *testing.T) {
	for _, rate := range []int{8000, 22050} {
		k := NewCochlea(CochleaConfig{Mismatch: -1, AGC: -1, Threshold: 0.04}, 1)
		cf := k.CentreHz(rate)
		if cf[0] <= cf[len(cf)-1] {
			t.Fatalf("channel 0 (%g Hz) is not the highest (%g Hz)", cf[0], cf[len(cf)-1])
		}
		for _, hz := range []float64{150, 300, 500, 1000, 2000, 3000} {
			ev, err := k.Events(tone(hz, rate, 0.5), 0)
			if err != nil {
				t.Fatal(err)
			}
			count := make([]float64, len(cf))
			for _, e := range ev {
				count[e.X]++
			}
			// Energy-weighted peak: the centroid of the three busiest
			// neighbours, robust to rate saturation at the top.
			best := 0
			for i := range count {
				if count[i] > count[best] {
					best = i
				}
			}
			nearest := 0
			for i := range cf {
				if math.Abs(math.Log(cf[i]/hz)) < math.Abs(math.Log(cf[nearest]/hz)) {
					nearest = i
				}
			}
			var sw, s float64
			for i := max(best-3, 0); i <= min(best+3, len(cf)-1); i++ {
				sw += count[i] * float64(i)
				s += count[i]
			}
			peak := sw / s
			if math.Abs(peak-float64(nearest)) > 1.5 {
				t.Errorf("rate %d, %g Hz tone: peak at channel %.1f (%.0f Hz), nearest centre frequency is channel %d (%.0f Hz)",
					rate, hz, peak, cf[best], nearest, cf[nearest])
			}
		}
	}
}

// Spoken digits from FSDD: event counts, active channels and where the
// events fall in frequency.
func TestCochleaOnFSDD(t *testing.T) {
	dir := sharedData(t, "fsdd/recordings")
	d, err := OpenFSDD(dir, nil, []int{0, 1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cf := NewCochlea(CochleaConfig{}, 1).CentreHz(8000)
	perDigit := make([]float64, 10)
	nDigit := make([]float64, 10)
	var active, inBand, total float64
	for i := range d.Len() {
		s, err := d.Sample(i)
		if err != nil {
			t.Fatal(err)
		}
		perDigit[s.Label] += float64(len(s.Events))
		nDigit[s.Label]++
		seen := map[uint16]bool{}
		for _, e := range s.Events {
			seen[e.X] = true
			if f := cf[e.X]; f >= 200 && f <= 3000 {
				inBand++
			}
		}
		total += float64(len(s.Events))
		active += float64(len(seen))
	}
	for dg := range perDigit {
		m := perDigit[dg] / nDigit[dg]
		if m < 500 || m > 6000 {
			t.Errorf("digit %d: %.0f events per utterance, want 500–6000", dg, m)
		}
	}
	act := active / float64(d.Len())
	frac := inBand / total
	t.Logf("%d utterances: %.0f events each, %.1f active channels, %.3f of events in 200–3000 Hz", d.Len(), total/float64(d.Len()), act, frac)
	if act < 30 || act > 64 {
		t.Errorf("%.1f active channels on average, want 30–64", act)
	}
	if frac < 0.75 {
		t.Errorf("only %.3f of events between 200 and 3000 Hz", frac)
	}
	// The median event sits in the band of the first formants.
	hist := make([]float64, len(cf))
	for i := range d.Len() {
		s, _ := d.Sample(i)
		for _, e := range s.Events {
			hist[e.X]++
		}
	}
	var acc float64
	for ch := len(cf) - 1; ch >= 0; ch-- { // low to high frequency
		acc += hist[ch]
		if acc >= total/2 {
			if cf[ch] < 300 || cf[ch] > 1500 {
				t.Errorf("median event frequency %.0f Hz, want 300–1500 Hz", cf[ch])
			}
			t.Logf("median event frequency %.0f Hz", cf[ch])
			break
		}
	}
}

func TestCochleaDeterministic(t *testing.T) {
	dir := sharedData(t, "fsdd/recordings")
	a, err := ReadWAV(filepath.Join(dir, "3_theo_7.wav"))
	if err != nil {
		t.Fatal(err)
	}
	e1, _ := NewCochlea(CochleaConfig{}, 5).Events(a, 9)
	e2, _ := NewCochlea(CochleaConfig{}, 5).Events(a, 9)
	e3, _ := NewCochlea(CochleaConfig{}, 6).Events(a, 9)
	if len(e1) == 0 || len(e1) != len(e2) {
		t.Fatal("same seed, different event counts")
	}
	for i := range e1 {
		if e1[i] != e2[i] {
			t.Fatal("same seed, different events")
		}
		if i > 0 && e1[i].T < e1[i-1].T {
			t.Fatal("events not sorted")
		}
		if e1[i].X >= 64 || e1[i].Y != 0 || e1[i].P != 1 {
			t.Fatalf("bad event %+v", e1[i])
		}
	}
	if len(e1) == len(e3) {
		same := true
		for i := range e1 {
			same = same && e1[i] == e3[i]
		}
		if same {
			t.Error("different seeds, same events")
		}
	}
	if ev, err := NewCochlea(CochleaConfig{}, 1).Events(&Audio{Rate: 8000, Samples: make([]float64, 100)}, 0); err != nil || len(ev) != 0 {
		t.Errorf("silence: %d events, err %v", len(ev), err)
	}
}

func fsddEvents(t *testing.T, k *Cochlea, name string, tr func([]float64) []float64) []Event {
	t.Helper()
	a, err := ReadWAV(filepath.Join(sharedData(t, "fsdd/recordings"), name))
	if err != nil {
		t.Fatal(err)
	}
	if tr != nil {
		a = &Audio{Rate: a.Rate, Samples: tr(a.Samples)}
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	ev, err := k.Events(a, h.Sum64())
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// Without gain control and at the old threshold the cochlea is the one of
// the first releases, event for event (961 events on 3_theo_7.wav, seed 1).
func TestCochleaWithoutAGC(t *testing.T) {
	ev := fsddEvents(t, NewCochlea(CochleaConfig{AGC: -1, Threshold: 0.04}, 1), "3_theo_7.wav", nil)
	if len(ev) != 961 {
		t.Errorf("%d events, want 961", len(ev))
	}
}

// The AGC takes out a spectral tilt: a first-difference filter (+6 dB per
// octave) moves the channel histogram far less with AGC than without.
func TestCochleaAGCRemovesTilt(t *testing.T) {
	tilt := func(x []float64) []float64 {
		y := make([]float64, len(x))
		for i := range x {
			y[i] = x[i]
			if i > 0 {
				y[i] -= 0.95 * x[i-1]
			}
		}
		return y
	}
	hist := func(ev []Event) []float64 {
		h := make([]float64, 64)
		for _, e := range ev {
			h[e.X] += 1 / float64(len(ev))
		}
		return h
	}
	shift := map[float64]float64{}
	for _, agc := range []float64{-1, 0.5, 1} {
		k := NewCochlea(CochleaConfig{AGC: agc}, 1)
		for _, name := range []string{"3_theo_7.wav", "8_jackson_1.wav", "0_yweweler_2.wav"} {
			a, b := hist(fsddEvents(t, k, name, nil)), hist(fsddEvents(t, k, name, tilt))
			for ch := range a {
				shift[agc] += math.Abs(a[ch]-b[ch]) / 3
			}
		}
	}
	t.Logf("histogram L1 shift under a +6 dB/octave tilt: AGC none %.3f, 0.5 %.3f, 1 %.3f", shift[-1], shift[0.5], shift[1])
	if !(shift[1] < shift[0.5] && shift[0.5] < 0.7*shift[-1]) {
		t.Errorf("tilt shifts the channel histogram by %.3f (no AGC), %.3f (β 0.5), %.3f (β 1): want decreasing, β 0.5 by 30 %%", shift[-1], shift[0.5], shift[1])
	}
}

// Warp scales every centre frequency, within Nyquist.
func TestCochleaWarp(t *testing.T) {
	base := NewCochlea(CochleaConfig{}, 1).CentreHz(8000)
	for _, w := range []float64{0.9, 1.05} {
		cf := NewCochlea(CochleaConfig{Warp: w}, 1).CentreHz(8000)
		for i := range cf {
			if math.Abs(cf[i]-w*base[i]) > 1e-9*cf[i] {
				t.Fatalf("warp %g: channel %d at %g Hz, want %g", w, i, cf[i], w*base[i])
			}
		}
	}
	if top := NewCochlea(CochleaConfig{Warp: 1.2}, 1).CentreHz(8000)[0]; top > 0.49*8000 {
		t.Errorf("warp 1.2: top channel %g Hz above 0.49 of the rate", top)
	}
	// A 1 kHz tone heard through a cochlea warped by 1.1 excites the
	// channels the unwarped one has near 1 kHz / 1.1.
	busiest := func(w float64) int {
		ev, _ := NewCochlea(CochleaConfig{Warp: w, Mismatch: -1, AGC: -1}, 1).Events(tone(1000, 8000, 0.5), 0)
		count := make([]int, 64)
		for _, e := range ev {
			count[e.X]++
		}
		var s, n float64
		for ch, c := range count {
			s += float64(ch * c)
			n += float64(c)
		}
		return int(math.Round(s / n))
	}
	got, want := busiest(1.1), busiest(1)
	// 12 channels per octave: 1/1.1 is 1.65 channels down in frequency,
	// up in channel number (channel 0 is the highest).
	if d := got - want; d < 1 || d > 3 {
		t.Errorf("1 kHz tone: centroid channel %d warped, %d unwarped: want 1–3 channels higher", got, want)
	}
}
