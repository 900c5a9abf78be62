package dataset

import (
	"encoding/binary"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// wavBytes builds a WAV with the given format tag, bits and channels from
// frames of samples in [−1, 1].
func wavBytes(format, bits, channels, rate int, frames [][]float64) []byte {
	var data []byte
	for _, fr := range frames {
		for _, v := range fr {
			switch {
			case format == 3 && bits == 32:
				data = binary.LittleEndian.AppendUint32(data, math.Float32bits(float32(v)))
			case bits == 8:
				data = append(data, byte(int(math.Round(v*127))+128))
			case bits == 16:
				data = binary.LittleEndian.AppendUint16(data, uint16(int16(math.Round(v*32767))))
			case bits == 24:
				x := int32(math.Round(v * 8388607))
				data = append(data, byte(x), byte(x>>8), byte(x>>16))
			case bits == 32:
				data = binary.LittleEndian.AppendUint32(data, uint32(int32(math.Round(v*2147483647))))
			}
		}
	}
	var b []byte
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(4+8+16+8+8+len(data)))
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, uint16(format))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(bits))
	b = append(b, "LIST"...) // an unrelated chunk to skip
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}

func TestDecodeWAVFormats(t *testing.T) {
	frames := [][]float64{{0.5, -0.5}, {0.25, 0.75}, {-1, -1}}
	want := []float64{0, 0.5, -1}
	for _, c := range []struct{ format, bits int }{{1, 8}, {1, 16}, {1, 24}, {1, 32}, {3, 32}} {
		for _, ch := range []int{1, 2} {
			fr := frames
			w := want
			if ch == 1 {
				fr = [][]float64{{0.5}, {-0.25}, {0}}
				w = []float64{0.5, -0.25, 0}
			}
			a, err := DecodeWAV(wavBytes(c.format, c.bits, ch, 22050, fr), "t.wav")
			if err != nil {
				t.Fatalf("format %d bits %d ch %d: %v", c.format, c.bits, ch, err)
			}
			tol := 2.0 / 127
			if c.bits > 8 {
				tol = 1e-4
			}
			if a.Rate != 22050 || len(a.Samples) != 3 {
				t.Fatalf("format %d bits %d: rate %d, %d samples", c.format, c.bits, a.Rate, len(a.Samples))
			}
			for i := range w {
				if math.Abs(a.Samples[i]-w[i]) > tol {
					t.Errorf("format %d bits %d ch %d: sample %d = %g, want %g", c.format, c.bits, ch, i, a.Samples[i], w[i])
				}
			}
		}
	}
	// EncodeWAV round trip.
	a := &Audio{Rate: 8000, Samples: []float64{0, 0.5, -0.5, 1}}
	b, err := DecodeWAV(EncodeWAV(a), "rt.wav")
	if err != nil || b.Rate != 8000 || len(b.Samples) != 4 || math.Abs(b.Samples[1]-0.5) > 1e-4 {
		t.Errorf("EncodeWAV round trip: %v %+v", err, b)
	}
}

func TestDecodeWAVLyingHeader(t *testing.T) {
	good := wavBytes(1, 16, 1, 8000, [][]float64{{0.1}, {0.2}, {0.3}})
	lying := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(lying[len(lying)-6-4:], 1000) // data size
	_, err := DecodeWAV(lying, "lie.wav")
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Offset != int64(len(good)-6-4) || !strings.Contains(err.Error(), "past the end") {
		t.Errorf("lying data size: err = %v", err)
	}
	riff := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(riff[4:], 1<<30)
	if _, err := DecodeWAV(riff, "riff.wav"); err == nil || !strings.Contains(err.Error(), "riff.wav: byte 4") {
		t.Errorf("lying RIFF size: err = %v", err)
	}
	odd := wavBytes(1, 16, 2, 8000, [][]float64{{0.1, 0.2}})
	odd = odd[:len(odd)-1]
	binary.LittleEndian.PutUint32(odd[4:], uint32(len(odd)-8))
	binary.LittleEndian.PutUint32(odd[len(odd)-3-4:], 3)
	if _, err := DecodeWAV(odd, "odd.wav"); err == nil || !strings.Contains(err.Error(), "frames") {
		t.Errorf("partial frame: err = %v", err)
	}
	if _, err := DecodeWAV([]byte("RIFF\x04\x00\x00\x00WAVE"), "nofmt.wav"); err == nil {
		t.Error("no fmt chunk: no error")
	}
}

func TestReadFSDDWAV(t *testing.T) {
	dir := sharedData(t, "fsdd/recordings")
	a, err := ReadWAV(filepath.Join(dir, "0_george_0.wav"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Rate != 8000 || len(a.Samples) < 1000 {
		t.Errorf("rate %d, %d samples", a.Rate, len(a.Samples))
	}
}

func FuzzDecodeWAV(f *testing.F) {
	f.Add(wavBytes(1, 16, 1, 8000, [][]float64{{0.1}, {0.2}}))
	f.Add(wavBytes(3, 32, 2, 44100, [][]float64{{0.1, 0.3}}))
	f.Add(wavBytes(1, 24, 1, 16000, [][]float64{{-0.7}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := DecodeWAV(b, "fuzz.wav")
		if err != nil {
			return
		}
		for _, v := range a.Samples {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatal("non-finite sample")
			}
		}
	})
}
