package lsm

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

type failingSource struct{ Rasters }

func (f failingSource) Raster(i int, dst []uint8) ([]uint8, error) {
	if i == 5 {
		return nil, errors.New("bad recording")
	}
	return f.Rasters.Raster(i, dst)
}

func rasters(c Config, n int) Rasters {
	r := make(Rasters, n)
	for i := range r {
		r[i] = randomRaster(c, 0.08, uint64(i))
	}
	return r
}

func TestEncodeBatchDeterministic(t *testing.T) {
	ctx := context.Background()
	c := NMNIST
	g, _ := NewGauss(c, 5)
	src := rasters(c, 40)
	f1, err := EncodeBatch(ctx, g, src, BatchOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	f2, err := EncodeBatch(ctx, g, src, BatchOptions{Workers: 2, Progress: func(done, total int) {
		calls++
		if total != 40 || done != calls {
			t.Errorf("progress %d/%d after %d calls", done, total, calls)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f1.Counts, f2.Counts) || calls != 40 {
		t.Fatal("1 and 2 workers differ")
	}
	for i := range 40 {
		want := make([]int32, c.Neurons)
		g.Encode(ctx, uint64(i), src[i], want)
		if !slices.Equal(f1.Row(i), want) {
			t.Fatalf("sample %d differs from a lone Encode", i)
		}
	}
	// The macro encoder over an ideal chip runs concurrently and agrees.
	chip := chipFor(c, g, 0.2)
	m, _ := NewMacro(chip, chip.region, c, MacroOptions{ReadV: 0.2})
	if !m.Concurrent() {
		t.Error("macro encoder not concurrent")
	}
	f3, err := EncodeBatch(ctx, m, src, BatchOptions{Workers: 2})
	if err != nil || !slices.Equal(f1.Counts, f3.Counts) {
		t.Fatalf("macro batch differs: %v", err)
	}
	if f1.Matrix().At(3, 7) != float64(f1.Row(3)[7]) {
		t.Error("Matrix does not match Counts")
	}
}

func TestEncodeBatchGOMAXPROCS(t *testing.T) {
	c := Audio
	g, _ := NewGauss(c, 8)
	src := rasters(c, 30)
	var got [][]int32
	for _, p := range []int{1, 2} {
		old := runtime.GOMAXPROCS(p)
		f, err := EncodeBatch(context.Background(), g, src, BatchOptions{})
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, f.Counts)
	}
	if !slices.Equal(got[0], got[1]) {
		t.Error("features differ between GOMAXPROCS 1 and 2")
	}
}

func TestEncodeBatchErrors(t *testing.T) {
	c := NMNIST
	g, _ := NewGauss(c, 5)
	_, err := EncodeBatch(context.Background(), g, failingSource{rasters(c, 10)}, BatchOptions{Workers: 2})
	if err == nil || !strings.Contains(err.Error(), "sample 5") {
		t.Errorf("framing error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := EncodeBatch(ctx, g, rasters(c, 10), BatchOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	// Recordings frames on demand.
	rec := Recordings{Events: [][]Event{{{T: 0, X: 12, Y: 12}}}, Framer: CameraFraming{}}
	if f, err := EncodeBatch(context.Background(), g, rec, BatchOptions{}); err != nil || f.N != 1 {
		t.Errorf("recordings: %v", err)
	}
}

func TestCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cache := &Cache{Dir: filepath.Join(dir, "features")}
	c := NMNIST
	g, _ := NewGauss(c, 5)
	src := rasters(c, 12)
	key := CacheKey{Spec: "test:1", Backend: "gauss", Seed: 5, Framing: "camera", Config: c}
	f1, hit, err := EncodeCached(ctx, cache, key, g, src, BatchOptions{})
	if err != nil || hit {
		t.Fatalf("first: hit %v, %v", hit, err)
	}
	f2, hit, err := EncodeCached(ctx, cache, key, g, src, BatchOptions{})
	if err != nil || !hit || !slices.Equal(f1.Counts, f2.Counts) || f2.N != 12 || f2.Dim != 200 {
		t.Fatalf("second: hit %v, %v", hit, err)
	}
	other := key
	other.Seed = 6
	if f, err := cache.Load(other); f != nil || err != nil {
		t.Errorf("another seed hit the cache: %v", err)
	}
	// A file under the right name but for another key (a hash collision) is a miss.
	b, _ := os.ReadFile(cache.path(key))
	os.WriteFile(cache.path(other), b, 0o644)
	if f, err := cache.Load(other); f != nil || err != nil {
		t.Errorf("foreign key accepted: %v", err)
	}
	entries, _ := os.ReadDir(cache.Dir)
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".lsmf" || e.Name()[0] == '.' {
			t.Errorf("leftover file %s", e.Name())
		}
	}
	os.WriteFile(cache.path(key), b[:len(b)-3], 0o644)
	if _, err := cache.Load(key); err == nil {
		t.Error("truncated file accepted")
	}
}
