package dataset

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

func evSamples() []Sample {
	return []Sample{
		{Events: []Event{{T: 1, X: 3, P: 1}, {T: 9, X: 63, P: 1}}, Label: 7, Meta: Meta{Key: "fsdd-theo-3-7", Index: 3}},
		{Events: nil, Label: 0, Meta: Meta{Key: "", Index: 0}},
		{Events: []Event{{T: 1 << 40, X: 0, P: 1}}, Label: 2, Meta: Meta{Key: "x", Index: 12}},
	}
}

func TestEventFileRoundTrip(t *testing.T) {
	sh := Shape{64, 1, KindCochlea}
	path := filepath.Join(t.TempDir(), "a.rrev")
	if err := WriteEventsFile(path, sh, 10, evSamples()); err != nil {
		t.Fatal(err)
	}
	f, err := OpenEvents(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != 3 || f.Shape() != sh || f.Classes() != 10 || f.Label(0) != 7 {
		t.Fatalf("len %d shape %v classes %d", f.Len(), f.Shape(), f.Classes())
	}
	for i, want := range evSamples() {
		got, err := f.Sample(i)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Events, want.Events) || got.Label != want.Label || got.Meta.Key != want.Meta.Key || got.Meta.Index != want.Meta.Index {
			t.Errorf("sample %d: got %+v, want %+v", i, got, want)
		}
	}
}

func TestEventFileErrors(t *testing.T) {
	var b bytes.Buffer
	WriteEvents(&b, Shape{64, 1, KindCochlea}, 10, evSamples())
	good := b.Bytes()
	var fe *FormatError
	if _, err := DecodeEvents(good[:len(good)-3], "cut.rrev"); !errors.As(err, &fe) {
		t.Errorf("truncated: err = %v", err)
	}
	if _, err := DecodeEvents(append(slices.Clone(good), 0), "long.rrev"); !errors.As(err, &fe) || fe.Offset != int64(len(good)) {
		t.Errorf("trailing byte: err = %v", err)
	}
	bad := slices.Clone(good)
	bad[0] = 'X'
	if _, err := DecodeEvents(bad, "magic.rrev"); err == nil {
		t.Error("bad magic: no error")
	}
	// A channel beyond the sensor is caught when the sample is read.
	var c bytes.Buffer
	WriteEvents(&c, Shape{4, 1, KindCochlea}, 10, evSamples()[:1])
	f, err := DecodeEvents(c.Bytes(), "addr.rrev")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Sample(0); !errors.As(err, &fe) || fe.File != "addr.rrev" {
		t.Errorf("address out of range: err = %v", err)
	}
}

func FuzzDecodeEvents(f *testing.F) {
	var b bytes.Buffer
	WriteEvents(&b, Shape{64, 1, KindCochlea}, 10, evSamples())
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		ef, err := DecodeEvents(b, "fuzz.rrev")
		if err != nil {
			return
		}
		for i := range ef.Len() {
			s, err := ef.Sample(i)
			if err != nil {
				continue
			}
			if _, ok := checkSorted(s.Events); !ok {
				t.Fatal("unsorted events accepted")
			}
		}
	})
}
