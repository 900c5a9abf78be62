package lsm

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// Source yields the rasters of a data set, one per sample index.
type Source interface {
	Len() int
	// Raster returns sample i's Steps × Inputs raster, written into dst
	// when that helps (dst may be nil or reused by the caller).
	Raster(i int, dst []uint8) ([]uint8, error)
}

// Rasters is a Source of ready rasters.
type Rasters [][]uint8

func (r Rasters) Len() int                                 { return len(r) }
func (r Rasters) Raster(i int, _ []uint8) ([]uint8, error) { return r[i], nil }

// Recordings is a Source that frames event recordings on demand, so a large
// data set is never held as rasters.
type Recordings struct {
	Events [][]Event
	Framer Framer
}

func (r Recordings) Len() int { return len(r.Events) }
func (r Recordings) Raster(i int, dst []uint8) ([]uint8, error) {
	return r.Framer.Frame(r.Events[i], dst)
}

// Features are the reservoir's outputs for a data set: N samples × Dim
// spike counts (Dim = Config.Features()), row-major.
type Features struct {
	N, Dim int
	Counts []int32
}

// Row returns sample i's counts.
func (f *Features) Row(i int) []int32 { return f.Counts[i*f.Dim : (i+1)*f.Dim] }

// Matrix returns the counts as an N × Dim float matrix.
func (f *Features) Matrix() *mat.Dense {
	d := make([]float64, len(f.Counts))
	for i, c := range f.Counts {
		d[i] = float64(c)
	}
	if f.N == 0 {
		return &mat.Dense{}
	}
	return mat.NewDense(f.N, f.Dim, d)
}

// BatchOptions controls EncodeBatch. Zero fields mean defaults.
type BatchOptions struct {
	Workers  int                   // goroutines; 0 = GOMAXPROCS (1 if the encoder is not Concurrent)
	Progress func(done, total int) // called after each sample, serialised; nil = none
}

// EncodeBatch encodes every sample of src. Sample i is encoded with sample
// index i, so the result is identical for any worker count.
func EncodeBatch(ctx context.Context, enc Encoder, src Source, opt BatchOptions) (*Features, error) {
	c := enc.Config()
	n := src.Len()
	f := &Features{N: n, Dim: c.Features(), Counts: make([]int32, n*c.Features())}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if !enc.Concurrent() {
		workers = 1
	}
	workers = max(1, min(workers, n))
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []uint8
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				r, err := src.Raster(i, buf)
				if err != nil {
					fail(fmt.Errorf("lsm: framing sample %d: %w", i, err))
					return
				}
				buf = r
				if err := enc.Encode(ctx, uint64(i), r, f.Row(i)); err != nil {
					fail(err)
					return
				}
				if opt.Progress != nil {
					mu.Lock()
					done++
					opt.Progress(done, n)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := parent.Err(); err != nil {
		return nil, fmt.Errorf("lsm: encoding: %w", err)
	}
	return f, nil
}
