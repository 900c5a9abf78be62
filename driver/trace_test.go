package driver_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/rramtwin/rramtwin/driver"
	"github.com/rramtwin/rramtwin/driver/drivertest"
	"github.com/rramtwin/rramtwin/firmware"
	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/macro"
)

var update = flag.Bool("update", false, "rewrite the golden traces in testdata")

// session is a scripted host session whose results are compared between
// recording and playback.
type session func(ctx context.Context, m macro.Macro) (any, error)

var small = macro.Region{Row0: 0, Row1: 40, Col0: 0, Col1: 40}

var sessions = map[string]session{
	"hello": func(ctx context.Context, m macro.Macro) (any, error) { return m.Info(), nil },
	"form": func(ctx context.Context, m macro.Macro) (any, error) {
		return m.Form(ctx, small, m.Info().DefaultForm)
	},
	// 1,600 float32 conductances: 7 result chunks.
	"read_chunked": func(ctx context.Context, m macro.Macro) (any, error) {
		if _, err := m.Form(ctx, small, m.Info().DefaultForm); err != nil {
			return nil, err
		}
		g := make([]float32, small.Cells())
		return g, m.Read(ctx, small, g)
	},
	// 64 vectors over 200 rows (1,600 bytes of bits: one load, then
	// inline) → 64 × 8 codes and currents (6 result chunks).
	"mac_batch": func(ctx context.Context, m macro.Macro) (any, error) {
		r := macro.Region{Row0: 0, Row1: 200, Col0: 100, Col1: 108}
		if _, err := m.Form(ctx, r, m.Info().DefaultForm); err != nil {
			return nil, err
		}
		s := rng.NewStream(9, "driver/test/trace")
		in := macro.Inputs{N: 64, Bits: 1, Values: make([]uint8, 64*r.Rows())}
		for i := range in.Values {
			if s.Float64(uint64(i)) < 0.1 {
				in.Values[i] = 1
			}
		}
		var out macro.Outputs
		err := m.MAC(ctx, r, in, &out)
		return out, err
	},
}

var traceCfg = driver.Config{HostNonce: 0x0badcafe}

func TestGoldenTraces(t *testing.T) {
	ctx := context.Background()
	for name, run := range sessions {
		t.Run(name, func(t *testing.T) {
			p, _ := macro.LookupPreset("lin2025-40nm")
			model, _ := macro.NewModel(p, 3)
			lb, err := drivertest.NewLoopback(model, firmware.Config{BoardNonce: 0x600d, Virtual: true})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			rec := driver.NewRecorder(lb, &buf)
			b, err := driver.New(ctx, rec, traceCfg)
			if err != nil {
				t.Fatal(err)
			}
			want, err := run(ctx, b)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Err() != nil {
				t.Fatal(rec.Err())
			}
			path := filepath.Join("testdata", name+".trace")
			if *update {
				os.MkdirAll("testdata", 0o755)
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			golden, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), golden) {
				t.Errorf("the link traffic differs from %s (rerun with -update if the protocol changed on purpose)", path)
			}
			// Playback of the golden trace gives the same results.
			pb, err := driver.NewPlayback(bytes.NewReader(golden))
			if err != nil {
				t.Fatal(err)
			}
			b2, err := driver.New(ctx, pb, traceCfg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := run(ctx, b2)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("playback gave %v, recording %v", got, want)
			}
			if !pb.Done() {
				t.Error("playback did not consume the whole trace")
			}
		})
	}
}
