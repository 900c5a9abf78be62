package driver_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rramtwin/rramtwin/driver"
	"github.com/rramtwin/rramtwin/driver/drivertest"
	"github.com/rramtwin/rramtwin/firmware"
	"github.com/rramtwin/rramtwin/internal/faults"
	"github.com/rramtwin/rramtwin/macro"
	"github.com/rramtwin/rramtwin/protocol"
)

func newModel(t testing.TB, seed uint64) *macro.Model {
	t.Helper()
	p, err := macro.LookupPreset("lin2025-40nm")
	if err != nil {
		t.Fatal(err)
	}
	m, err := macro.NewModel(p, seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDeadLinkWriteTimesOut: a peer that never reads blocks the host's
// first write; the watchdog closes the link after WriteTimeout exactly.
func TestDeadLinkWriteTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		host, board := net.Pipe()
		defer board.Close()
		start := time.Now()
		_, err := driver.New(t.Context(), driver.NetConn(host), driver.Config{WriteTimeout: 3 * time.Second})
		if !errors.Is(err, driver.ErrTimeout) {
			t.Fatalf("err = %v, want ErrTimeout", err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("gave up after %v, want 3s", d)
		}
	})
}

// TestSilentBoardHelloTimesOut: a peer that reads but never answers; hello
// is retried with timeouts 100, 200, 400, 800 ms then 1 s until the 5 s
// budget is spent (the last try ends at 5.5 s).
func TestSilentBoardHelloTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		host, board := net.Pipe()
		defer board.Close()
		go io.Copy(io.Discard, board)
		start := time.Now()
		_, err := driver.New(t.Context(), driver.NetConn(host), driver.Config{})
		if !errors.Is(err, driver.ErrTimeout) || !strings.Contains(err.Error(), "hello") {
			t.Fatalf("err = %v, want ErrTimeout naming hello", err)
		}
		if d := time.Since(start); d != 5500*time.Millisecond {
			t.Errorf("gave up after %v, want 5.5s", d)
		}
		host.Close()
	})
}

// dropFirst passes the board its input but swallows the first n frames of
// command cmd (a lossy line in front of the board).
type dropFirst struct {
	r    io.Reader
	cmd  protocol.Command
	n    int
	dec  protocol.Decoder
	frag []byte
	out  []byte
}

func (d *dropFirst) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		buf := make([]byte, 4096)
		n, err := d.r.Read(buf)
		for b := buf[:n]; len(b) > 0; {
			i := bytes.IndexByte(b, 0)
			if i < 0 {
				d.frag = append(d.frag, b...)
				break
			}
			frame := append(d.frag, b[:i+1]...)
			d.frag, b = nil, b[i+1:]
			f, ferr := protocol.DecodeFrame(make([]byte, 0, protocol.MaxEncoded), frame)
			if ferr == nil && f.Command == d.cmd && d.n > 0 {
				d.n--
				continue
			}
			d.out = append(d.out, frame...)
		}
		if err != nil {
			return 0, err
		}
	}
	k := copy(p, d.out)
	d.out = d.out[k:]
	return k, nil
}

// TestRetriesWithBackoff: the first two status requests are lost; the
// host resends after 100 ms, then 200 ms, and the third copy is answered.
// If every copy is lost the call fails after 1+Retries tries whose
// timeouts double up to MaxTimeout.
func TestRetriesWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		host, board := net.Pipe()
		m := newModel(t, 1)
		lossy := &dropFirst{r: board, cmd: protocol.CmdStatus, n: 2}
		srv, err := drivertest.Serve(board, lossy, m, firmware.Config{})
		if err != nil {
			t.Fatal(err)
		}
		cfg := driver.Config{Timeout: 100 * time.Millisecond, MaxTimeout: 300 * time.Millisecond, Retries: 4}
		b, err := driver.New(t.Context(), driver.NetConn(host), cfg)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := b.Status(t.Context()); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 300*time.Millisecond {
			t.Errorf("status took %v, want 300ms (100 + 200)", d)
		}
		if st := b.Stats(); st.Retries != 2 {
			t.Errorf("%d retries, want 2", st.Retries)
		}
		lossy.n = 1000
		start = time.Now()
		_, err = b.Status(t.Context())
		if !errors.Is(err, driver.ErrTimeout) {
			t.Fatalf("err = %v, want ErrTimeout", err)
		}
		if d := time.Since(start); d != (100+200+300+300+300)*time.Millisecond {
			t.Errorf("gave up after %v, want 1.2s", d)
		}
		host.Close()
		srv.Wait()
		if got := srv.Executed(protocol.CmdStatus); got != 1 {
			t.Errorf("board executed %d status requests, want 1", got)
		}
	})
}

// TestCancelledContext: a cancelled context stops a wait promptly.
func TestCancelledContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		host, board := net.Pipe()
		defer board.Close()
		go io.Copy(io.Discard, board)
		ctx, cancel := context.WithTimeout(t.Context(), 120*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := driver.New(ctx, driver.NetConn(host), driver.Config{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the context's deadline", err)
		}
		if d := time.Since(start); d > 170*time.Millisecond {
			t.Errorf("noticed the cancellation after %v", d)
		}
		host.Close()
	})
}

type faultResult struct {
	codes []int32
	ops   uint64
}

// runCommands runs n cheap commands (MACs of one vector on a 4×2 region,
// every 50th a status) on a fresh chip over a link with the given faults
// (injected on the host's side, both directions), under synctest.
func runCommands(t *testing.T, n int, spec faults.Spec) (faultResult, driver.LinkStats, *drivertest.Served, *faults.Link) {
	var res faultResult
	var stats driver.LinkStats
	var srv *drivertest.Served
	var fl *faults.Link
	synctest.Test(t, func(t *testing.T) {
		host, board := net.Pipe()
		defer board.Close()
		defer host.Close()
		m := newModel(t, 2)
		var err error
		srv, err = drivertest.Serve(board, nil, m, firmware.Config{})
		if err != nil {
			t.Fatal(err)
		}
		fl = faults.Wrap(driver.NetConn(host), spec, spec, 77)
		cfg := driver.Config{Timeout: 5 * time.Millisecond, MaxTimeout: 20 * time.Millisecond, Retries: 100, HostNonce: 1}
		b, err := driver.New(t.Context(), fl, cfg)
		if err != nil {
			t.Fatal(err)
		}
		r := macro.Region{Row0: 8, Row1: 12, Col0: 20, Col1: 22}
		if _, err := b.Form(t.Context(), r, b.Info().DefaultForm); err != nil {
			t.Fatal(err)
		}
		var out macro.Outputs
		for i := range n {
			if i%50 == 49 {
				st, err := b.Status(t.Context())
				if err != nil {
					t.Fatalf("command %d (status): %v", i, err)
				}
				res.ops = st.Ops
				continue
			}
			in := macro.Inputs{N: 1, Bits: 1, Values: []uint8{1, uint8(i & 1), uint8(i >> 1 & 1), 1}}
			if err := b.MAC(t.Context(), r, in, &out); err != nil {
				t.Fatalf("command %d (mac): %v", i, err)
			}
			res.codes = append(res.codes, out.Codes...)
		}
		stats = b.Stats()
		host.Close()
		srv.Wait()
	})
	return res, stats, srv, fl
}

// TestFaultInjection: 10,000 commands over a link that flips 1 % of the
// bytes, drops 0.1 %, duplicates 0.1 % and splits writes at random
// boundaries complete with exactly the results of a clean link, and the
// board executes every command exactly once.
func TestFaultInjection(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 2000
	}
	clean, _, _, _ := runCommands(t, n, faults.Spec{})
	spec := faults.Spec{Flip: 0.01, Drop: 0.001, Dup: 0.001, Split: true}
	noisy, stats, srv, fl := runCommands(t, n, spec)
	if len(noisy.codes) != len(clean.codes) || noisy.ops != clean.ops {
		t.Fatalf("noisy link: %d codes, %d ops; clean: %d, %d", len(noisy.codes), noisy.ops, len(clean.codes), clean.ops)
	}
	for i := range clean.codes {
		if noisy.codes[i] != clean.codes[i] {
			t.Fatalf("code %d: %d over the noisy link, %d over the clean one (undetected corruption)", i, noisy.codes[i], clean.codes[i])
		}
	}
	macs := uint64(n - n/50)
	if got := srv.Executed(protocol.CmdMAC); got != macs {
		t.Errorf("board executed %d MACs for %d requested (double executions)", got, macs)
	}
	if got := srv.Executed(protocol.CmdForm); got != 1 {
		t.Errorf("board executed %d forms, want 1", got)
	}
	bs := srv.Stats()
	t.Logf("host: %d requests, %d retries, %d corrupt frames dropped, %d stale; faults: %d+%d flipped, %d+%d dropped, %d+%d duplicated; board: %d frames, %d rejected, %d replays",
		stats.Requests, stats.Retries, stats.Rejected, stats.Stale, fl.Out.Flipped, fl.In.Flipped, fl.Out.Dropped, fl.In.Dropped,
		fl.Out.Duplicated, fl.In.Duplicated, bs.Frames, bs.Rejected, bs.Replays)
	if stats.Retries == 0 || bs.Replays == 0 || bs.Rejected == 0 {
		t.Error("the faults never forced a retry, a replay and a rejection: the test proves nothing")
	}
}

// TestPlaybackRejectsDivergence: a host that does not send what the trace
// holds is caught.
func TestPlaybackRejectsDivergence(t *testing.T) {
	f, err := os.Open("testdata/hello.trace")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pb, err := driver.NewPlayback(f)
	if err != nil {
		t.Fatal(err)
	}
	cfg := traceCfg
	cfg.HostNonce++
	if _, err := driver.New(context.Background(), pb, cfg); err == nil || !strings.Contains(err.Error(), "playback") {
		t.Errorf("a different host nonce played back: err = %v", err)
	}
}
