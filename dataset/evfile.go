package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// The project's event file (".rrev"), little-endian throughout:
//
//	header: "RRTEV\x00\x01\x00" (8 bytes: magic, version 1)
//	        uint32 kind (0 camera, 1 cochlea), uint32 width, uint32 height,
//	        uint32 classes, uint32 number of samples
//	sample: int32 label, int64 index, uint16 key length, key bytes (UTF-8),
//	        uint32 number of events, then per event
//	        int64 T (µs), uint16 X, uint16 Y, uint8 P (13 bytes)
//
// Events within a sample are sorted by T.
var evMagic = []byte("RRTEV\x00\x01\x00")

const (
	evHeaderLen = 8 + 5*4
	evEventLen  = 13
)

// WriteEvents writes samples to w in the project's event format.
func WriteEvents(w io.Writer, sh Shape, classes int, samples []Sample) error {
	var b bytes.Buffer
	b.Write(evMagic)
	for _, v := range []uint32{uint32(sh.Kind), uint32(sh.Width), uint32(sh.Height), uint32(classes), uint32(len(samples))} {
		b.Write(binary.LittleEndian.AppendUint32(nil, v))
	}
	for i, s := range samples {
		if len(s.Meta.Key) > 65535 {
			return fmt.Errorf("dataset: sample %d key longer than 65535 bytes", i)
		}
		var h []byte
		h = binary.LittleEndian.AppendUint32(h, uint32(int32(s.Label)))
		h = binary.LittleEndian.AppendUint64(h, uint64(int64(s.Meta.Index)))
		h = binary.LittleEndian.AppendUint16(h, uint16(len(s.Meta.Key)))
		h = append(h, s.Meta.Key...)
		h = binary.LittleEndian.AppendUint32(h, uint32(len(s.Events)))
		b.Write(h)
		for j, e := range s.Events {
			if j > 0 && e.T < s.Events[j-1].T {
				return fmt.Errorf("dataset: sample %d event %d time goes backwards", i, j)
			}
			var r [evEventLen]byte
			binary.LittleEndian.PutUint64(r[0:], uint64(e.T))
			binary.LittleEndian.PutUint16(r[8:], e.X)
			binary.LittleEndian.PutUint16(r[10:], e.Y)
			r[12] = e.P
			b.Write(r[:])
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteEventsFile writes samples to path atomically.
func WriteEventsFile(path string, sh Shape, classes int, samples []Sample) error {
	var b bytes.Buffer
	if err := WriteEvents(&b, sh, classes, samples); err != nil {
		return err
	}
	return writeFileAtomic(path, b.Bytes())
}

// EventFile is a dataset read from the project's event format. The file is
// indexed when opened; events are decoded on demand.
type EventFile struct {
	path    string
	data    []byte
	shape   Shape
	classes int
	offs    []int // start of each sample's header
	labels  []int
}

// DecodeEvents indexes an event file held in memory; name is used in errors.
func DecodeEvents(b []byte, name string) (*EventFile, error) {
	fe := func(off int, format string, a ...any) error {
		return &FormatError{name, int64(off), fmt.Sprintf(format, a...)}
	}
	if len(b) < evHeaderLen || !bytes.Equal(b[:8], evMagic) {
		return nil, fe(0, "not an rramtwin event file (bad magic or short header)")
	}
	u := func(o int) uint32 { return binary.LittleEndian.Uint32(b[o:]) }
	f := &EventFile{path: name, data: b}
	kind := u(8)
	if kind > 1 {
		return nil, fe(8, "unknown sensor kind %d", kind)
	}
	f.shape = Shape{Width: int(u(12)), Height: int(u(16)), Kind: Kind(kind)}
	if f.shape.Width < 1 || f.shape.Height < 1 || f.shape.Width > 65536 || f.shape.Height > 65536 {
		return nil, fe(12, "sensor %d×%d", f.shape.Width, f.shape.Height)
	}
	f.classes = int(u(20))
	n := int(u(24))
	off := evHeaderLen
	for i := 0; i < n; i++ {
		if off+18 > len(b) {
			return nil, fe(off, "sample %d of %d: header truncated", i, n)
		}
		f.offs = append(f.offs, off)
		f.labels = append(f.labels, int(int32(u(off))))
		kl := int(binary.LittleEndian.Uint16(b[off+12:]))
		o := off + 14 + kl
		if o+4 > len(b) {
			return nil, fe(off+12, "sample %d: key truncated", i)
		}
		ne := int(u(o))
		o += 4
		if ne > (len(b)-o)/evEventLen {
			return nil, fe(o-4, "sample %d: %d events but only %d bytes left", i, ne, len(b)-o)
		}
		off = o + ne*evEventLen
	}
	if off != len(b) {
		return nil, fe(off, "%d trailing bytes after %d samples", len(b)-off, n)
	}
	return f, nil
}

// OpenEvents reads and indexes an event file.
func OpenEvents(path string) (*EventFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return DecodeEvents(b, path)
}

func (f *EventFile) Len() int        { return len(f.offs) }
func (f *EventFile) Label(i int) int { return f.labels[i] }
func (f *EventFile) Shape() Shape    { return f.shape }
func (f *EventFile) Classes() int    { return f.classes }

// Sample decodes sample i, checking addresses and time order.
func (f *EventFile) Sample(i int) (Sample, error) {
	if i < 0 || i >= len(f.offs) {
		return Sample{}, fmt.Errorf("%s: sample %d out of range [0,%d)", f.path, i, len(f.offs))
	}
	b := f.data
	off := f.offs[i]
	s := Sample{Label: f.labels[i]}
	s.Meta.Index = int(int64(binary.LittleEndian.Uint64(b[off+4:])))
	kl := int(binary.LittleEndian.Uint16(b[off+12:]))
	s.Meta.Key = string(b[off+14 : off+14+kl])
	s.Meta.Source = f.path
	o := off + 14 + kl
	ne := int(binary.LittleEndian.Uint32(b[o:]))
	o += 4
	s.Events = make([]Event, ne)
	for j := range s.Events {
		r := b[o+j*evEventLen:]
		e := Event{T: int64(binary.LittleEndian.Uint64(r)), X: binary.LittleEndian.Uint16(r[8:]),
			Y: binary.LittleEndian.Uint16(r[10:]), P: r[12]}
		if int(e.X) >= f.shape.Width || int(e.Y) >= f.shape.Height || e.P > 1 {
			return Sample{}, &FormatError{f.path, int64(o + j*evEventLen), fmt.Sprintf("event (%d,%d,p=%d) outside %d×%d", e.X, e.Y, e.P, f.shape.Width, f.shape.Height)}
		}
		if j > 0 && e.T < s.Events[j-1].T {
			return Sample{}, &FormatError{f.path, int64(o + j*evEventLen), fmt.Sprintf("time %d µs goes backwards", e.T)}
		}
		s.Events[j] = e
	}
	return s, nil
}
