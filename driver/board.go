package driver

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/rramtwin/rramtwin/macro"
	"github.com/rramtwin/rramtwin/protocol"
)

// Board is a chip behind the serial link: it implements macro.Macro by
// sending protocol requests to the board's firmware, and macro.LSMRunner
// when the board advertises the LSM fast path (use AsMacro to get a value
// whose dynamic type offers exactly what the board can do).
//
// A Board is safe for concurrent use; requests are serialised.
type Board struct {
	mu     sync.Mutex
	l      *link
	cfg    Config
	hello  protocol.HelloReply
	info   macro.Info
	nonce  uint32
	closer io.Closer // the port, when the Board opened it
	name   string
	closed bool
}

var (
	_ macro.Macro     = (*Board)(nil)
	_ macro.LSMRunner = (*Board)(nil)
)

// New runs the handshake on t and returns the board behind it. The board
// does not own t: Close leaves it open. Constructing does I/O (the
// handshake); it fails with ErrTimeout if no board answers.
func New(ctx context.Context, t Transport, cfg Config) (*Board, error) {
	cfg = cfg.withDefaults()
	b := &Board{l: newLink(t, cfg), cfg: cfg, nonce: cfg.HostNonce, name: "board"}
	if b.nonce == 0 {
		var k [4]byte
		rand.Read(k[:])
		b.nonce = binary.BigEndian.Uint32(k[:]) | 1
	}
	if err := b.handshake(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

// handshake allows for a reset, flushes, resynchronises the board's
// decoder with a lone 0x00 and sends hello until it is answered.
func (b *Board) handshake(ctx context.Context) error {
	if d := b.cfg.ResetDelay; d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	b.l.flush()
	if err := writeGuarded(b.l.t, []byte{protocol.Delimiter}, b.cfg.WriteTimeout); err != nil {
		return fmt.Errorf("driver: %s: resync: %w", b.name, err)
	}
	deadline := time.Now().Add(b.cfg.HelloTimeout)
	wait := min(b.cfg.Timeout, 100*time.Millisecond)
	for {
		err := b.sayHello(ctx, wait)
		if err == nil || !errors.Is(err, ErrTimeout) {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %s did not answer hello within %v", ErrTimeout, b.name, b.cfg.HelloTimeout)
		}
		wait = min(2*wait, time.Second)
	}
}

func (b *Board) sayHello(ctx context.Context, wait time.Duration) error {
	req := protocol.HelloRequest{Version: protocol.Version, HostNonce: b.nonce}
	r, err := b.l.exchangeTimeout(ctx, protocol.CmdHello, req.Append(b.l.pbuf[:0]), wait, 0)
	if err != nil {
		return err
	}
	if r.status != protocol.StatusOK {
		return fmt.Errorf("driver: %s refused hello: %s (%s %d, board speaks %d)", b.name, r.status, r.reject.Field, r.reject.Value, r.reject.Max)
	}
	var h protocol.HelloReply
	if err := h.Decode(r.body); err != nil {
		return fmt.Errorf("driver: %s: malformed hello reply: %w", b.name, err)
	}
	if h.Version != protocol.Version || h.HostNonce != b.nonce {
		return fmt.Errorf("driver: %s: hello reply for protocol %d, nonce %#x (want %d, %#x)", b.name, h.Version, h.HostNonce, protocol.Version, b.nonce)
	}
	b.hello = h
	b.info = infoOf(h)
	return nil
}

func infoOf(h protocol.HelloReply) macro.Info {
	return macro.Info{
		Macros: int(h.Macros), Rows: int(h.Rows), Cols: int(h.Cols),
		ADCBits:  int(h.ADCBits),
		ReadV:    protocol.Volts(int64(h.ReadMV)),
		ID:       h.ID.String(),
		Firmware: h.Firmware.String(),
		Preset:   h.Preset.String(),
		Caps:     h.Caps & (macro.CapLSM | macro.CapClock | macro.CapProgram | macro.CapMultiBit | macro.CapDiffSense) &^ macro.CapClock,
		GMinUS:   protocol.MicroSiemens(int64(h.GMinCUS)),
		GMaxUS:   protocol.MicroSiemens(int64(h.GMaxCUS)),
		DefaultForm: macro.FormPulse{Voltage: protocol.Volts(int64(h.FormMV)), WidthS: protocol.Seconds(int64(h.FormWidthNS)),
			ComplianceA: protocol.AmpsFromNano(int64(h.FormComplNA))},
		MaxFormV:  protocol.Volts(int64(h.MaxFormMV)),
		MaxComplA: protocol.AmpsFromNano(int64(h.MaxComplianceNA)),
		MaxReadV:  protocol.Volts(int64(h.MaxReadMV)),
	}
}

// Hello returns the board's last hello reply: versions, limits, buffers,
// capabilities (protocol.Cap*), nonces.
func (b *Board) Hello() protocol.HelloReply {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.hello
}

// Stats returns the link counters.
func (b *Board) Stats() LinkStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.l.stats
}

// Close releases the board; it closes the port when Open opened it.
func (b *Board) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if b.closer != nil {
		return b.closer.Close()
	}
	return nil
}

// AsMacro returns b as a macro.Macro that implements macro.LSMRunner only
// when the board advertises the LSM fast path.
func (b *Board) AsMacro() macro.Macro {
	if b.Hello().Caps&protocol.CapLSM != 0 {
		return b
	}
	return plainBoard{b}
}

// plainBoard hides RunLSM from type assertions.
type plainBoard struct{ b *Board }

func (p plainBoard) Info() macro.Info { return p.b.Info() }
func (p plainBoard) Configure(ctx context.Context, c macro.ReadConfig) error {
	return p.b.Configure(ctx, c)
}
func (p plainBoard) Form(ctx context.Context, r macro.Region, f macro.FormPulse) (macro.FormResult, error) {
	return p.b.Form(ctx, r, f)
}
func (p plainBoard) Program(ctx context.Context, r macro.Region, t []float32, pp macro.ProgramParams) (macro.ProgramResult, error) {
	return p.b.Program(ctx, r, t, pp)
}
func (p plainBoard) Read(ctx context.Context, r macro.Region, dst []float32) error {
	return p.b.Read(ctx, r, dst)
}
func (p plainBoard) MAC(ctx context.Context, r macro.Region, in macro.Inputs, out *macro.Outputs) error {
	return p.b.MAC(ctx, r, in, out)
}
func (p plainBoard) Status(ctx context.Context) (macro.Status, error) { return p.b.Status(ctx) }
func (p plainBoard) Close() error                                     { return p.b.Close() }

// Info implements macro.Macro.
func (b *Board) Info() macro.Info {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.info
}

// call is one exchange that must succeed; refusals become macro errors.
func (b *Board) call(ctx context.Context, cmd protocol.Command, payload []byte) ([]byte, error) {
	if b.closed {
		return nil, fmt.Errorf("driver: %s is closed", b.name)
	}
	r, err := b.l.exchange(ctx, cmd, payload)
	if err != nil {
		return nil, err
	}
	if r.status != protocol.StatusOK {
		return nil, statusError(cmd, r.status, r.reject)
	}
	return r.body, nil
}

func wireRegion(r macro.Region) (protocol.Region, error) {
	if r.Macro < 0 || r.Macro > 255 {
		return protocol.Region{}, &macro.RangeError{Field: "macro", Value: float64(r.Macro), Min: 0, Max: 255}
	}
	ok := func(v int) bool { return v >= 0 && v <= 0xFFFF }
	if !ok(r.Row0) || !ok(r.Row1) || !ok(r.Col0) || !ok(r.Col1) || r.Row0 >= r.Row1 || r.Col0 >= r.Col1 {
		return protocol.Region{}, fmt.Errorf("%w: %s is empty or not addressable", macro.ErrRegion, r)
	}
	return protocol.Region{Macro: uint8(r.Macro), Row0: uint16(r.Row0), Row1: uint16(r.Row1),
		Col0: uint16(r.Col0), Col1: uint16(r.Col1)}, nil
}

// Configure implements macro.Macro.
func (b *Board) Configure(ctx context.Context, c macro.ReadConfig) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var w protocol.Configure
	if c.ReadV != 0 {
		mv := protocol.MilliVolts(c.ReadV)
		if !(c.ReadV > 0) || mv < 1 || mv > 0xFFFF {
			return &macro.RangeError{Field: "read_v", Value: c.ReadV, Min: 0, Max: b.info.MaxReadV}
		}
		w.ReadMV = uint16(mv)
	}
	switch {
	case c.ADCBits == -1:
		w.ADCBits = protocol.ADCIdeal
	case c.ADCBits < 0 || c.ADCBits > 127:
		return &macro.RangeError{Field: "adc_bits", Value: float64(c.ADCBits), Min: 1, Max: 16}
	default:
		w.ADCBits = int8(c.ADCBits)
	}
	if c.ADCRangeA != 0 {
		na := protocol.NanoAmps(c.ADCRangeA)
		if !(c.ADCRangeA > 0) || math.IsInf(c.ADCRangeA, 0) || na < 1 || na > math.MaxUint32 {
			return &macro.RangeError{Field: "adc_range_a", Value: c.ADCRangeA, Min: 0, Max: math.Inf(1)}
		}
		w.ADCRangeNA = uint32(na)
	}
	if _, err := b.call(ctx, protocol.CmdConfigure, w.Append(b.l.pbuf[:0])); err != nil {
		return err
	}
	// The board's read path changed: hello again for the new settings
	// (same nonce: the replay cache stays).
	return b.sayHello(ctx, b.cfg.Timeout)
}

// Form implements macro.Macro: a form job, polled until done.
func (b *Board) Form(ctx context.Context, r macro.Region, p macro.FormPulse) (macro.FormResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	wr, err := wireRegion(r)
	if err != nil {
		return macro.FormResult{}, err
	}
	info := b.info
	mv := protocol.MilliVolts(p.Voltage)
	switch {
	case !(p.Voltage > 0) || mv < 1 || mv > 0xFFFF:
		return macro.FormResult{}, &macro.RangeError{Field: "voltage", Value: p.Voltage, Min: 0, Max: info.MaxFormV}
	case math.IsNaN(p.ComplianceA) || protocol.NanoAmps(p.ComplianceA) > math.MaxUint32:
		return macro.FormResult{}, &macro.RangeError{Field: "compliance_a", Value: p.ComplianceA, Min: 0, Max: info.MaxComplA}
	case p.ComplianceA <= 0:
		return macro.FormResult{}, fmt.Errorf("%w (compliance %g A)", macro.ErrNoCompliance, p.ComplianceA)
	case p.WidthS != 0 && !(p.WidthS > 0 && protocol.Nanoseconds(p.WidthS) <= math.MaxUint32):
		return macro.FormResult{}, &macro.RangeError{Field: "width_s", Value: p.WidthS,
			Min: protocol.Seconds(int64(b.hello.MinWidthNS)), Max: protocol.Seconds(int64(b.hello.MaxWidthNS))}
	}
	req := protocol.FormRequest{Region: wr, Pulse: protocol.FormPulse{VoltageMV: uint16(mv),
		WidthNS: uint32(protocol.Nanoseconds(p.WidthS)), ComplianceNA: uint32(protocol.NanoAmps(p.ComplianceA))}}
	if p.ComplianceA > 0 && req.Pulse.ComplianceNA == 0 {
		return macro.FormResult{}, &macro.RangeError{Field: "compliance_a", Value: p.ComplianceA, Min: 0, Max: info.MaxComplA}
	}
	jr, err := b.runJob(ctx, protocol.CmdForm, req.Append(b.l.pbuf[:0]))
	if err != nil {
		return macro.FormResult{}, err
	}
	s := protocol.UnpackFormSummary(jr.Summary)
	return macro.FormResult{Cells: int(s.Cells), Formed: int(s.Formed), AlreadyFormed: int(s.AlreadyFormed),
		EnergyJ: protocol.Joules(s.EnergyAJ)}, nil
}

// runJob starts a job and polls it until it is done.
func (b *Board) runJob(ctx context.Context, cmd protocol.Command, payload []byte) (protocol.JobReply, error) {
	body, err := b.call(ctx, cmd, payload)
	if err != nil {
		return protocol.JobReply{}, err
	}
	var jr protocol.JobReply
	if err := jr.Decode(body); err != nil {
		return jr, fmt.Errorf("driver: malformed %s job reply: %w", cmd, err)
	}
	pause := time.Duration(0)
	for jr.State == protocol.JobQueued || jr.State == protocol.JobRunning {
		if pause > 0 {
			select {
			case <-time.After(pause):
			case <-ctx.Done():
				b.abort(jr.Job)
				return jr, ctx.Err()
			}
		}
		pause = min(max(2*pause, b.cfg.JobPoll), 100*time.Millisecond)
		body, err := b.call(ctx, protocol.CmdJob, protocol.JobRequest{Job: jr.Job}.Append(b.l.pbuf[:0]))
		if err != nil {
			return jr, err
		}
		if err := jr.Decode(body); err != nil {
			return jr, fmt.Errorf("driver: malformed job reply: %w", err)
		}
	}
	switch {
	case jr.State == protocol.JobAborted:
		return jr, fmt.Errorf("driver: %s job %d was aborted on the board", cmd, jr.Job)
	case jr.Status != protocol.StatusOK:
		return jr, statusError(cmd, jr.Status, protocol.Reject{})
	}
	return jr, nil
}

// abort asks the board to abort a job, best effort, after the caller's
// context was cancelled.
func (b *Board) abort(job uint16) {
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.Timeout)
	defer cancel()
	b.l.exchangeTimeout(ctx, protocol.CmdAbort, protocol.JobRequest{Job: job}.Append(b.l.pbuf[:0]), b.cfg.Timeout, 1)
}

// collect fetches a whole result whose first chunk is body, calling each
// with every chunk's element offset and data.
func (b *Board) collect(ctx context.Context, body []byte, kinds []protocol.ResultKind, total int, each func(kind protocol.ResultKind, off int, data []byte)) error {
	var ch protocol.ResultChunk
	if err := ch.Decode(body); err != nil {
		return fmt.Errorf("driver: malformed result chunk: %w", err)
	}
	okKind := false
	for _, k := range kinds {
		okKind = okKind || ch.Kind == k
	}
	if !okKind {
		return fmt.Errorf("driver: board sent a result of kind %s (want %v)", ch.Kind, kinds)
	}
	if int(ch.Total) != total {
		return fmt.Errorf("driver: board result holds %d elements, want %d", ch.Total, total)
	}
	off := 0
	for {
		if int(ch.Offset) != off || off+int(ch.Count) > total {
			return fmt.Errorf("driver: result chunk at %d+%d, want offset %d of %d", ch.Offset, ch.Count, off, total)
		}
		each(ch.Kind, off, ch.Data)
		off += int(ch.Count)
		if off == total {
			return nil
		}
		if ch.Count == 0 {
			return fmt.Errorf("driver: empty result chunk at %d of %d", off, total)
		}
		id, kind := ch.Result, ch.Kind
		body, err := b.call(ctx, protocol.CmdResult, protocol.ResultRequest{Result: id, Offset: uint32(off)}.Append(b.l.pbuf[:0]))
		if err != nil {
			return err
		}
		if err := ch.Decode(body); err != nil {
			return fmt.Errorf("driver: malformed result chunk: %w", err)
		}
		if ch.Result != id || ch.Kind != kind {
			return fmt.Errorf("driver: result %d (%s) changed to %d (%s) while fetching", id, kind, ch.Result, ch.Kind)
		}
	}
}

// stage uploads data for a request whose fixed part is header bytes: all
// but what fits inline goes to the staging buffer by CmdLoad chunks. It
// returns the staged byte count and the inline tail.
func (b *Board) stage(ctx context.Context, data []byte, header int) (uint32, []byte, error) {
	room := protocol.MaxPayload - header
	if len(data) <= room {
		return 0, data, nil
	}
	if int64(len(data)-room) > int64(b.hello.StageBytes) {
		return 0, nil, fmt.Errorf("%w: %d bytes of inputs do not fit the board's %d-byte staging buffer", macro.ErrInputs, len(data), b.hello.StageBytes)
	}
	n := len(data) - room
	chunk := protocol.MaxPayload - protocol.LoadHeaderLen
	buf := make([]byte, 0, protocol.MaxPayload)
	for off := 0; off < n; off += chunk {
		end := min(off+chunk, n)
		body, err := b.call(ctx, protocol.CmdLoad, protocol.Load{Offset: uint32(off), Data: data[off:end]}.Append(buf[:0]))
		if err != nil {
			return 0, nil, err
		}
		var lr protocol.LoadReply
		if err := lr.Decode(body); err != nil || int(lr.Staged) != end {
			return 0, nil, fmt.Errorf("driver: load at %d: board staged %d bytes, want %d", off, lr.Staged, end)
		}
	}
	return uint32(n), data[n:], nil
}

// Program implements macro.Macro: targets are uploaded in chunks, then a
// program job runs write-verify.
func (b *Board) Program(ctx context.Context, r macro.Region, targetUS []float32, p macro.ProgramParams) (macro.ProgramResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	wr, err := wireRegion(r)
	if err != nil {
		return macro.ProgramResult{}, err
	}
	if len(targetUS) != r.Cells() {
		return macro.ProgramResult{}, fmt.Errorf("%w: %d targets for %d cells", macro.ErrInputs, len(targetUS), r.Cells())
	}
	tol := protocol.CentiMicroSiemens(p.TolUS)
	if !(p.TolUS >= 0) || tol > 0xFFFF || p.MaxPulses < 0 || p.MaxPulses > 0xFFFF {
		return macro.ProgramResult{}, fmt.Errorf("%w: tolerance %g µS, max pulses %d", macro.ErrInputs, p.TolUS, p.MaxPulses)
	}
	data := make([]byte, 0, 2*len(targetUS))
	for i, t := range targetUS {
		c := protocol.CentiMicroSiemens(float64(t))
		if !(t >= 0) || c > 0xFFFF {
			return macro.ProgramResult{}, fmt.Errorf("%w: target %d is %g µS", macro.ErrInputs, i, t)
		}
		data = protocol.AppendBe16(data, uint16(c))
	}
	staged, inline, err := b.stage(ctx, data, protocol.ProgramRequestHeaderLen)
	if err != nil {
		return macro.ProgramResult{}, err
	}
	req := protocol.ProgramRequest{Region: wr, Params: protocol.ProgramParams{TolCUS: uint16(tol), MaxPulses: uint16(p.MaxPulses)},
		Staged: staged, Inline: inline}
	jr, err := b.runJob(ctx, protocol.CmdProgram, req.Append(make([]byte, 0, protocol.MaxPayload)))
	if err != nil {
		return macro.ProgramResult{}, err
	}
	s := protocol.UnpackProgramSummary(jr.Summary)
	res := macro.ProgramResult{Cells: int(s.Cells), Pulses: s.Pulses, TimeS: protocol.Seconds(s.TimeNS), EnergyJ: protocol.Joules(s.EnergyAJ)}
	if s.Failed > 0 {
		body, err := b.call(ctx, protocol.CmdResult, protocol.ResultRequest{Result: jr.Result}.Append(b.l.pbuf[:0]))
		if err != nil {
			return res, err
		}
		res.Failed = make([]int, s.Failed)
		err = b.collect(ctx, body, []protocol.ResultKind{protocol.ResultIndices}, int(s.Failed), func(_ protocol.ResultKind, off int, d []byte) {
			for i := 0; 4*i < len(d); i++ {
				res.Failed[off+i] = int(protocol.Be32(d[4*i:]))
			}
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// Read implements macro.Macro (exact float32 µS when the board sends
// them, else 0.01 µS steps).
func (b *Board) Read(ctx context.Context, r macro.Region, dst []float32) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	wr, err := wireRegion(r)
	if err != nil {
		return err
	}
	if len(dst) != r.Cells() {
		return fmt.Errorf("%w: read into %d values for %d cells", macro.ErrInputs, len(dst), r.Cells())
	}
	body, err := b.call(ctx, protocol.CmdRead, protocol.ReadRequest{Region: wr}.Append(b.l.pbuf[:0]))
	if err != nil {
		return err
	}
	return b.collect(ctx, body, []protocol.ResultKind{protocol.ResultConductanceF, protocol.ResultConductance}, len(dst),
		func(k protocol.ResultKind, off int, d []byte) {
			if k == protocol.ResultConductanceF {
				for i := 0; 4*i < len(d); i++ {
					dst[off+i] = math.Float32frombits(protocol.Be32(d[4*i:]))
				}
				return
			}
			for i := 0; 2*i < len(d); i++ {
				dst[off+i] = float32(protocol.MicroSiemens(int64(protocol.Be16(d[2*i:]))))
			}
		})
}

// MAC implements macro.Macro. The whole batch is one MAC on the board (the
// inputs go up in chunks, the outputs come back in chunks), so the board
// draws its noise exactly as a model given the same batch; only a batch
// larger than the board's buffers is split, at the size the board names.
func (b *Board) MAC(ctx context.Context, r macro.Region, in macro.Inputs, out *macro.Outputs) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	wr, err := wireRegion(r)
	if err != nil {
		return err
	}
	if out == nil {
		return fmt.Errorf("%w: nil outputs", macro.ErrInputs)
	}
	rows, cols := r.Rows(), r.Cols()
	if in.N < 1 || in.Bits < 1 || in.Bits > 8 || len(in.Values) != in.N*rows {
		return fmt.Errorf("%w: %d vectors of %d bits in %d values for %d rows", macro.ErrInputs, in.N, in.Bits, len(in.Values), rows)
	}
	if in.Keys != nil && len(in.Keys) != in.N {
		return fmt.Errorf("%w: %d noise keys for %d vectors", macro.ErrInputs, len(in.Keys), in.N)
	}
	if cap(out.Codes) < in.N*cols {
		out.Codes = make([]int32, in.N*cols)
	}
	if cap(out.Currents) < in.N*cols {
		out.Currents = make([]float64, in.N*cols)
	}
	out.Codes, out.Currents = out.Codes[:in.N*cols], out.Currents[:in.N*cols]
	step := min(in.N, 0xFFFF)
	for v := 0; v < in.N; {
		n := min(step, in.N-v)
		var keys []uint64
		if in.Keys != nil {
			keys = in.Keys[v : v+n]
		}
		err := b.mac(ctx, wr, in.Bits, n, in.Values[v*rows:(v+n)*rows], keys, out.Codes[v*cols:(v+n)*cols], out.Currents[v*cols:(v+n)*cols])
		var tl *tooLarge
		if errors.As(err, &tl) && tl.max >= 1 && tl.max < n {
			step = tl.max
			continue
		}
		if err != nil {
			return err
		}
		v += n
	}
	return nil
}

// tooLarge is a refusal of a batch over the board's buffers.
type tooLarge struct {
	max int
	err error
}

func (e *tooLarge) Error() string { return e.err.Error() }
func (e *tooLarge) Unwrap() error { return e.err }

func (b *Board) mac(ctx context.Context, wr protocol.Region, bits, n int, values []uint8, keys []uint64, codes []int32, currents []float64) error {
	rows := wr.Rows()
	perVec := float64(rows) // input bytes per vector
	if bits == 1 {
		perVec /= 8
	}
	if keys != nil {
		perVec += 8
	}
	if fit := int(float64(b.hello.StageBytes) / perVec); n > 1 && fit < n {
		return &tooLarge{max: max(fit, 1), err: fmt.Errorf("%w: %d vectors overflow the board's staging buffer", macro.ErrInputs, n)}
	}
	data := make([]byte, 0, 8*len(keys)+protocol.InputBytes(bits, n, rows))
	for _, k := range keys {
		data = protocol.AppendBe64(data, k)
	}
	if bits == 1 {
		data = protocol.PackBits(data, values)
	} else {
		data = append(data, values...)
	}
	staged, inline, err := b.stage(ctx, data, protocol.MACRequestHeaderLen)
	if err != nil {
		return err
	}
	req := protocol.MACRequest{Region: wr, Bits: uint8(bits), N: uint16(n), Staged: staged, Inline: inline}
	withCur := b.hello.Caps&protocol.CapCurrents != 0
	if withCur {
		req.Flags = protocol.MACCurrents
	}
	if keys != nil {
		req.Flags |= protocol.MACKeyed
	}
	r, err := b.l.exchange(ctx, protocol.CmdMAC, req.Append(make([]byte, 0, protocol.MaxPayload)))
	if err != nil {
		return err
	}
	if r.status != protocol.StatusOK {
		err := statusError(protocol.CmdMAC, r.status, r.reject)
		switch {
		case r.reject.Field == protocol.FieldCount && (r.status == protocol.StatusTooLarge || r.status == protocol.StatusParam):
			return &tooLarge{max: int(r.reject.Max), err: err}
		case r.reject.Field == protocol.FieldStaged && r.status == protocol.StatusTooLarge:
			return &tooLarge{max: int(float64(r.reject.Max) / perVec), err: err}
		}
		return err
	}
	if !withCur {
		clear(currents)
	}
	return b.collect(ctx, r.body, []protocol.ResultKind{protocol.ResultCodes, protocol.ResultCodesCurrents}, len(codes),
		func(k protocol.ResultKind, off int, d []byte) {
			if k == protocol.ResultCodesCurrents {
				for i := 0; 12*i < len(d); i++ {
					codes[off+i] = int32(protocol.Be32(d[12*i:]))
					currents[off+i] = protocol.AmpsFromPico(int64(protocol.Be64(d[12*i+4:])))
				}
				return
			}
			for i := 0; 4*i < len(d); i++ {
				codes[off+i] = int32(protocol.Be32(d[4*i:]))
			}
		})
}

// Status implements macro.Macro.
func (b *Board) Status(ctx context.Context) (macro.Status, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	body, err := b.call(ctx, protocol.CmdStatus, nil)
	if err != nil {
		return macro.Status{}, err
	}
	var s protocol.StatusReply
	if err := s.Decode(body); err != nil {
		return macro.Status{}, fmt.Errorf("driver: malformed status reply: %w", err)
	}
	l := s.Ledger
	return macro.Status{ClockS: protocol.Seconds(int64(s.ClockNS)), FormedCells: int64(s.FormedCells), Ops: s.Ops,
		Ledger: macro.Ledger{RowDriverAJ: l.RowDriverAJ, ArrayAJ: l.ArrayAJ, ADCAJ: l.ADCAJ, NeuronAJ: l.NeuronAJ,
			FormAJ: l.FormAJ, ProgramAJ: l.ProgramAJ, MACs: l.MACs, Conversions: l.Conversions, Reads: l.Reads,
			NeuronSteps: l.NeuronSteps, BusyNS: l.BusyNS}}, nil
}

// BoardStatus returns the board's raw status: job, link counters
// (frames in, rejected, replays, refusals) as well as the chip's.
func (b *Board) BoardStatus(ctx context.Context) (protocol.StatusReply, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	body, err := b.call(ctx, protocol.CmdStatus, nil)
	if err != nil {
		return protocol.StatusReply{}, err
	}
	var s protocol.StatusReply
	return s, s.Decode(body)
}

// RunLSM implements macro.LSMRunner: the whole batch runs on the board in
// one request (spikes uploaded in chunks), step t of all n samples one MAC
// batch there, exactly as macro.Model.RunLSM does. A batch larger than the
// board's buffers is split at the size the board names. It fails with
// macro.ErrUnsupported if the board lacks the fast path.
func (b *Board) RunLSM(ctx context.Context, run macro.LSMRun, n int, spikes []uint8, counts []int32) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.hello.Caps&protocol.CapLSM == 0 {
		return fmt.Errorf("%w: board has no LSM fast path", macro.ErrUnsupported)
	}
	if err := run.Check(b.info); err != nil {
		return err
	}
	per := run.Steps * run.Inputs
	if n < 1 || len(spikes) != n*per || len(counts) != n*run.Neurons {
		return fmt.Errorf("%w: LSM batch of %d samples with %d spikes and %d counts (want %d and %d)",
			macro.ErrInputs, n, len(spikes), len(counts), n*per, n*run.Neurons)
	}
	for _, v := range spikes {
		if v > 1 {
			return fmt.Errorf("%w: LSM input spikes must be 0 or 1, got %d", macro.ErrInputs, v)
		}
	}
	if run.Inputs > 0xFFFF || run.Neurons > 0xFFFF || run.Steps > 0xFFFF {
		return fmt.Errorf("%w: LSM of %d inputs, %d neurons, %d steps does not fit the wire", macro.ErrInputs, run.Inputs, run.Neurons, run.Steps)
	}
	wr, err := wireRegion(run.Region)
	if err != nil {
		return err
	}
	step := min(n, 0xFFFF)
	for s := 0; s < n; {
		k := min(step, n-s)
		part := run
		part.Key = run.Key + uint64(s) // sample s's key: results do not depend on the split
		err := b.lsm(ctx, wr, part, k, spikes[s*per:(s+k)*per], counts[s*run.Neurons:(s+k)*run.Neurons])
		var tl *tooLarge
		if errors.As(err, &tl) && tl.max >= 1 && tl.max < k {
			step = tl.max
			continue
		}
		if err != nil {
			return err
		}
		s += k
	}
	return nil
}

func (b *Board) lsm(ctx context.Context, wr protocol.Region, run macro.LSMRun, n int, spikes []uint8, counts []int32) error {
	per := run.Steps * run.Inputs // spike bits per sample
	if fit := 8 * int(b.hello.StageBytes) / per; n > 1 && fit < n {
		return &tooLarge{max: max(fit, 1), err: fmt.Errorf("%w: %d samples overflow the board's staging buffer", macro.ErrInputs, n)}
	}
	data := protocol.PackBits(make([]byte, 0, protocol.PackedLen(len(spikes))), spikes)
	staged, inline, err := b.stage(ctx, data, protocol.LSMRequestHeaderLen)
	if err != nil {
		return err
	}
	req := protocol.LSMRequest{Region: wr, Params: protocol.LSMParams{N: uint16(n), Inputs: uint16(run.Inputs),
		Neurons: uint16(run.Neurons), Steps: uint16(run.Steps), Threshold: run.Threshold, Decay: run.Decay, Scale: run.Scale, Key: run.Key},
		Staged: staged, Inline: inline}
	r, err := b.l.exchange(ctx, protocol.CmdLSM, req.Append(make([]byte, 0, protocol.MaxPayload)))
	if err != nil {
		return err
	}
	if r.status != protocol.StatusOK {
		err := statusError(protocol.CmdLSM, r.status, r.reject)
		switch {
		case r.reject.Field == protocol.FieldCount && (r.status == protocol.StatusTooLarge || r.status == protocol.StatusParam):
			return &tooLarge{max: int(r.reject.Max), err: err}
		case r.reject.Field == protocol.FieldStaged && r.status == protocol.StatusTooLarge:
			return &tooLarge{max: 8 * int(r.reject.Max) / per, err: err}
		}
		return err
	}
	return b.collect(ctx, r.body, []protocol.ResultKind{protocol.ResultCounts8, protocol.ResultCounts}, len(counts), func(k protocol.ResultKind, off int, d []byte) {
		if k == protocol.ResultCounts8 {
			for i, c := range d {
				counts[off+i] = int32(c)
			}
			return
		}
		for i := 0; 4*i < len(d); i++ {
			counts[off+i] = int32(protocol.Be32(d[4*i:]))
		}
	})
}
