package main

import (
	"slices"
	"testing"

	"github.com/rramtwin/rramtwin/dataset"
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
