package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"slices"
	"testing"
)

func TestMNISTKnownLabels(t *testing.T) {
	tr := mnistOrSkip(t, "train")
	te := mnistOrSkip(t, "test")
	if tr.Images.N != 60000 || te.Images.N != 10000 || tr.Images.Rows != 28 || tr.Images.Cols != 28 {
		t.Fatalf("sizes %d %d %d×%d", tr.Images.N, te.Images.N, tr.Images.Rows, tr.Images.Cols)
	}
	if !slices.Equal(tr.Labels[:6], []byte{5, 0, 4, 1, 9, 2}) || !slices.Equal(te.Labels[:6], []byte{7, 2, 1, 0, 4, 1}) {
		t.Errorf("first labels %v %v", tr.Labels[:6], te.Labels[:6])
	}
	if _, err := LoadMNIST("validation"); err == nil {
		t.Error("unknown split: no error")
	}
}

func idxBytes(gz bool, magic byte, dims []uint32, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, 8, magic})
	for _, d := range dims {
		b.Write([]byte{byte(d >> 24), byte(d >> 16), byte(d >> 8), byte(d)})
	}
	b.Write(data)
	if !gz {
		return b.Bytes()
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(b.Bytes())
	w.Close()
	return z.Bytes()
}

func TestReadIDX(t *testing.T) {
	for _, gz := range []bool{false, true} {
		m, err := ReadIDX(bytes.NewReader(idxBytes(gz, 3, []uint32{2, 2, 3}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})), "x")
		if err != nil {
			t.Fatal(err)
		}
		if m.N != 2 || m.Rows != 2 || m.Cols != 3 || !slices.Equal(m.Image(1), []byte{7, 8, 9, 10, 11, 12}) {
			t.Errorf("gz=%v: got %+v", gz, m)
		}
	}
	_, err := ReadIDX(bytes.NewReader(idxBytes(false, 3, []uint32{2, 2, 3}, []byte{1, 2, 3})), "short.idx")
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Offset != 16+3 {
		t.Errorf("truncated: err = %v, want a FormatError at byte 19", err)
	}
	if _, err := ReadIDX(bytes.NewReader([]byte{0, 0, 9, 3}), "m"); err == nil {
		t.Error("bad magic: no error")
	}
}

func FuzzReadIDX(f *testing.F) {
	f.Add(idxBytes(false, 1, []uint32{3}, []byte{1, 2, 3}))
	f.Add(idxBytes(true, 3, []uint32{1, 2, 2}, []byte{1, 2, 3, 4}))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadIDX(bytes.NewReader(b), "fuzz")
		if err == nil && len(m.Pix) != m.N*m.Rows*m.Cols {
			t.Fatalf("%d bytes for %d×%d×%d", len(m.Pix), m.N, m.Rows, m.Cols)
		}
	})
}
