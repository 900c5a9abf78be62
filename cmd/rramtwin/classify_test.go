package main

import (
	"slices"
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
