package firmware

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/rramtwin/rramtwin/macro"
	"github.com/rramtwin/rramtwin/protocol"
)

// countWriter counts bytes and keeps nothing: it never allocates.
type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// TestFeedDoesNotAllocate: Handler.Feed on the hot path (MAC, LSM, read,
// result, status and load requests, fed in pieces) allocates nothing.
func TestFeedDoesNotAllocate(t *testing.T) {
	fake := newFake(32, 24)
	w := &countWriter{}
	h, err := NewHandler(NewSimHAL(context.Background(), fake), w, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var seq uint16
	frame := func(cmd protocol.Command, p []byte) []byte {
		seq++
		b, _ := protocol.AppendFrame(nil, protocol.Header{Version: 1, Seq: seq, Command: cmd}, p)
		return b
	}
	_ = h.Feed(frame(protocol.CmdForm, formA.Append(nil)))
	h.Poll()
	reg := protocol.Region{Row0: 0, Row1: 16, Col0: 0, Col1: 16}
	in := make([]byte, protocol.PackedLen(16*10))
	for i := range in {
		in[i] = byte(i * 37)
	}
	kinds := []func(round int) []byte{
		func(int) []byte {
			return frame(protocol.CmdMAC, protocol.MACRequest{Region: reg, Bits: 1, Flags: protocol.MACCurrents, N: 10, Inline: in}.Append(nil))
		},
		func(int) []byte {
			return frame(protocol.CmdLSM, protocol.LSMRequest{Region: reg, Params: protocol.LSMParams{N: 1, Inputs: 8,
				Neurons: 8, Steps: 20, Decay: 0.9}, Inline: in}.Append(nil))
		},
		func(int) []byte { return frame(protocol.CmdRead, protocol.ReadRequest{Region: reg}.Append(nil)) },
		func(round int) []byte {
			return frame(protocol.CmdResult, protocol.ResultRequest{Result: uint16(3*round + 3), Offset: 7}.Append(nil))
		},
		func(int) []byte { return frame(protocol.CmdStatus, nil) },
		func(int) []byte { return frame(protocol.CmdLoad, protocol.Load{Data: in}.Append(nil)) },
		func(int) []byte { return frame(protocol.CmdConfigure, protocol.Configure{ReadMV: 200}.Append(nil)) },
	}
	const runs = 50
	frames := make([][]byte, 0, (runs+2)*len(kinds))
	for round := range runs + 2 {
		for _, k := range kinds {
			frames = append(frames, k(round))
		}
	}
	// Warm up (SimHAL and the fake size their buffers on first use).
	i := 0
	for ; i < 2*len(kinds); i++ {
		_ = h.Feed(frames[i])
	}
	before := h.Stats().Refused
	a := testing.AllocsPerRun(runs-1, func() {
		for range kinds {
			f := frames[i]
			_ = h.Feed(f[:7])
			_ = h.Feed(f[7:])
			i++
		}
	})
	if a != 0 {
		t.Fatalf("Feed: %v allocs per run of %d requests, want 0", a, len(kinds))
	}
	if h.Stats().Refused != before {
		t.Fatalf("%d requests refused in the allocation run", h.Stats().Refused-before)
	}
	// Replayed frames and corrupt frames do not allocate either.
	dup := frames[len(frames)-1]
	bad := append([]byte(nil), dup...)
	bad[4] ^= 1
	if a := testing.AllocsPerRun(100, func() { _ = h.Feed(dup); _ = h.Feed(bad) }); a != 0 {
		t.Fatalf("replay/corrupt: %v allocs", a)
	}
}

// FuzzHandlerFeed feeds arbitrary bytes (and arbitrary requests built from
// them) to a handler: it must not panic, every byte it writes must be
// well-formed reply frames, and a request with one flipped data bit must
// get no reply and touch nothing.
func FuzzHandlerFeed(f *testing.F) {
	f.Add([]byte{0}, uint16(protocol.CmdStatus), uint8(3), uint32(0))
	f.Add(formA.Append(nil), uint16(protocol.CmdForm), uint8(1), uint32(40))
	f.Add(protocol.MACRequest{Region: formA.Region, Bits: 1, N: 1, Inline: make([]byte, 2)}.Append(nil),
		uint16(protocol.CmdMAC), uint8(2), uint32(99))
	f.Fuzz(func(t *testing.T, data []byte, cmd uint16, split uint8, bit uint32) {
		fake := newFake(32, 24)
		var out bytes.Buffer
		cfg := Config{StageBytes: 4096, InputElems: 4096, ResultElems: 4096}
		if split&0x80 != 0 { // tiny buffers: everything large must be refused, never overrun
			cfg = Config{StageBytes: 16, InputElems: 64, ResultElems: 4, MaxCells: 4, ReplaySlots: 1}
		}
		h, err := NewHandler(NewSimHAL(context.Background(), fake), &out, cfg)
		if err != nil {
			t.Fatal(err)
		}
		// Raw bytes in pieces.
		step := int(split%16) + 1
		for p := data; len(p) > 0; {
			k := min(step, len(p))
			_ = h.Feed(p[:k])
			p = p[k:]
			h.Poll()
		}
		// The same bytes as the payload of a well-formed request, after a form.
		w, _ := protocol.AppendFrame(nil, protocol.Header{Version: 1, Seq: 1, Command: protocol.CmdForm}, formA.Append(nil))
		_ = h.Feed(append([]byte{0}, w...))
		h.Poll()
		payload := data[:min(len(data), protocol.MaxPayload)]
		w, _ = protocol.AppendFrame(nil, protocol.Header{Version: 1, Seq: 2, Command: protocol.Command(cmd)}, payload)
		_ = h.Feed(w)
		h.Poll()
		checkReplies(t, out.Bytes())

		// One flipped data bit: no reply, nothing executed.
		w, _ = protocol.AppendFrame(nil, protocol.Header{Version: 1, Seq: 3, Command: protocol.Command(cmd)}, payload)
		k := int(bit % uint32(8*(len(w)-1)))
		if isCodeByte(w, k/8) {
			return
		}
		w[k/8] ^= 1 << (k % 8)
		out.Reset()
		snap, calls := fake.snap(), h.halCalls
		_ = h.Feed(w)
		h.Poll()
		if out.Len() != 0 || fake.snap() != snap || h.halCalls != calls {
			t.Fatalf("flipped bit %d: reply % x, array touched %v", k, out.Bytes(), fake.snap() != snap)
		}
	})
}

func isCodeByte(enc []byte, i int) bool {
	for j := 0; j < len(enc)-1; j += int(enc[j]) {
		if j == i {
			return true
		}
	}
	return false
}

func checkReplies(t *testing.T, b []byte) {
	t.Helper()
	var d protocol.Decoder
	for len(b) > 0 {
		n, f, done, err := d.Next(b)
		b = b[n:]
		if !done {
			continue
		}
		if err != nil || f.Flags&protocol.FlagReply == 0 {
			t.Fatalf("bad reply frame: %v %+v", err, f.Header)
		}
		if _, _, err := protocol.SplitReply(f.Payload); err != nil {
			t.Fatalf("bad reply payload: %v", err)
		}
	}
}

func TestStatusOf(t *testing.T) {
	cases := []struct {
		err  error
		want protocol.Status
	}{
		{nil, protocol.StatusOK},
		{&macro.RangeError{Field: "voltage", Value: 9, Max: 5}, protocol.StatusVoltage},
		{fmt.Errorf("x: %w", &macro.RangeError{Field: "width_s"}), protocol.StatusWidth},
		{&macro.RangeError{Field: "compliance_a"}, protocol.StatusCompliance},
		{&macro.RangeError{Field: "macro"}, protocol.StatusRegion},
		{&macro.RangeError{Field: "tol_us"}, protocol.StatusParam},
		{fmt.Errorf("%w: rows", macro.ErrRegion), protocol.StatusRegion},
		{macro.ErrNotFormed, protocol.StatusNotFormed},
		{macro.ErrNoCompliance, protocol.StatusCompliance},
		{macro.ErrInputs, protocol.StatusInputs},
		{macro.ErrUnsupported, protocol.StatusUnsupported},
		{macro.ErrBusy, protocol.StatusBusy},
		{context.Canceled, protocol.StatusAborted},
		{errors.New("disk on fire"), protocol.StatusHardware},
	}
	for _, c := range cases {
		if got := statusOf(c.err); got != c.want {
			t.Errorf("statusOf(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// noLSM hides the fake's LSMRunner.
type noLSM struct{ macro.Macro }

func TestSimHALWithoutLSM(t *testing.T) {
	fake := newFake(8, 8)
	var out bytes.Buffer
	h, err := NewHandler(NewSimHAL(nil, noLSM{fake}), &out, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var hr protocol.HelloReply
	w, _ := protocol.AppendFrame(nil, protocol.Header{Version: 1, Seq: 1, Command: protocol.CmdHello},
		protocol.HelloRequest{Version: 1}.Append(nil))
	_ = h.Feed(w)
	var d protocol.Decoder
	_, f, _, _ := d.Next(out.Bytes())
	_ = hr.Decode(f.Payload[1:])
	if hr.Caps&protocol.CapLSM != 0 {
		t.Fatal("CapLSM advertised without an LSMRunner")
	}
	out.Reset()
	w, _ = protocol.AppendFrame(nil, protocol.Header{Version: 1, Seq: 2, Command: protocol.CmdLSM},
		protocol.LSMRequest{Region: protocol.Region{Row1: 4, Col1: 4}, Params: protocol.LSMParams{N: 1, Inputs: 2, Neurons: 2, Steps: 1}, Inline: []byte{0}}.Append(nil))
	_ = h.Feed(w)
	_, f, _, _ = d.Next(out.Bytes())
	if st, _, _ := protocol.SplitReply(f.Payload); st != protocol.StatusUnsupported {
		t.Fatalf("LSM without runner: %v", st)
	}
	if _, err := NewHandler(nil, &out, Config{}); err == nil {
		t.Fatal("nil HAL accepted")
	}
	if err := h.MarkFormed(protocol.Region{Row1: 9, Col1: 1}); err == nil {
		t.Fatal("MarkFormed outside the chip accepted")
	}
}

func BenchmarkFeed(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("cmd=mac/n=%d", n), func(b *testing.B) {
			fake := newFake(64, 64)
			h, _ := NewHandler(NewSimHAL(nil, fake), &countWriter{}, Config{})
			reg := protocol.Region{Row1: 64, Col1: 8}
			_ = h.MarkFormed(reg)
			in := make([]byte, protocol.PackedLen(n*64))
			var seq uint16
			wire := make([]byte, 0, protocol.MaxWire)
			body := make([]byte, 0, protocol.MaxPayload)
			for b.Loop() {
				seq++
				body = protocol.MACRequest{Region: reg, Bits: 1, N: uint16(n), Inline: in}.Append(body[:0])
				wire, _ = protocol.AppendFrame(wire[:0], protocol.Header{Version: 1, Seq: seq, Command: protocol.CmdMAC}, body)
				_ = h.Feed(wire)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
		})
	}
}
