package dataset

import (
	"math"
	"runtime"
	"sync"
)

// Stats summarises a dataset's event streams.
type Stats struct {
	N                   int     `json:"n"`
	Classes             int     `json:"classes"`
	EventsMean          float64 `json:"events_mean"`
	EventsStd           float64 `json:"events_std"`
	OnFraction          float64 `json:"on_fraction,omitempty"` // cameras only: ON events / all events
	DurationMsMean      float64 `json:"duration_ms_mean"`      // mean time of the last event, ms
	ActiveAddressesMean float64 `json:"active_addresses_mean"` // mean distinct (x,y) (cameras) or channels per sample
}

// SampleStats is one sample's contribution to Stats.
type SampleStats struct {
	Events     int
	On         int
	DurationUs int64
	Active     int
}

// Summarize computes one sample's statistics.
func Summarize(s Sample, sh Shape) SampleStats {
	var st SampleStats
	st.Events = len(s.Events)
	seen := make([]bool, max(sh.Width, 1)*max(sh.Height, 1))
	for _, e := range s.Events {
		if e.P == 1 {
			st.On++
		}
		a := int(e.Y)*sh.Width + int(e.X)
		if a < len(seen) && !seen[a] {
			seen[a] = true
			st.Active++
		}
	}
	if n := len(s.Events); n > 0 {
		st.DurationUs = s.Events[n-1].T
	}
	return st
}

// ComputeStats loads every sample of d (with up to GOMAXPROCS workers) and
// summarises them. The result does not depend on the worker count. The
// first error stops it.
func ComputeStats(d Dataset) (Stats, []SampleStats, error) {
	n := d.Len()
	per := make([]SampleStats, n)
	errs := make([]error, n)
	workers := min(runtime.GOMAXPROCS(0), max(n, 1))
	var wg sync.WaitGroup
	next := make(chan int)
	sh := d.Shape()
	for range workers {
		wg.Go(func() {
			for i := range next {
				s, err := d.Sample(i)
				if err != nil {
					errs[i] = err
					continue
				}
				per[i] = Summarize(s, sh)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Stats{}, nil, err
		}
	}
	st := Stats{N: n}
	classes := map[int]bool{}
	var sum, sum2, on, dur, act float64
	for i, p := range per {
		classes[d.Label(i)] = true
		sum += float64(p.Events)
		sum2 += float64(p.Events) * float64(p.Events)
		on += float64(p.On)
		dur += float64(p.DurationUs) / 1000
		act += float64(p.Active)
	}
	st.Classes = len(classes)
	if n > 0 {
		fn := float64(n)
		st.EventsMean = sum / fn
		if n > 1 {
			st.EventsStd = math.Sqrt(math.Max(0, (sum2-sum*sum/fn)/(fn-1)))
		}
		st.DurationMsMean = dur / fn
		st.ActiveAddressesMean = act / fn
		if sh.Kind == KindCamera && sum > 0 {
			st.OnFraction = on / sum
		}
	}
	return st, per, nil
}
