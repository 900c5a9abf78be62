package main

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/lsm"
)

// -val: stratified is no speakers; speaker rotates with the seed; named
// speakers must be training speakers and leave one to train on.
func TestParseVal(t *testing.T) {
	if !haveData(t, realFSDD) {
		t.Skipf("no FSDD at %s", realFSDD)
	}
	tr, err := dataset.Open("fsdd:"+realFSDD+"?speakers=lucas,theo&index=0", dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		arg  string
		seed uint64
		want []string
	}{
		{"stratified", 1, nil},
		{"speaker", 1, []string{"lucas"}},
		{"speaker", 2, []string{"theo"}},
		{"speaker:theo", 1, []string{"theo"}},
	} {
		got, err := parseVal(c.arg, tr, c.seed)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("parseVal(%q, seed %d) = %q, %v; want %q", c.arg, c.seed, got, err, c.want)
		}
	}
	for _, arg := range []string{"speakers", "speaker:", "speaker:george", "speaker:lucas,theo", "random"} {
		if got, err := parseVal(arg, tr, 1); err == nil {
			t.Errorf("parseVal(%q) = %q, accepted", arg, got)
		}
	}
}

// -norm names the lsm normalisations; anything else is refused.
func TestParseNorm(t *testing.T) {
	for arg, want := range map[string]string{"none": lsm.NormNone, "speaker": lsm.NormGroup, "speaker-mean": lsm.NormGroupMean, "recording": lsm.NormSample} {
		if got, err := parseNorm(arg); got != want || err != nil {
			t.Errorf("parseNorm(%q) = %q, %v; want %q", arg, got, err, want)
		}
	}
	for _, arg := range []string{"", "group", "Speaker"} {
		if got, err := parseNorm(arg); err == nil {
			t.Errorf("parseNorm(%q) = %q, accepted", arg, got)
		}
	}
}

// TestClassifyNormEnsembleFlags: -norm speaker and -ensemble 2 show in the
// report (the norm as asked for, one accuracy per member), and
// malformed values, or an ensemble on a chip, are usage errors naming the
// flag.
func TestClassifyNormEnsembleFlags(t *testing.T) {
	if !haveData(t, realFSDD) {
		t.Skipf("%s is missing (it is there in CI)", realFSDD)
	}
	t.Setenv("RRAMTWIN_CACHE", t.TempDir())
	base := []string{"classify", "-task", "audio", "-train", "fsdd:" + realFSDD + "?speakers=george,lucas&index=0-1",
		"-test", "fsdd:" + realFSDD + "?speakers=theo&index=0", "-vtlp", "none", "-epochs", "2", "-json"}
	out, _, err := runCLI(t, append(slices.Clone(base), "-norm", "speaker", "-ensemble", "2")...)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Norm     string    `json:"norm"`
		Ensemble []float64 `json:"ensemble"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Norm != "speaker" || len(r.Ensemble) != 2 {
		t.Errorf("-norm speaker -ensemble 2: norm %q, members %v", r.Norm, r.Ensemble)
	}
	var u usageError
	for _, bad := range [][]string{{"-norm", "group"}, {"-ensemble", "0"}, {"-ensemble", "2", "-backend", "model"}} {
		if _, _, err := runCLI(t, append(slices.Clone(base), bad...)...); !errors.As(err, &u) || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%q: %v, want a usage error naming %s", bad, err, bad[0])
		}
	}
}
