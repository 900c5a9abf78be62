package dataset

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
)

// Audio is mono sound: samples in [−1, 1] at Rate Hz.
type Audio struct {
	Rate    int
	Samples []float64
}

// DecodeWAV decodes a RIFF WAVE file: PCM 8 (unsigned), 16, 24 or 32-bit,
// or IEEE float32/float64, at any rate, with any number of channels
// (averaged to mono). WAVE_FORMAT_EXTENSIBLE is accepted for the same
// sub-formats. Chunks other than fmt and data are skipped. A header that
// claims more bytes than the file holds is an error naming the offset.
func DecodeWAV(b []byte, name string) (*Audio, error) {
	fe := func(off int, format string, a ...any) error {
		return &FormatError{name, int64(off), fmt.Sprintf(format, a...)}
	}
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, fe(0, "not a RIFF WAVE file")
	}
	if riff := binary.LittleEndian.Uint32(b[4:8]); uint64(riff)+8 > uint64(len(b)) {
		return nil, fe(4, "RIFF size %d exceeds the file's %d bytes", riff, len(b)-8)
	}
	var (
		haveFmt             bool
		format, channels    int
		rate, bits, fmtOffs int
		data                []byte
		dataOff             int
	)
	for off := 12; off+8 <= len(b); {
		id := string(b[off : off+4])
		size := int(binary.LittleEndian.Uint32(b[off+4 : off+8]))
		body := off + 8
		if size < 0 || body+size > len(b) {
			return nil, fe(off+4, "%q chunk of %d bytes runs past the end of the file (%d bytes left)", id, size, len(b)-body)
		}
		switch id {
		case "fmt ":
			if size < 16 {
				return nil, fe(off+4, "fmt chunk of %d bytes, want at least 16", size)
			}
			f := b[body : body+size]
			format = int(binary.LittleEndian.Uint16(f[0:2]))
			channels = int(binary.LittleEndian.Uint16(f[2:4]))
			rate = int(binary.LittleEndian.Uint32(f[4:8]))
			bits = int(binary.LittleEndian.Uint16(f[14:16]))
			if format == 0xFFFE {
				if size < 26 {
					return nil, fe(off+4, "extensible fmt chunk of %d bytes, want at least 26", size)
				}
				format = int(binary.LittleEndian.Uint16(f[24:26]))
			}
			haveFmt, fmtOffs = true, body
		case "data":
			data, dataOff = b[body:body+size], body
		}
		off = body + size + size&1
	}
	if !haveFmt {
		return nil, fe(12, "no fmt chunk")
	}
	if data == nil {
		return nil, fe(12, "no data chunk")
	}
	if channels < 1 || channels > 64 {
		return nil, fe(fmtOffs+2, "%d channels", channels)
	}
	if rate < 1 || rate > 1_000_000 {
		return nil, fe(fmtOffs+4, "sample rate %d Hz", rate)
	}
	var conv func([]byte) float64
	switch {
	case format == 1 && bits == 8:
		conv = func(p []byte) float64 { return (float64(p[0]) - 128) / 128 }
	case format == 1 && bits == 16:
		conv = func(p []byte) float64 { return float64(int16(binary.LittleEndian.Uint16(p))) / 32768 }
	case format == 1 && bits == 24:
		conv = func(p []byte) float64 {
			v := int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24) >> 8
			return float64(v) / (1 << 23)
		}
	case format == 1 && bits == 32:
		conv = func(p []byte) float64 { return float64(int32(binary.LittleEndian.Uint32(p))) / (1 << 31) }
	case format == 3 && bits == 32:
		conv = func(p []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(p))) }
	case format == 3 && bits == 64:
		conv = func(p []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(p)) }
	default:
		return nil, fe(fmtOffs, "unsupported WAV format %d with %d bits", format, bits)
	}
	frame := channels * bits / 8
	if len(data)%frame != 0 {
		return nil, fe(dataOff+len(data)-len(data)%frame, "data chunk of %d bytes is not a whole number of %d-byte frames", len(data), frame)
	}
	n := len(data) / frame
	a := &Audio{Rate: rate, Samples: make([]float64, n)}
	bs := bits / 8
	for i := range n {
		var s float64
		for c := range channels {
			p := data[i*frame+c*bs:]
			s += conv(p)
		}
		v := s / float64(channels)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fe(dataOff+i*frame, "sample is not a finite number")
		}
		a.Samples[i] = v
	}
	return a, nil
}

// ReadWAV reads and decodes a WAV file.
func ReadWAV(path string) (*Audio, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return DecodeWAV(b, path)
}

// EncodeWAV returns a mono 16-bit PCM WAV of a (samples clipped to [−1, 1]).
func EncodeWAV(a *Audio) []byte {
	n := len(a.Samples)
	b := make([]byte, 44+2*n)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], uint32(a.Rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(2*a.Rate))
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*n))
	for i, s := range a.Samples {
		v := math.Round(math.Max(-1, math.Min(1, s)) * 32767)
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(v)))
	}
	return b
}
