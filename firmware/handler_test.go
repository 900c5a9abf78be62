package firmware

import (
	"bytes"
	"math"
	"testing"

	"github.com/rramtwin/rramtwin/protocol"
)

// rig is a board (handler + SimHAL + fake macro) and a minimal host.
type rig struct {
	t    testing.TB
	fake *fakeMacro
	h    *Handler
	out  bytes.Buffer
	seq  uint16
	dec  protocol.Decoder
}

func newRig(t testing.TB, cfg Config) *rig {
	t.Helper()
	r := &rig{t: t, fake: newFake(32, 24)}
	h, err := NewHandler(NewSimHAL(nil, r.fake), &r.out, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.h = h
	return r
}

// frame encodes a request with the next seq.
func (r *rig) frame(cmd protocol.Command, payload []byte) []byte {
	r.seq++
	b, err := protocol.AppendFrame(nil, protocol.Header{Version: protocol.Version, Seq: r.seq, Command: cmd}, payload)
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}

// replies feeds wire bytes and returns the decoded reply frames.
func (r *rig) replies(wire []byte) []protocol.Frame {
	r.t.Helper()
	r.out.Reset()
	if err := r.h.Feed(wire); err != nil {
		r.t.Fatal(err)
	}
	var fs []protocol.Frame
	p := r.out.Bytes()
	for len(p) > 0 {
		n, f, done, err := r.dec.Next(p)
		p = p[n:]
		if !done {
			continue
		}
		if err != nil {
			r.t.Fatalf("board sent a bad frame: %v", err)
		}
		f.Payload = append([]byte(nil), f.Payload...)
		fs = append(fs, f)
	}
	return fs
}

// do sends one request and returns the reply's status and body.
func (r *rig) do(cmd protocol.Command, payload []byte) (protocol.Status, []byte) {
	r.t.Helper()
	fs := r.replies(r.frame(cmd, payload))
	if len(fs) != 1 {
		r.t.Fatalf("%v: %d replies, want 1", cmd, len(fs))
	}
	f := fs[0]
	if f.Seq != r.seq || f.Command != cmd || f.Flags&protocol.FlagReply == 0 {
		r.t.Fatalf("%v: reply header %+v", cmd, f.Header)
	}
	st, body, err := protocol.SplitReply(f.Payload)
	if err != nil {
		r.t.Fatalf("%v: %v", cmd, err)
	}
	if (st != protocol.StatusOK) != (f.Flags&protocol.FlagError != 0) {
		r.t.Fatalf("%v: error flag disagrees with status %v", cmd, st)
	}
	return st, body
}

func (r *rig) ok(cmd protocol.Command, payload []byte) []byte {
	r.t.Helper()
	st, body := r.do(cmd, payload)
	if st != protocol.StatusOK {
		var rj protocol.Reject
		_ = rj.Decode(body)
		r.t.Fatalf("%v: status %v %+v", cmd, st, rj)
	}
	return body
}

func (r *rig) hello(nonce uint32) protocol.HelloReply {
	r.t.Helper()
	var hr protocol.HelloReply
	body := r.ok(protocol.CmdHello, protocol.HelloRequest{Version: 1, HostNonce: nonce}.Append(nil))
	if err := hr.Decode(body); err != nil {
		r.t.Fatal(err)
	}
	return hr
}

// job runs a job start to completion and returns the final JobReply.
func (r *rig) job(cmd protocol.Command, payload []byte) protocol.JobReply {
	r.t.Helper()
	var jr protocol.JobReply
	if err := jr.Decode(r.ok(cmd, payload)); err != nil {
		r.t.Fatal(err)
	}
	if jr.State != protocol.JobQueued || jr.Command != cmd {
		r.t.Fatalf("%v: job start %+v", cmd, jr)
	}
	if !r.h.Poll() || r.h.Poll() {
		r.t.Fatal("Poll should run exactly one job")
	}
	if err := jr.Decode(r.ok(protocol.CmdJob, protocol.JobRequest{Job: jr.Job}.Append(nil))); err != nil {
		r.t.Fatal(err)
	}
	if jr.State != protocol.JobDone {
		r.t.Fatalf("%v: job not done: %+v", cmd, jr)
	}
	return jr
}

// result fetches a whole result given its first chunk.
func (r *rig) result(first []byte) (protocol.ResultKind, []byte) {
	r.t.Helper()
	var c protocol.ResultChunk
	if err := c.Decode(first); err != nil {
		r.t.Fatal(err)
	}
	kind, total := c.Kind, int(c.Total)
	data := append([]byte(nil), c.Data...)
	got := int(c.Count)
	for got < total {
		body := r.ok(protocol.CmdResult, protocol.ResultRequest{Result: c.Result, Offset: uint32(got)}.Append(nil))
		if err := c.Decode(body); err != nil {
			r.t.Fatal(err)
		}
		if int(c.Offset) != got || c.Count == 0 {
			r.t.Fatalf("chunk at %d: offset %d count %d", got, c.Offset, c.Count)
		}
		data = append(data, c.Data...)
		got += int(c.Count)
	}
	return kind, data
}

var formA = protocol.FormRequest{
	Region: protocol.Region{Row0: 0, Row1: 16, Col0: 0, Col1: 24},
	Pulse:  protocol.FormPulse{VoltageMV: 3500, WidthNS: 1000, ComplianceNA: 100000},
}

func TestHello(t *testing.T) {
	r := newRig(t, Config{BoardNonce: 42, Virtual: true})
	hr := r.hello(0xABCDEF)
	if hr.Rows != 32 || hr.Cols != 24 || hr.Macros != 1 || hr.ADCBits != 8 || hr.ReadMV != 200 {
		t.Fatalf("geometry %+v", hr)
	}
	if hr.HostNonce != 0xABCDEF || hr.BoardNonce != 42 || hr.MaxPayload != protocol.MaxPayload {
		t.Fatalf("nonces %+v", hr)
	}
	// The chip's 4.5 V and 300 µA are tighter than the firmware's 5 V and 500 µA.
	if hr.MaxFormMV != 4500 || hr.MaxComplianceNA != 300000 || hr.MinComplianceNA != 1000 ||
		hr.MinWidthNS != 10 || hr.MaxWidthNS != 1000000 || hr.MaxReadMV != 500 {
		t.Fatalf("limits %+v", hr)
	}
	want := protocol.CapLSM | protocol.CapProgram | protocol.CapMultiBit | protocol.CapCalibrate |
		protocol.CapCurrents | protocol.CapVirtual
	if hr.Caps != want {
		t.Fatalf("caps %#x, want %#x", hr.Caps, want)
	}
	if hr.Firmware.String() != "fake 1.0" || hr.ID.String() != "fake-1" || hr.Preset.String() != "test" {
		t.Fatalf("texts %q %q %q", hr.Firmware.String(), hr.ID.String(), hr.Preset.String())
	}
}

func TestFormReadMACFlow(t *testing.T) {
	r := newRig(t, Config{})
	r.hello(1)
	jr := r.job(protocol.CmdForm, formA.Append(nil))
	sum := protocol.UnpackFormSummary(jr.Summary)
	if jr.Status != protocol.StatusOK || sum.Cells != 16*24 || sum.Formed == 0 || sum.Formed == sum.Cells ||
		jr.Done != jr.Total || r.fake.lastForm.Voltage != 3.5 || r.fake.lastForm.ComplianceA != 1e-4 ||
		r.fake.lastForm.WidthS != 1e-6 {
		t.Fatalf("form: %+v %+v %+v", jr, sum, r.fake.lastForm)
	}
	// Forming again: already-formed cells are a no-op.
	jr = r.job(protocol.CmdForm, formA.Append(nil))
	if s := protocol.UnpackFormSummary(jr.Summary); s.AlreadyFormed != 16*24 || s.Formed != 0 {
		t.Fatalf("re-form: %+v", s)
	}

	// Read the formed region back in chunks (384 cells > one chunk of 505? no: force 100 per chunk).
	reg := formA.Region
	body := r.ok(protocol.CmdRead, protocol.ReadRequest{Region: reg, Count: 100}.Append(nil))
	kind, data := r.result(body)
	// SimHAL reads exactly (ReadFloatHAL): float32 µS per cell.
	if kind != protocol.ResultConductanceF || len(data) != 4*reg.Cells() {
		t.Fatalf("read: kind %v, %d bytes", kind, len(data))
	}
	for k := range reg.Cells() {
		row, col := k/reg.Cols(), k%reg.Cols()
		want := r.fake.g[row*24+col]
		if got := math.Float32frombits(protocol.Be32(data[4*k:])); got != want {
			t.Fatalf("cell %d: %g, want %g", k, got, want)
		}
	}

	// A MAC batch: 40 binary vectors, staged in part, with currents.
	n, rows, cols := 40, reg.Rows(), reg.Cols()
	vals := make([]uint8, n*rows)
	for i := range vals {
		vals[i] = uint8((i*7 + i/5) % 3 % 2)
	}
	packed := protocol.PackBits(nil, vals)
	r.ok(protocol.CmdLoad, protocol.Load{Offset: 0, Data: packed[:50]}.Append(nil))
	body = r.ok(protocol.CmdMAC, protocol.MACRequest{Region: reg, Bits: 1, Flags: protocol.MACCurrents, N: uint16(n),
		Staged: 50, Inline: packed[50:]}.Append(nil))
	kind, data = r.result(body)
	if kind != protocol.ResultCodesCurrents || len(data) != 12*n*cols {
		t.Fatalf("mac: kind %v, %d bytes", kind, len(data))
	}
	for v := range n {
		for j := range cols {
			var s float64
			for i := range rows {
				if vals[v*rows+i] != 0 {
					s += float64(r.fake.g[i*24+j])
				}
			}
			e := data[12*(v*cols+j):]
			code, cur := int32(protocol.Be32(e)), int64(protocol.Be64(e[4:]))
			if code != int32(s) || cur != protocol.PicoAmps(s*1e-6*0.2) {
				t.Fatalf("vector %d col %d: code %d current %d pA, want %d, %d", v, j, code, cur,
					int32(s), protocol.PicoAmps(s*1e-6*0.2))
			}
		}
	}
	// Multi-bit, one vector, inline, codes only.
	mv := make([]uint8, rows)
	for i := range mv {
		mv[i] = uint8(i % 16)
	}
	body = r.ok(protocol.CmdMAC, protocol.MACRequest{Region: reg, Bits: 4, N: 1, Inline: mv}.Append(nil))
	kind, data = r.result(body)
	if kind != protocol.ResultCodes || len(data) != 4*cols {
		t.Fatalf("multi-bit mac: %v %d", kind, len(data))
	}
	var s float64
	for i := range rows {
		s += float64(mv[i]) * float64(r.fake.g[i*24+5])
	}
	if got := int32(protocol.Be32(data[4*5:])); got != int32(s) {
		t.Fatalf("multi-bit col 5: %d want %d", got, int32(s))
	}

	// Status carries the HAL's ledger and the link counters.
	var st protocol.StatusReply
	if err := st.Decode(r.ok(protocol.CmdStatus, nil)); err != nil {
		t.Fatal(err)
	}
	if st.FormedCells != 16*24 || st.Ledger.MACs != 2 || st.ClockNS != 1500000000 || st.JobState != protocol.JobDone ||
		st.FramesIn == 0 {
		t.Fatalf("status %+v", st)
	}
}

func TestProgramLSMCalibrate(t *testing.T) {
	r := newRig(t, Config{})
	r.job(protocol.CmdForm, formA.Append(nil))
	// Program 6×4 cells, one target beyond the fake's 100 µS (it fails there).
	reg := protocol.Region{Row0: 2, Row1: 8, Col0: 4, Col1: 8}
	var tg []byte
	for k := range reg.Cells() {
		v := uint16(1000 + 100*k) // 10 µS + k
		if k == 7 {
			v = 15000 // 150 µS
		}
		tg = protocol.AppendBe16(tg, v)
	}
	r.ok(protocol.CmdLoad, protocol.Load{Data: tg[:20]}.Append(nil))
	r.ok(protocol.CmdLoad, protocol.Load{Offset: 20, Data: tg[20:30]}.Append(nil))
	jr := r.job(protocol.CmdProgram, protocol.ProgramRequest{Region: reg, Params: protocol.ProgramParams{TolCUS: 50,
		MaxPulses: 20}, Staged: 30, Inline: tg[30:]}.Append(nil))
	ps := protocol.UnpackProgramSummary(jr.Summary)
	if ps.Cells != 24 || ps.Failed != 1 || ps.Pulses != 72 || jr.Result == 0 {
		t.Fatalf("program %+v %+v", jr, ps)
	}
	if r.fake.g[3*24+5] != float32(protocol.MicroSiemens(int64(1000+100*5))) {
		t.Fatalf("programmed cell = %v", r.fake.g[3*24+5])
	}
	body := r.ok(protocol.CmdResult, protocol.ResultRequest{Result: jr.Result}.Append(nil))
	kind, data := r.result(body)
	if kind != protocol.ResultIndices || len(data) != 4 || protocol.Be32(data) != 7 {
		t.Fatalf("failed list %v % x", kind, data)
	}

	// LSM: 8 inputs + 8 neurons on rows 0:16, 50 steps, spikes staged+inline.
	lreg := protocol.Region{Row0: 0, Row1: 16, Col0: 0, Col1: 16}
	steps, inputs, neurons := 50, 8, 8
	spikes := make([]uint8, steps*inputs)
	for i := range spikes {
		spikes[i] = uint8((i*5 + i/3) % 4 / 3)
	}
	pk := protocol.PackBits(nil, spikes)
	r.ok(protocol.CmdLoad, protocol.Load{Data: pk[:10]}.Append(nil))
	body = r.ok(protocol.CmdLSM, protocol.LSMRequest{Region: lreg, Params: protocol.LSMParams{N: 1, Inputs: uint16(inputs),
		Neurons: uint16(neurons), Steps: uint16(steps), Threshold: 5, Decay: 0.9, Scale: 0.07},
		Staged: 10, Inline: pk[10:]}.Append(nil))
	kind, data = r.result(body)
	if kind != protocol.ResultCounts8 || len(data) != neurons { // 50 steps: counts fit a byte
		t.Fatalf("lsm %v %d", kind, len(data))
	}
	want := make([]int32, neurons)
	_ = r.fake.RunLSM(nil, r.fake.lastLSM, 1, spikes, want)
	for j := range neurons {
		if int32(data[j]) != want[j] {
			t.Fatalf("neuron %d: %d want %d", j, data[j], want[j])
		}
	}
	if l := r.fake.lastLSM; l.Threshold != 5.0 || l.Decay != 0.9 || l.Scale != 0.07 || l.Steps != 50 {
		t.Fatalf("lsm params %+v", l)
	}

	// Calibrate: zero inputs give code 0 in every column of the fake.
	jr = r.job(protocol.CmdCalibrate, protocol.CalibrateRequest{Region: lreg, Kind: protocol.CalZeroOffset,
		Samples: 4}.Append(nil))
	if jr.Status != protocol.StatusOK || jr.Summary[0] != 16 || jr.Summary[1] != 4 {
		t.Fatalf("calibrate %+v", jr)
	}
	body = r.ok(protocol.CmdResult, protocol.ResultRequest{Result: jr.Result}.Append(nil))
	kind, data = r.result(body)
	if kind != protocol.ResultOffsets || len(data) != 4*16 || !bytes.Equal(data, make([]byte, 64)) {
		t.Fatalf("offsets %v % x", kind, data)
	}
}

func TestAbortAndReset(t *testing.T) {
	r := newRig(t, Config{})
	var jr protocol.JobReply
	_ = jr.Decode(r.ok(protocol.CmdForm, formA.Append(nil)))
	// Abort before Poll: the array is never touched.
	_ = jr.Decode(r.ok(protocol.CmdAbort, protocol.JobRequest{Job: jr.Job}.Append(nil)))
	if jr.State != protocol.JobAborted || jr.Status != protocol.StatusAborted {
		t.Fatalf("abort %+v", jr)
	}
	if r.h.Poll() || r.fake.forms != 0 {
		t.Fatal("aborted job ran")
	}
	// MAC on the region is still refused: it was never formed.
	if st, _ := r.do(protocol.CmdMAC, protocol.MACRequest{Region: formA.Region, Bits: 1, N: 1,
		Inline: make([]byte, 48)}.Append(nil)); st != protocol.StatusNotFormed {
		t.Fatalf("MAC after aborted form: %v", st)
	}
	// Reset cancels a queued job and drops staged data.
	_ = jr.Decode(r.ok(protocol.CmdForm, formA.Append(nil)))
	r.ok(protocol.CmdReset, nil)
	if r.h.Poll() || r.fake.forms != 0 {
		t.Fatal("job ran after reset")
	}
	r.ok(protocol.CmdLoad, protocol.Load{Data: []byte{1, 2, 3}}.Append(nil))
	r.ok(protocol.CmdReset, nil)
	if st, _ := r.do(protocol.CmdLoad, protocol.Load{Offset: 3, Data: []byte{4}}.Append(nil)); st != protocol.StatusOrder {
		t.Fatalf("load after reset: %v", st)
	}
}

// TestReplayCache: duplicated request frames are answered from the cache,
// byte for byte, and executed once.
func TestReplayCache(t *testing.T) {
	r := newRig(t, Config{})
	r.hello(7)
	form := r.frame(protocol.CmdForm, formA.Append(nil))
	// The same frame three times in one write, as a retrying host would.
	fs := r.replies(bytes.Repeat(form, 3))
	if len(fs) != 3 {
		t.Fatalf("%d replies", len(fs))
	}
	for _, f := range fs[1:] {
		if f.Header != fs[0].Header || !bytes.Equal(f.Payload, fs[0].Payload) {
			t.Fatal("replayed reply differs")
		}
	}
	for r.h.Poll() {
	}
	if r.fake.forms != 1 || r.h.Executed(protocol.CmdForm) != 1 || r.h.Stats().Replays != 2 {
		t.Fatalf("forms %d executed %d replays %d", r.fake.forms, r.h.Executed(protocol.CmdForm), r.h.Stats().Replays)
	}
	// A MAC retried after its reply was lost.
	mac := r.frame(protocol.CmdMAC, protocol.MACRequest{Region: formA.Region, Bits: 1, N: 2,
		Inline: []byte{0xFF, 0x0F, 0xA0, 0x01}}.Append(nil))
	a, b := r.replies(mac), r.replies(mac)
	if len(a) != 1 || len(b) != 1 || !bytes.Equal(a[0].Payload, b[0].Payload) || r.fake.macs != 1 ||
		r.h.Executed(protocol.CmdMAC) != 1 {
		t.Fatalf("mac replay: macs %d", r.fake.macs)
	}
	// Other requests in between, then the old frame again: still cached.
	r.ok(protocol.CmdStatus, nil)
	r.replies(form)
	if r.fake.forms != 1 || r.h.Poll() {
		t.Fatal("form re-executed")
	}
	// The same seq with a different payload is a new request.
	r.seq--
	other := formA
	other.Region.Row1 = 8
	r.ok(protocol.CmdForm, other.Append(nil))
	r.h.Poll()
	if r.fake.forms != 2 {
		t.Fatalf("forms %d, want 2", r.fake.forms)
	}
	// A hello with the same nonce keeps the cache; a new nonce clears it.
	r.hello(7)
	r.replies(form)
	if r.h.Poll() {
		t.Fatal("cache cleared by a repeated hello")
	}
	r.hello(8)
	r.replies(form)
	if !r.h.Poll() || r.fake.forms != 3 {
		t.Fatal("new session did not execute the request")
	}
	// Corrupt frames get no reply.
	bad := r.frame(protocol.CmdStatus, nil)
	bad[3] ^= 0x10
	if fs := r.replies(bad); len(fs) != 0 {
		t.Fatalf("reply to a corrupt frame: %+v", fs)
	}
}
