package dataset

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// NMNISTSize is the N-MNIST sensor: 34×34 pixels, two polarities.
const NMNISTSize = 34

// nmnistOverflowY marks a timestamp overflow in the .bin format.
const nmnistOverflowY = 240

// FormatError is a malformed input: the file and byte offset where
// decoding failed and what was wrong.
type FormatError struct {
	File   string
	Offset int64
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%s: byte %d: %s", e.File, e.Offset, e.Msg)
}

// DecodeNMNIST decodes the official N-MNIST .bin format (5 bytes per event,
// no header): x = byte 0, y = byte 1, polarity = bit 7 of byte 2, time =
// the low 23 bits of bytes 2..4 big-endian in µs. A y of 240 is a
// timestamp-overflow marker (2^13 µs is added to later events, as the
// reference reader does) and is not an event. Events must lie within
// width×height and be sorted in time; name is used in errors.
func DecodeNMNIST(b []byte, name string, width, height int) ([]Event, error) {
	if len(b)%5 != 0 {
		return nil, &FormatError{name, int64(len(b) - len(b)%5), fmt.Sprintf("truncated event: length %d is not a multiple of 5", len(b))}
	}
	ev := make([]Event, len(b)/5)
	n := 0
	var base, last int64
	for off := 0; off+5 <= len(b); off += 5 {
		r := b[off : off+5 : off+5]
		x, y := r[0], r[1]
		if y == nmnistOverflowY {
			base += 1 << 13
			continue
		}
		t := base + (int64(r[2]&0x7f)<<16 | int64(r[3])<<8 | int64(r[4]))
		if int(x) >= width || int(y) >= height {
			return nil, &FormatError{name, int64(off), fmt.Sprintf("address (%d,%d) outside %d×%d", x, y, width, height)}
		}
		if t < last {
			return nil, &FormatError{name, int64(off), fmt.Sprintf("time %d µs goes backwards (previous %d µs)", t, last)}
		}
		last = t
		ev[n] = Event{T: t, X: uint16(x), Y: uint16(y), P: r[2] >> 7}
		n++
	}
	ev = ev[:n:n]
	return ev, nil
}

// EncodeNMNIST appends events in the N-MNIST .bin format. Times beyond
// 23 bits are written with y = 240 overflow markers; addresses must fit a
// byte and not be 240 in y.
func EncodeNMNIST(dst []byte, ev []Event) ([]byte, error) {
	var base int64
	for i, e := range ev {
		if e.X > 255 || e.Y > 255 || e.Y == nmnistOverflowY || e.P > 1 {
			return dst, fmt.Errorf("dataset: event %d (%d,%d,p=%d) not representable in .bin", i, e.X, e.Y, e.P)
		}
		if e.T < 0 || (i > 0 && e.T < ev[i-1].T) {
			return dst, fmt.Errorf("dataset: event %d time %d µs is negative or goes backwards", i, e.T)
		}
		for e.T-base >= 1<<23 {
			dst = append(dst, 0, nmnistOverflowY, 0, 0, 0)
			base += 1 << 13
		}
		t := e.T - base
		dst = append(dst, byte(e.X), byte(e.Y), e.P<<7|byte(t>>16), byte(t>>8), byte(t))
	}
	return dst, nil
}

// ReadNMNISTFile reads one N-MNIST .bin file (34×34 sensor).
func ReadNMNISTFile(path string) ([]Event, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return DecodeNMNIST(b, path, NMNISTSize, NMNISTSize)
}

// WriteNMNISTFile writes events to path in the .bin format, atomically.
func WriteNMNISTFile(path string, ev []Event) error {
	b, err := EncodeNMNIST(make([]byte, 0, 5*len(ev)), ev)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeFileAtomic(path, b)
}

// NMNISTFolder is the official N-MNIST layout: DIR/<digit>/<NNNNN>.bin,
// where NNNNN is the 1-based index in the MNIST set. Files are read on
// demand.
type NMNISTFolder struct {
	Dir    string
	files  []string
	labels []int
	index  []int // MNIST index, 0-based (NNNNN-1), or -1 if the name is not a number

}

// OpenNMNIST indexes an N-MNIST folder. dir holds digit folders 0..9
// directly, or a Train/ or Test/ parent (Train is used if both exist; name
// one to choose). Files are sorted by digit then index.
func OpenNMNIST(dir string) (*NMNISTFolder, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("nmnist: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("nmnist: %s is not a folder", dir)
	}
	root := dir
	if !hasDigitDirs(root) {
		for _, sub := range []string{"Train", "Test", "train", "test"} {
			if hasDigitDirs(filepath.Join(dir, sub)) {
				root = filepath.Join(dir, sub)
				break
			}
		}
	}
	f := &NMNISTFolder{Dir: root}
	for d := 0; d <= 9; d++ {
		ents, err := os.ReadDir(filepath.Join(root, strconv.Itoa(d)))
		if err != nil {
			continue
		}
		type item struct {
			name string
			idx  int
		}
		var items []item
		for _, e := range ents {
			n := e.Name()
			if e.IsDir() || !strings.HasSuffix(n, ".bin") {
				continue
			}
			idx := -1
			if v, err := strconv.Atoi(strings.TrimSuffix(n, ".bin")); err == nil && v >= 1 {
				idx = v - 1
			}
			items = append(items, item{n, idx})
		}
		slices.SortFunc(items, func(a, b item) int {
			if a.idx != b.idx {
				return a.idx - b.idx
			}
			return strings.Compare(a.name, b.name)
		})
		for _, it := range items {
			f.files = append(f.files, filepath.Join(root, strconv.Itoa(d), it.name))
			f.labels = append(f.labels, d)
			f.index = append(f.index, it.idx)
		}
	}
	if len(f.files) == 0 {
		return nil, fmt.Errorf("nmnist: no <digit>/<NNNNN>.bin files under %s", dir)
	}
	return f, nil
}

func hasDigitDirs(dir string) bool {
	for d := 0; d <= 9; d++ {
		if st, err := os.Stat(filepath.Join(dir, strconv.Itoa(d))); err == nil && st.IsDir() {
			return true
		}
	}
	return false
}

func (f *NMNISTFolder) Len() int        { return len(f.files) }
func (f *NMNISTFolder) Label(i int) int { return f.labels[i] }
func (f *NMNISTFolder) Classes() int    { return 10 }
func (f *NMNISTFolder) Shape() Shape    { return Shape{NMNISTSize, NMNISTSize, KindCamera} }

// Path returns sample i's file.
func (f *NMNISTFolder) Path(i int) string { return f.files[i] }

// MNISTIndex returns sample i's 0-based MNIST index (the file's NNNNN − 1),
// or −1 if the file name is not a number.
func (f *NMNISTFolder) MNISTIndex(i int) int { return f.index[i] }

// Sample reads sample i's file.
func (f *NMNISTFolder) Sample(i int) (Sample, error) {
	if i < 0 || i >= len(f.files) {
		return Sample{}, fmt.Errorf("nmnist: sample %d out of range [0,%d)", i, len(f.files))
	}
	ev, err := readNMNISTPooled(f.files[i])
	if err != nil {
		return Sample{}, err
	}
	return Sample{Events: ev, Label: f.labels[i], Meta: Meta{Source: f.files[i], Index: f.index[i]}}, nil
}

var binPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func readNMNISTPooled(path string) ([]Event, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	bp := binPool.Get().(*[]byte)
	defer binPool.Put(bp)
	b := (*bp)[:0]
	if st, err := fh.Stat(); err == nil && int64(cap(b)) < st.Size()+1 {
		b = make([]byte, 0, st.Size()+1)
	}
	for {
		n, err := fh.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(b) == cap(b) {
			b = slices.Grow(b, len(b))
		}
	}
	*bp = b
	return DecodeNMNIST(b, path, NMNISTSize, NMNISTSize)
}
