package dataset

import (
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// FSDD is the Free Spoken Digit Dataset (files {digit}_{speaker}_{index}.wav)
// heard through a cochlea. Each Sample reads one WAV and converts it.
type FSDD struct {
	Dir      string
	cochlea  *Cochlea
	files    []string
	labels   []int
	speakers []string
	index    []int
}

// OpenFSDD indexes dir. speakers (nil = all) and indices (nil = all)
// select recordings; an empty selection is an error.
func OpenFSDD(dir string, speakers []string, indices []int, opt Options) (*FSDD, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("fsdd: %w", err)
	}
	f := &FSDD{Dir: dir, cochlea: NewCochlea(opt.Cochlea, opt.seed())}
	type item struct {
		digit, idx int
		speaker    string
		path       string
	}
	var items []item
	seenSpk := map[string]bool{}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".wav") {
			continue
		}
		parts := strings.Split(strings.TrimSuffix(name, ".wav"), "_")
		if len(parts) != 3 {
			continue
		}
		d, err1 := strconv.Atoi(parts[0])
		ix, err2 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil || d < 0 || d > 9 {
			continue
		}
		seenSpk[parts[1]] = true
		if speakers != nil && !slices.Contains(speakers, parts[1]) {
			continue
		}
		if indices != nil && !slices.Contains(indices, ix) {
			continue
		}
		items = append(items, item{d, ix, parts[1], filepath.Join(dir, name)})
	}
	for _, s := range speakers {
		if !seenSpk[s] {
			return nil, fmt.Errorf("fsdd: no recordings of speaker %q in %s", s, dir)
		}
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("fsdd: no {digit}_{speaker}_{index}.wav recordings selected in %s", dir)
	}
	slices.SortFunc(items, func(a, b item) int {
		if a.digit != b.digit {
			return a.digit - b.digit
		}
		if c := strings.Compare(a.speaker, b.speaker); c != 0 {
			return c
		}
		return a.idx - b.idx
	})
	for _, it := range items {
		f.files = append(f.files, it.path)
		f.labels = append(f.labels, it.digit)
		f.speakers = append(f.speakers, it.speaker)
		f.index = append(f.index, it.idx)
	}
	return f, nil
}

func (f *FSDD) Len() int        { return len(f.files) }
func (f *FSDD) Label(i int) int { return f.labels[i] }
func (f *FSDD) Classes() int    { return 10 }
func (f *FSDD) Shape() Shape    { return Shape{f.cochlea.cfg.Channels, 1, KindCochlea} }

// SensorKey names every parameter of the cochlea the recordings are heard
// through (Synthesized).
func (f *FSDD) SensorKey() string { return "cochlea-" + f.cochlea.cfg.Key() }

// Speaker returns sample i's speaker.
func (f *FSDD) Speaker(i int) string { return f.speakers[i] }

// Path returns sample i's WAV file.
func (f *FSDD) Path(i int) string { return f.files[i] }

// Sample reads recording i and converts it to events. The per-sample draws
// are keyed by the file name, so a recording gives the same events in any
// selection.
func (f *FSDD) Sample(i int) (Sample, error) {
	if i < 0 || i >= len(f.files) {
		return Sample{}, fmt.Errorf("fsdd: sample %d out of range [0,%d)", i, len(f.files))
	}
	a, err := ReadWAV(f.files[i])
	if err != nil {
		return Sample{}, err
	}
	h := fnv.New64a()
	h.Write([]byte(filepath.Base(f.files[i])))
	ev, err := f.cochlea.Events(a, h.Sum64())
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %v", f.files[i], err)
	}
	key := fmt.Sprintf("fsdd-%s-%d-%d", f.speakers[i], f.index[i], f.labels[i])
	return Sample{Events: ev, Label: f.labels[i], Meta: Meta{Source: f.files[i], Key: key, Index: f.index[i]}}, nil
}
