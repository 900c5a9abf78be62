package lsm

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// readNMNIST decodes an N-MNIST .bin recording (DESIGN §4) — a test-only
// reader; the project's reader lives in dataset/.
func readNMNIST(t testing.TB, path string) []Event {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ev := make([]Event, 0, len(b)/5)
	for i := 0; i+5 <= len(b); i += 5 {
		ev = append(ev, Event{
			X: uint16(b[i]), Y: uint16(b[i+1]), P: b[i+2] >> 7,
			T: int64(b[i+2]&0x7f)<<16 | int64(b[i+3])<<8 | int64(b[i+4]),
		})
	}
	return ev
}

func nmnistFiles(t testing.TB) []string {
	files, _ := filepath.Glob("../../shared/data/nmnist/Train/*/*.bin")
	if len(files) == 0 {
		files, _ = filepath.Glob("../shared/data/nmnist/Train/*/*.bin")
	}
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("real N-MNIST recordings missing from ../shared/data/nmnist")
		}
		t.Skip("real N-MNIST recordings not found in ../shared/data/nmnist; skipping")
	}
	sort.Strings(files)
	return files
}

// TestRealNMNIST encodes the real recordings with the paper configuration
// and cross-validates the linear probe: far above chance (10 %) even on
// 1,000 samples. The full-size accuracy targets are measured by the CLI.
func TestRealNMNIST(t *testing.T) {
	files := nmnistFiles(t)
	if testing.Short() {
		files = files[:min(len(files), 300)]
	}
	var recs [][]Event
	var labels []int
	for _, f := range files {
		recs = append(recs, readNMNIST(t, f))
		labels = append(labels, int(filepath.Base(filepath.Dir(f))[0]-'0'))
	}
	g, _ := NewGauss(NMNIST, 1)
	feats, err := EncodeBatch(context.Background(), g, Recordings{Events: recs, Framer: CameraFraming{}}, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := ProbeNMNIST
	cfg.LR = 1e-3 // 1,000 samples give 100× fewer steps than 60,000
	cv, err := CrossValidate(feats.Matrix(), labels, 5, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("N-MNIST, %d real recordings, 5-fold: %.3f ± %.3f", len(files), cv.Mean, cv.Std)
	if cv.Mean < 0.5 {
		t.Errorf("5-fold accuracy %.3f on real N-MNIST", cv.Mean)
	}
}
