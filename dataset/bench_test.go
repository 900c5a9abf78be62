package dataset

import (
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rramtwin/rramtwin/internal/cputime"
)

// BenchmarkReadNMNIST reads the real N-MNIST files, one file per op:
// from=disk opens and reads each file through the dataset, from=memory
// decodes bytes already in memory.
func BenchmarkReadNMNIST(b *testing.B) {
	d, err := OpenNMNIST(sharedData(b, "nmnist/Train"))
	if err != nil {
		b.Fatal(err)
	}
	var total int64
	raw := make([][]byte, d.Len())
	for i := range d.Len() {
		raw[i], _ = os.ReadFile(d.Path(i))
		total += int64(len(raw[i]))
	}
	for _, from := range []string{"disk", "memory"} {
		b.Run("from="+from, func(b *testing.B) {
			b.SetBytes(total / int64(d.Len()))
			i := 0
			var c0 time.Duration
			for b.Loop() {
				if i == 0 {
					c0 = cputime.Process()
				}
				var err error
				if from == "disk" {
					_, err = d.Sample(i % d.Len())
				} else {
					_, err = DecodeNMNIST(raw[i%d.Len()], "m.bin", 34, 34)
				}
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "samples/s")
			cpu := (cputime.Process() - c0).Seconds()
			b.ReportMetric(float64(total)/float64(d.Len())*float64(i)/cpu/1e6, "MB/cpu-s")
		})
	}
}

// parallel runs n jobs on workers goroutines per op.
func parallel(workers, n int, job func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				job(i)
			}
		})
	}
	wg.Wait()
}

// BenchmarkSaccade converts MNIST images to events; one op is a batch of
// 64 images spread over the workers.
func BenchmarkSaccade(b *testing.B) {
	m := mnistOrSkip(b, "train")
	cam := NewSaccade(SaccadeConfig{}, 1)
	for _, workers := range []int{1, 2} {
		b.Run("workers="+string(rune('0'+workers)), func(b *testing.B) {
			const batch = 64
			off := 0
			var c0 time.Duration
			for b.Loop() {
				if off == 0 {
					c0 = cputime.Process()
				}
				parallel(workers, batch, func(i int) {
					idx := (off + i) % m.Images.N
					if _, err := cam.Events(m.Images.Image(idx), uint64(idx)); err != nil {
						panic(err)
					}
				})
				off += batch
			}
			b.ReportMetric(float64(off)/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(float64((cputime.Process()-c0).Microseconds())/float64(off), "cpu-µs/sample")
		})
	}
}

// BenchmarkCochlea converts FSDD utterances (already decoded) to events;
// one op is a batch of 32 utterances spread over the workers.
func BenchmarkCochlea(b *testing.B) {
	dir := sharedData(b, "fsdd/recordings")
	files, _ := filepath.Glob(filepath.Join(dir, "*_theo_*.wav"))
	var audio []*Audio
	for _, f := range files[:min(len(files), 200)] {
		a, err := ReadWAV(f)
		if err != nil {
			b.Fatal(err)
		}
		audio = append(audio, a)
	}
	k := NewCochlea(CochleaConfig{}, 1)
	for _, workers := range []int{1, 2} {
		b.Run("workers="+string(rune('0'+workers)), func(b *testing.B) {
			const batch = 32
			off := 0
			var c0 time.Duration
			for b.Loop() {
				if off == 0 {
					c0 = cputime.Process()
				}
				parallel(workers, batch, func(i int) {
					if _, err := k.Events(audio[(off+i)%len(audio)], uint64(i)); err != nil {
						panic(err)
					}
				})
				off += batch
			}
			b.ReportMetric(float64(off)/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(float64((cputime.Process()-c0).Microseconds())/float64(off), "cpu-µs/sample")
		})
	}
}
