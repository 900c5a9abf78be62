package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
)

// SynthNMNIST writes MNIST images [offset, offset+n) of split through cam
// into dir in the official N-MNIST layout (<digit>/<NNNNN>.bin, NNNNN the
// 1-based MNIST index). Files already present are kept (so an interrupted
// run resumes); each file is written atomically. It uses GOMAXPROCS
// workers; the files do not depend on their number. n < 0 means to the
// end of the split. It returns the paths, labels and 0-based indices.
func SynthNMNIST(cam *Saccade, split string, offset, n int, dir string, progress io.Writer) (*NMNISTFolder, error) {
	m, err := LoadMNIST(split)
	if err != nil {
		return nil, err
	}
	if offset >= m.Images.N {
		return nil, fmt.Errorf("mnist-saccade: offset %d beyond the %d %s images", offset, m.Images.N, split)
	}
	if n < 0 || offset+n > m.Images.N {
		n = m.Images.N - offset
	}
	f := &NMNISTFolder{Dir: dir}
	for i := offset; i < offset+n; i++ {
		d := int(m.Labels[i])
		f.files = append(f.files, filepath.Join(dir, strconv.Itoa(d), fmt.Sprintf("%05d.bin", i+1)))
		f.labels = append(f.labels, d)
		f.index = append(f.index, i)
	}
	var todo []int
	for i, p := range f.files {
		if _, err := os.Stat(p); err != nil {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return f, nil
	}
	for d := range 10 {
		if err := os.MkdirAll(filepath.Join(dir, strconv.Itoa(d)), 0o755); err != nil {
			return nil, err
		}
	}
	var (
		wg    sync.WaitGroup
		done  atomic.Int64
		mu    sync.Mutex
		first error
		next  atomic.Int64
	)
	report := len(todo) / 10
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			buf := make([]byte, 0, 64<<10)
			for {
				k := int(next.Add(1) - 1)
				if k >= len(todo) {
					return
				}
				i := todo[k]
				idx := f.index[i]
				ev, err := cam.Events(m.Images.Image(idx), uint64(idx))
				if err == nil {
					buf, err = EncodeNMNIST(buf[:0], ev)
				}
				if err == nil {
					err = writeFileAtomic(f.files[i], buf)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
				if c := done.Add(1); progress != nil && report > 0 && c%int64(report) == 0 {
					fmt.Fprintf(progress, "synthesized %d/%d samples\n", c, len(todo))
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return f, nil
}

// OpenMNISTSaccade returns MNIST images [offset, offset+n) of split
// through the saccade camera, synthesizing missing samples into the cache
// (CacheRoot/mnist-saccade/<split>-<hash of parameters and seed>) and then
// reading them like real N-MNIST. n < 0 means to the end of the split.
func OpenMNISTSaccade(split string, offset, n int, opt Options) (Dataset, error) {
	root, err := CacheRoot(opt.CacheDir)
	if err != nil {
		return nil, err
	}
	cam := NewSaccade(opt.Saccade, opt.seed())
	h := sha256.Sum256([]byte(cam.Config().Key() + "|seed=" + strconv.FormatUint(opt.seed(), 10)))
	dir := filepath.Join(root, "mnist-saccade", split+"-"+hex.EncodeToString(h[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("mnist-saccade: cache: %v", err)
	}
	params := filepath.Join(dir, "params.txt")
	if _, err := os.Stat(params); err != nil {
		txt := fmt.Sprintf("saccade %s\nseed %d\nsplit %s\n", cam.Config().Key(), opt.seed(), split)
		if err := writeFileAtomic(params, []byte(txt)); err != nil {
			return nil, err
		}
	}
	return SynthNMNIST(cam, split, offset, n, dir, opt.Progress)
}
