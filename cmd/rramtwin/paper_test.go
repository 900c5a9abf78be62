package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/rramtwin/rramtwin/bench"
)

const (
	realNMNIST = "../../../shared/data/nmnist/Train"
	realFSDD   = "../../../shared/data/fsdd/recordings"
)

// tinyPaper is a reproduction small enough for a test: a few dozen
// samples, two epochs, on the model; smaller still with -short (for -race).
func tinyPaper(t *testing.T, extra ...string) []string {
	return append([]string{"paper", "-hw", "model", "-train-n", "40", "-test-n", "20", "-epochs", "2",
		"-nmnist", realNMNIST, "-nmnist-n", strconv.Itoa(tinyReal()), "-fsdd", realFSDD, "-fsdd-index", tinyFSDD(),
		"-cache", t.TempDir()}, extra...)
}

// tinyReal is how many real N-MNIST recordings the tiny run uses.
func tinyReal() int {
	if testing.Short() {
		return 50
	}
	return 100
}

// tinyFSDD is the FSDD recordings per speaker and digit of the tiny run.
func tinyFSDD() string {
	if testing.Short() {
		return "0-0"
	}
	return "0-1"
}

// haveData reports whether the real data is there; in CI it must be.
func haveData(t *testing.T, dir string) bool {
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI: %s is missing", dir)
		}
		return false
	}
	return true
}

func TestPaperTinyJSON(t *testing.T) {
	out, _, err := runCLI(t, tinyPaper(t, "-json")...)
	if err != nil {
		t.Fatal(err)
	}
	var r bench.PaperReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not a report: %v\n%s", err, out)
	}
	if !strings.HasPrefix(r.Chip, "model (model-seed-1") || !strings.Contains(r.Chip, "2 macro(s)") || r.Software != "gauss" {
		t.Errorf("backends: software %q, chip %q", r.Software, r.Chip)
	}
	want := []struct {
		task string
		pub  bench.Published
		data string // the directory the row needs ("" = none)
	}{
		{"N-MNIST (camera)", bench.PublishedNMNIST, ""},
		{"N-MNIST real (5-fold CV)", bench.PublishedNMNIST, realNMNIST},
		{"audio (cochlea)", bench.PublishedTIDIGITS, realFSDD},
		{"audio + VTLP, log counts", bench.PublishedTIDIGITS, realFSDD},
		{"association, seen 1–7", bench.PublishedSeen, realFSDD},
		{"association, unseen 8–9", bench.PublishedUnseen, realFSDD},
		{"association, seen 1–7, class loss", bench.PublishedSeen, realFSDD},
		{"association, unseen 8–9, class loss", bench.PublishedUnseen, realFSDD},
	}
	if len(r.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(r.Rows), len(want))
	}
	for i, w := range want {
		row := r.Rows[i]
		if row.Task != w.task || row.Published != w.pub || row.Data == "" {
			t.Errorf("row %d: task %q published %+v data %q; want %q %+v", i, row.Task, row.Published, row.Data, w.task, w.pub)
		}
		present := w.data == "" || haveData(t, w.data)
		for side, c := range map[string]bench.PaperCell{"software": row.Software, "chip": row.Chip} {
			switch {
			case present && !c.Done():
				t.Errorf("%s, %s: skipped (%s) although its data is there", row.Task, side, c.Skipped)
			case present && (c.AccuracyPct < 0 || c.AccuracyPct > 100 || c.TestN < 1):
				t.Errorf("%s, %s: accuracy %g %% on %d", row.Task, side, c.AccuracyPct, c.TestN)
			case !present && !strings.Contains(c.Skipped, "not found"):
				t.Errorf("%s, %s: data absent but the reason is %q", row.Task, side, c.Skipped)
			case present && (side == "chip") != (c.EnergyNJ > 0):
				t.Errorf("%s, %s: energy %g nJ per inference (the chip's ledger only)", row.Task, side, c.EnergyNJ)
			}
		}
	}
	if r.Rows[0].Data != "mnist-saccade:train?n=40 → mnist-saccade:test?n=20" {
		t.Errorf("camera row data %q", r.Rows[0].Data)
	}
	if n := tinyReal(); haveData(t, realNMNIST) && (!strings.Contains(r.Rows[1].Data, fmt.Sprintf("%d of 1000", n)) || r.Rows[1].Software.TestN != n) {
		t.Errorf("real N-MNIST row: data %q, n %d", r.Rows[1].Data, r.Rows[1].Software.TestN)
	}
}

func TestPaperTable(t *testing.T) {
	out, _, err := runCLI(t, tinyPaper(t, "-fsdd", t.TempDir(), "-nmnist", t.TempDir()+"/none")...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pub. software", "our chip", "N-MNIST (camera)", "89.11%", "89.66%", "70.79%", "70.11%",
		"66.10%", "67.42%", "88.00%", "87.50%", "[1] ours: mnist-saccade:train?n=40", "[5] ours: fsdd:",
		"audio (cochlea)", "software skipped: FSDD not found at", "chip skipped: FSDD not found at",
		"software skipped: real N-MNIST not found at"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// Every row has both cells: a number or "skipped".
	for _, line := range strings.Split(out, "\n") {
		if strings.HasSuffix(line, "]") && strings.Contains(line, "%") {
			if n := strings.Count(line, "%") + strings.Count(line, "skipped"); n != 4 {
				t.Errorf("row without 4 cells: %q", line)
			}
		}
	}
}

func TestPaperChipUnavailable(t *testing.T) {
	// An explicit -hw that cannot be opened is an error; the chip column
	// of the default is skipped instead (tested in bench).
	_, _, err := runCLI(t, "paper", "-hw", "nonesuch", "-train-n", "10", "-test-n", "10", "-cache", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "nonesuch") {
		t.Fatalf("err = %v, want one naming the backend", err)
	}
	if _, _, err := runCLI(t, "paper", "-hw", "gauss"); err == nil {
		t.Fatal("-hw gauss accepted")
	}
}
