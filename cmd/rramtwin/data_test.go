package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rramtwin/rramtwin/dataset"
)

func realData(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("real data %s missing under CI", p)
		}
		t.Skipf("real data %s absent", p)
	}
	return p
}

func statsJSON(t *testing.T, args ...string) dataset.Stats {
	t.Helper()
	out, stderr, err := runCLI(t, append([]string{"data", "stats"}, args...)...)
	if err != nil {
		t.Fatalf("data stats %v: %v\n%s", args, err, stderr)
	}
	var st dataset.Stats
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("bad JSON %q: %v", out, err)
	}
	return st
}

func TestDataStatsRealNMNIST(t *testing.T) {
	dir := realData(t, "nmnist/Train")
	st := statsJSON(t, "nmnist:"+dir, "-json")
	if st.N != 1000 || st.Classes != 10 || math.Abs(st.EventsMean-4133.2) > 0.1 {
		t.Errorf("stats %+v", st)
	}
	out, _, err := runCLI(t, "data", "stats", "nmnist:"+dir)
	if err != nil || !strings.Contains(out, "ON fraction") || !strings.Contains(out, "4133.2") {
		t.Errorf("text output %q, %v", out, err)
	}
}

func TestDataStatsSaccadeAndFSDD(t *testing.T) {
	t.Setenv("RRAMTWIN_CACHE", t.TempDir())
	st := statsJSON(t, "mnist-saccade:train?n=200", "-json")
	if st.N != 200 || math.Abs(st.EventsMean-4133) > 0.15*4133 {
		t.Errorf("mnist-saccade stats %+v", st)
	}
	dir := realData(t, "fsdd/recordings")
	st = statsJSON(t, "fsdd:"+dir+"?speakers=george&index=0-4", "-json")
	if st.N != 50 || st.Classes != 10 || st.OnFraction != 0 {
		t.Errorf("fsdd stats %+v", st)
	}
}

func TestDataStatsErrors(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "3"), 0o755)
	good, _ := dataset.EncodeNMNIST(nil, []dataset.Event{{T: 1, X: 1, Y: 1, P: 1}})
	os.WriteFile(filepath.Join(dir, "3", "00001.bin"), good, 0o644)
	bad := filepath.Join(dir, "3", "00002.bin")
	os.WriteFile(bad, good[:3], 0o644)
	_, _, err := runCLI(t, "data", "stats", "nmnist:"+dir, "-json")
	var u usageError
	if err == nil || errors.As(err, &u) || !strings.Contains(err.Error(), bad) || strings.Contains(err.Error(), "\n") {
		t.Errorf("corrupt file: err = %v, want one non-usage line naming %s", err, bad)
	}
	for _, args := range [][]string{
		{"data", "stats"},
		{"data", "stats", "a:b", "c:d"},
		{"data", "bogus"},
		{"data"},
		{"data", "synth-nmnist", "-n", "3"},
		{"data", "show", "nmnist:x"},
		{"data", "get", "nmnist"},
	} {
		_, _, err := runCLI(t, args...)
		if !errors.As(err, &u) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	if _, _, err := runCLI(t, "data", "stats", "bogus:x"); err == nil || !strings.Contains(err.Error(), `unknown scheme "bogus"`) {
		t.Errorf("bad scheme: %v", err)
	}
	_, stderr, err := runCLI(t, "data", "stats", "-h")
	if !errors.Is(err, errHelpShown) || !strings.Contains(stderr, "-seed") {
		t.Errorf("data stats -h: %v %q", err, stderr)
	}
}

func TestDataSynthNMNISTAndShow(t *testing.T) {
	out := t.TempDir()
	stdout, _, err := runCLI(t, "data", "synth-nmnist", "-split", "test", "-n", "5", "-out", out, "-json", "-seed", "4")
	if err != nil {
		if strings.Contains(err.Error(), "module cache") && os.Getenv("CI") != "true" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	if !strings.Contains(stdout, `"n": 5`) || !strings.Contains(stdout, `"seed": 4`) {
		t.Errorf("output %s", stdout)
	}
	// MNIST test[0] is a 7: the official layout names it 7/00001.bin.
	if _, err := os.Stat(filepath.Join(out, "7", "00001.bin")); err != nil {
		t.Fatal(err)
	}
	st := statsJSON(t, "nmnist:"+out, "-json")
	if st.N != 5 || st.OnFraction < 0.4 || st.OnFraction > 0.6 {
		t.Errorf("stats of the synthetic folder %+v", st)
	}
	pngPath := filepath.Join(t.TempDir(), "s.png")
	if _, _, err := runCLI(t, "data", "show", "nmnist:"+out, "-i", "0", "-png", pngPath); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dy() != 34*8 || img.Bounds().Dx() < 6*34*8 {
		t.Errorf("png %v %v", err, img.Bounds())
	}
	if _, _, err := runCLI(t, "data", "show", "nmnist:"+out, "-i", "9", "-png", pngPath); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("index out of range: %v", err)
	}
}

func TestDataSynthAudio(t *testing.T) {
	dir := realData(t, "fsdd/recordings")
	out := filepath.Join(t.TempDir(), "george.rrev")
	stdout, _, err := runCLI(t, "data", "synth-audio", "-in", "fsdd:"+dir+"?speakers=george&index=0-1", "-out", out, "-json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, `"n": 20`) || !strings.Contains(stdout, `"format": "rrev"`) {
		t.Errorf("output %s", stdout)
	}
	st := statsJSON(t, "events:"+out, "-json")
	if st.N != 20 || st.Classes != 10 || st.EventsMean < 500 {
		t.Errorf("stats %+v", st)
	}
	pngPath := filepath.Join(t.TempDir(), "r.png")
	if _, _, err := runCLI(t, "data", "show", "events:"+out, "-i", "3", "-png", pngPath); err != nil {
		t.Fatal(err)
	}
	h5 := filepath.Join(t.TempDir(), "x.h5")
	_, _, err = runCLI(t, "data", "synth-audio", "-in", "fsdd:"+dir+"?speakers=george&index=0-1", "-out", h5)
	if dataset.HDF5 {
		if err != nil {
			t.Fatal(err)
		}
		st := statsJSON(t, "ntidigits:"+h5+"?split=test", "-json")
		if st.N != 20 {
			t.Errorf("N-TIDIGITS output: %+v", st)
		}
	} else if err == nil || !strings.Contains(err.Error(), "HDF5") {
		t.Errorf("h5 without the hdf5 tag: err = %v", err)
	}
}

func TestDataGetLocalServer(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("recordings/5_theo_3.wav")
	w.Write(dataset.EncodeWAV(&dataset.Audio{Rate: 8000, Samples: make([]float64, 800)}))
	zw.Close()
	arch := b.Bytes()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(arch) }))
	defer ts.Close()
	h := sha256.Sum256(arch)
	sum := hex.EncodeToString(h[:])
	old := dataset.Downloads
	dataset.Downloads = map[string]dataset.Download{"fsdd": {BaseURL: "https://invalid.example/", Archives: []dataset.Archive{{Path: "a.zip", File: "a.zip", Format: "zip"}}}}
	defer func() { dataset.Downloads = old }()
	t.Setenv("RRAMTWIN_DATA_URL", ts.URL)
	dir := t.TempDir()
	out, _, err := runCLI(t, "data", "get", "fsdd", "-dir", dir, "-sha256", sum, "-json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, sum) {
		t.Errorf("output %s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "recordings", "5_theo_3.wav")); err != nil {
		t.Error(err)
	}
	_, _, err = runCLI(t, "data", "get", "fsdd", "-dir", t.TempDir(), "-sha256", strings.Repeat("ab", 32))
	if err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("wrong checksum: %v", err)
	}
}
