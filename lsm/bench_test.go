package lsm

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
	"time"
)

// The Bernoulli rasters have 8 % active inputs per step: the real N-MNIST
// recordings in ../shared/data give 7.9 % with the default camera framing
// (16×16 crop, polarity 0, 50 bins; measured over 200 recordings). With the
// real recordings present the benchmark also runs on 512 of them.

func BenchmarkEncode(b *testing.B) {
	c := NMNIST
	g, _ := NewGauss(c, 1)
	chip := chipFor(c, g, 0.2)
	m, _ := NewMacro(chip, chip.region, c, MacroOptions{ReadV: 0.2})
	model := modelEncoder(b, c, "lin2025-40nm", 1)
	sets := []struct {
		name string
		src  Rasters
	}{{"bernoulli", rasters(c, 512)}}
	if files, _ := filepath.Glob("../../shared/data/nmnist/Train/*/*.bin"); len(files) >= 512 {
		sort.Strings(files)
		real := make(Rasters, 512)
		for i := range real {
			real[i], _ = CameraFraming{}.Frame(readNMNIST(b, files[i]), nil)
		}
		sets = append(sets, struct {
			name string
			src  Rasters
		}{"nmnist", real})
	}
	for _, set := range sets {
		src := set.src
		for _, enc := range []Encoder{g, m, model} {
			name := enc.Backend()
			if enc == Encoder(m) {
				name = "fake-macro"
			}
			b.Run(fmt.Sprintf("data=%s/backend=%s/workers=1", set.name, name), func(b *testing.B) {
				counts := make([]int32, c.Neurons)
				i := 0
				for b.Loop() {
					enc.Encode(context.Background(), uint64(i), src[i%len(src)], counts)
					i++
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "samples/s")
			})
			w := runtime.GOMAXPROCS(0)
			b.Run(fmt.Sprintf("data=%s/backend=%s/workers=%d", set.name, name, w), func(b *testing.B) {
				n := 0
				for b.Loop() {
					if _, err := EncodeBatch(context.Background(), enc, src, BatchOptions{Workers: w}); err != nil {
						b.Fatal(err)
					}
					n += len(src)
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}

// BenchmarkProbe trains the N-MNIST linear probe (Adam, batch 100) on 60,000
// synthetic 200-dimensional features; run it with -benchtime=1x for the
// wall time of the paper's 100 epochs.
func BenchmarkProbe(b *testing.B) {
	xtr, ytr := clusters("probe", 60000, 10, 200, 0.2)
	xte, yte := clusters("probe-test", 1000, 10, 200, 0.2)
	for _, epochs := range []int{1, 100} {
		b.Run(fmt.Sprintf("n=60000/epochs=%d", epochs), func(b *testing.B) {
			cfg := ProbeNMNIST
			cfg.Epochs = epochs
			var res Result
			for b.Loop() {
				var err error
				if res, err = Classify(xtr, ytr, xte, yte, cfg); err != nil {
					b.Fatal(err)
				}
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(per.Seconds(), "s/run")
			b.ReportMetric(res.Accuracy, "accuracy")
		})
	}
}
