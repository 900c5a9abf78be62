package bench

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/internal/atomicfile"
	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/macro"
)

// testCache is one data cache shared by the package's tests, so the
// synthesized MNIST saccades are made once per run.
var testCache = sync.OnceValue(func() string {
	d, err := os.MkdirTemp("", "rramtwin-bench-test-")
	if err != nil {
		panic(err)
	}
	return d
})

func TestMain(m *testing.M) {
	code := m.Run()
	os.RemoveAll(testCache())
	os.Exit(code)
}

func openSpec(t testing.TB, spec string) dataset.Dataset {
	t.Helper()
	ds, err := dataset.Open(spec, dataset.Options{CacheDir: testCache()})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// compareOn runs a small nmnist comparison on a model chip of preset.
func compareOn(t *testing.T, preset string, twin bool, seed uint64) CompareReport {
	t.Helper()
	p, err := macro.LookupPreset(preset)
	if err != nil {
		t.Fatal(err)
	}
	chip, err := macro.NewModel(p, seed)
	if err != nil {
		t.Fatal(err)
	}
	train, test := "mnist-saccade:train?n=600", "mnist-saccade:test?n=200"
	if testing.Short() {
		train, test = "mnist-saccade:train?n=400", "mnist-saccade:test?n=100"
	}
	rep, err := Compare(context.Background(), CompareConfig{
		Task: "nmnist", TrainSpec: train, TestSpec: test, Train: openSpec(t, train), Test: openSpec(t, test),
		Hardware: Backend{Name: "model", Preset: preset, Chip: chip}, SoftwareTwin: twin, Seed: seed,
		MACVectors: 256, RasterSample: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

var ideal struct {
	sync.Mutex
	rep *CompareReport
}

// idealReport is the comparison on the ideal chip with the twin, run once.
func idealReport(t *testing.T) CompareReport {
	ideal.Lock()
	defer ideal.Unlock()
	if ideal.rep == nil {
		r := compareOn(t, "ideal", true, 3)
		ideal.rep = &r
	}
	return *ideal.rep
}

// TestCompareIdealTwinHasNoGap: on the ideal chip, with the software twin
// on the chip's read-back weights, the two sides are the same computation,
// so the gap is exactly 0, every prediction agrees and the MAC is exact.
func TestCompareIdealTwinHasNoGap(t *testing.T) {
	r := idealReport(t)
	if r.GapPt != 0 || r.Agreement != 1 {
		t.Errorf("gap %g pt, agreement %g; want exactly 0 and 1", r.GapPt, r.Agreement)
	}
	if !slices.Equal(r.Software.Classify.TestFeatures.Counts, r.Hardware.Classify.TestFeatures.Counts) {
		t.Error("software twin and ideal chip features differ")
	}
	if r.MACRMSE != 0 || r.MAC.RMSEuA != 0 || r.MAC.Bias != 0 || r.MAC.MaxAbs != 0 {
		t.Errorf("MAC error on the ideal chip: rmse %g LSB, %g µA, bias %g, max %g; want 0", r.MACRMSE, r.MAC.RMSEuA, r.MAC.Bias, r.MAC.MaxAbs)
	}
	if r.MAC.Corr != 1 || r.MAC.Samples != 256*400 || r.MAC.MeanCode < 20 {
		t.Errorf("MAC measurement: corr %g over %d samples, mean code %g", r.MAC.Corr, r.MAC.Samples, r.MAC.MeanCode)
	}
	if r.Software.Accuracy < 0.3 {
		t.Errorf("accuracy %g: the experiment learns nothing, the test checks nothing", r.Software.Accuracy)
	}
	for k, g := range r.PerClassGapPt {
		if g != 0 {
			t.Errorf("class %d gap %g pt", k, g)
		}
	}
	// Same preset and seed: the chip's map is the fresh model's.
	if r.Conductance.KS != 0 || !slices.Equal(r.Conductance.ChipMap, r.Conductance.ModelMap) {
		t.Errorf("ideal chip and fresh model maps differ (KS %g)", r.Conductance.KS)
	}
	checkRaster(t, r)
}

// checkRaster: the raster's spike counts are the sample's features.
func checkRaster(t *testing.T, r CompareReport) {
	t.Helper()
	ra := r.Raster
	for _, side := range []struct {
		name  string
		train []uint8
		f     []int32
	}{{"software", ra.Software, r.Software.Classify.TestFeatures.Row(ra.Sample)}, {"hardware", ra.Hardware, r.Hardware.Classify.TestFeatures.Row(ra.Sample)}} {
		if len(side.train) != ra.Steps*ra.Neurons {
			t.Fatalf("%s raster has %d cells, want %d×%d", side.name, len(side.train), ra.Steps, ra.Neurons)
		}
		sum := make([]int32, ra.Neurons)
		for k, s := range side.train {
			sum[k%ra.Neurons] += int32(s)
		}
		if !slices.Equal(sum, side.f) {
			t.Errorf("%s raster of sample %d does not sum to its features", side.name, ra.Sample)
		}
	}
}

// TestCompareLin2025 is the realistic chip against the paper's
// independent software draw, and against its own twin: non-zero but
// bounded gaps, a MAC error of a few LSB.
func TestCompareLin2025(t *testing.T) {
	r := compareOn(t, "lin2025-40nm", false, 3)
	t.Logf("software %.1f %%, chip %.1f %%, gap %.1f ± %.1f pt; MAC rmse %.3f LSB bias %.3f corr %.5f; KS %.4f; %.3g J/inference",
		100*r.Software.Accuracy, 100*r.Hardware.Accuracy, r.GapPt, r.GapSEPt, r.MACRMSE, r.MAC.Bias, r.MAC.Corr, r.Conductance.KS, r.Hardware.EnergyJPerInference)
	if r.Software.Backend != "gauss" || r.SoftwareTwin {
		t.Errorf("software side is %q, want the independent gauss draw", r.Software.Backend)
	}
	if r.Software.Accuracy < 0.3 || r.Hardware.Accuracy < 0.3 {
		t.Errorf("accuracies %g and %g: nothing learned", r.Software.Accuracy, r.Hardware.Accuracy)
	}
	// Different reservoirs and a noisy chip: the sides differ somewhere,
	// and by no more than the sampling error of 100–200 test samples allows
	// for two readouts of the same quality (20 pt ≈ 4–5 standard errors).
	if r.Agreement == 1 {
		t.Error("every prediction agrees: the two sides are not different reservoirs")
	}
	if r.GapPt == 0 || math.Abs(r.GapPt) > 20 {
		t.Errorf("gap %g pt, want 0 < |gap| ≤ 20", r.GapPt)
	}
	// 8-bit ADC with 1 % gain and 0.5 LSB offset mismatch and ≈1 % read
	// noise: the codes track the prediction closely but not exactly.
	m := r.MAC
	if !(m.RMSE > 0.2 && m.RMSE < 5) || math.Abs(m.Bias) > 1 || m.Corr < 0.99 {
		t.Errorf("MAC error rmse %g LSB, bias %g, corr %g", m.RMSE, m.Bias, m.Corr)
	}
	if r.Hardware.EnergyJPerInference <= 0 || r.Software.EnergyJPerInference != 0 {
		t.Errorf("energy per inference: chip %g J, software %g J", r.Hardware.EnergyJPerInference, r.Software.EnergyJPerInference)
	}
	// Same preset and seed, formed and read back alike (the model keys read
	// noise by operation): the maps are identical.
	if r.Conductance.KS != 0 || !slices.Equal(r.Conductance.ChipMap, r.Conductance.ModelMap) {
		t.Errorf("chip and model maps: KS %g, means %g and %g µS", r.Conductance.KS, r.Conductance.Chip.GMeanUS, r.Conductance.Model.GMeanUS)
	}
	checkRaster(t, r)

	if testing.Short() {
		return
	}
	// The report is a function of the seed and the data.
	again := compareOn(t, "lin2025-40nm", false, 3)
	if a, b := reportJSON(t, r), reportJSON(t, again); a != b {
		t.Errorf("two runs with one seed differ:\n%s\n%s", a, b)
	}
	tw := compareOn(t, "lin2025-40nm", true, 3)
	t.Logf("twin: software %.1f %%, chip %.1f %%, gap %.1f ± %.1f pt, agreement %.3f", 100*tw.Software.Accuracy, 100*tw.Hardware.Accuracy, tw.GapPt, tw.GapSEPt, tw.Agreement)
	if tw.Agreement < r.Agreement || math.Abs(tw.GapPt) > 10 {
		t.Errorf("twin agreement %g (independent draw %g), gap %g pt", tw.Agreement, r.Agreement, tw.GapPt)
	}
}

func TestWriteReport(t *testing.T) {
	r := idealReport(t)
	dir := filepath.Join(t.TempDir(), "r")
	if err := WriteReport(dir, r); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{ReportJSON, ReportMarkdown, PlotAccuracy, PlotConductance, PlotMACScatter, PlotSpikeRaster} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".png") && !strings.HasPrefix(string(b), "\x89PNG") {
			t.Errorf("%s is not a PNG", f)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, ReportJSON))
	var got struct {
		Software struct{ Accuracy *float64 }
		Hardware struct{ Accuracy *float64 }
		GapPt    *float64 `json:"gap_pt"`
		MACRMSE  *float64 `json:"mac_rmse"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Software.Accuracy == nil || got.Hardware.Accuracy == nil || got.GapPt == nil || got.MACRMSE == nil {
		t.Errorf("report.json lacks a headline key:\n%.400s", b)
	}
	md, _ := os.ReadFile(filepath.Join(dir, ReportMarkdown))
	for _, want := range []string{"LSM (software)", "LSM (chip)", "MAC error", "(" + PlotSpikeRaster + ")"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

// errCut is the simulated interruption.
var errCut = errors.New("interrupted")

// cutWriter passes n bytes, then fails.
type cutWriter struct {
	w io.Writer
	n int
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if len(p) > c.n {
		k, _ := c.w.Write(p[:c.n])
		c.n = 0
		return k, errCut
	}
	c.n -= len(p)
	return c.w.Write(p)
}

// TestWriteReportInterrupted cuts the run midway through each file in
// turn, over a directory holding a complete earlier report: no run leaves
// a report.json (the earlier one is gone too, since the plots beside it
// may now be half new), nor temporary files.
func TestWriteReportInterrupted(t *testing.T) {
	r := idealReport(t)
	files := []string{PlotAccuracy, PlotConductance, PlotMACScatter, PlotSpikeRaster, ReportMarkdown, ReportJSON}
	cuts := map[int]bool{0: true, 3: true, 4: true, 5: true} // the first and last plot, the markdown, the JSON
	if testing.Short() {
		cuts = map[int]bool{0: true, 5: true}
	}
	defer func(w func(string, func(io.Writer) error) error) { writeFile = w }(writeFile)
	complete := t.TempDir()
	if err := WriteReport(complete, r); err != nil {
		t.Fatal(err)
	}
	for cut, name := range files {
		if !cuts[cut] {
			continue
		}
		dir := t.TempDir()
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(complete, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		calls := 0
		writeFile = func(path string, fn func(io.Writer) error) error {
			if calls++; calls-1 != cut {
				return atomicWrite(path, fn)
			}
			return atomicWrite(path, func(w io.Writer) error { return fn(&cutWriter{w: w, n: 100}) })
		}
		err := WriteReport(dir, r)
		if !errors.Is(err, errCut) {
			t.Fatalf("cut in %s: err = %v, want the interruption", name, err)
		}
		if _, err := os.Stat(filepath.Join(dir, ReportJSON)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("cut in %s: report.json exists (%v)", name, err)
		}
		left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
		if len(left) > 0 {
			t.Errorf("cut in %s: temporary files left: %v", name, left)
		}
	}
}

var atomicWrite = atomicfile.Write

// synthAudio writes a small cochlea-like event file: class k fires
// channels around 6k+3 at rates drawn from the seed.
func synthAudio(t *testing.T, n int, seed uint64) dataset.Dataset {
	t.Helper()
	r := rng.New(seed, "bench/test/audio")
	samples := make([]dataset.Sample, n)
	for i := range samples {
		k := i % 10
		var ev []dataset.Event
		for ts := int64(0); ts < 900_000; ts += 1000 {
			for range 2 {
				if r.Float64() < 0.6 {
					ch := min(max(6*k+3+int(r.NormFloat64()*3), 0), 63)
					ev = append(ev, dataset.Event{T: ts + int64(r.IntN(1000)), X: uint16(ch), P: 1})
				}
			}
		}
		slices.SortFunc(ev, func(a, b dataset.Event) int { return int(a.T - b.T) })
		samples[i] = dataset.Sample{Events: ev, Label: k}
	}
	path := filepath.Join(t.TempDir(), "audio.rrev")
	if err := dataset.WriteEventsFile(path, dataset.Shape{Width: 64, Height: 1, Kind: dataset.KindCochlea}, 10, samples); err != nil {
		t.Fatal(err)
	}
	return openSpec(t, "events:"+path)
}

// TestCompareAssociateIdealTwin: association on a two-macro ideal chip
// against its twin has no gap, seen or unseen; one macro is refused.
func TestCompareAssociateIdealTwin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs in the full pass (two reservoirs, four data sets)")
	}
	p, _ := macro.LookupPreset("ideal")
	p.Macros = 2
	chip, err := macro.NewModel(p, 4)
	if err != nil {
		t.Fatal(err)
	}
	const vtr, vte = "mnist-saccade:train?n=300", "mnist-saccade:test?n=100"
	cfg := CompareConfig{Task: "associate",
		AssocData:  [4]dataset.Dataset{openSpec(t, vtr), synthAudio(t, 300, 1), openSpec(t, vte), synthAudio(t, 100, 2)},
		AssocSpecs: [4]string{vtr, "synth-audio-train", vte, "synth-audio-test"},
		Hardware:   Backend{Name: "model", Preset: "ideal", Chip: chip}, SoftwareTwin: true, Seed: 4, Epochs: 10, MACVectors: 32,
	}
	r, err := Compare(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.GapPt != 0 || r.UnseenGapPt == nil || *r.UnseenGapPt != 0 || r.MACRMSE != 0 {
		t.Errorf("gap %g pt, unseen gap %v, MAC rmse %g; want 0", r.GapPt, r.UnseenGapPt, r.MACRMSE)
	}
	if r.Software.Accuracy == 0 || r.Raster.Steps != 50 {
		t.Errorf("seen accuracy %g, raster of %d steps", r.Software.Accuracy, r.Raster.Steps)
	}
	p.Macros = 1
	one, err := macro.NewModel(p, 4)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Hardware.Chip = one
	if _, err := Compare(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "2 macros") {
		t.Errorf("one-macro chip: err = %v", err)
	}
}

// reportJSON is r as JSON without its timings.
func reportJSON(t *testing.T, r CompareReport) string {
	t.Helper()
	r.Seconds = 0
	for _, s := range []*Side{&r.Software, &r.Hardware} {
		s.EncodeSamplesPerS = 0
		c := *s.Classify
		c.Seconds, c.EncodeSamplesPerS = 0, 0
		s.Classify = &c
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
