package firmware

import (
	"errors"
	"io"
	"math"

	"github.com/rramtwin/rramtwin/protocol"
)

// Config sizes a Handler. A zero field takes the default given beside it.
type Config struct {
	Limits      Limits // safety limits (see Limits)
	StageBytes  int    // staging buffer for chunked uploads (bytes); default 1 MiB
	InputElems  int    // most input values of one MAC or LSM run; default 1 MiB
	ResultElems int    // most elements of one MAC result; default 512 Ki (1000 × 512 outputs fit)
	ReplaySlots int    // replies kept for replay; default 8
	MaxCells    int    // largest region to read or program (cells); default one whole macro
	BoardNonce  uint32 // reported in hello; a board picks a new one each power-up; default 1
	Virtual     bool   // advertise protocol.CapVirtual (a simulated board)
}

func (c Config) withDefaults() Config {
	c.Limits = c.Limits.withDefaults()
	if c.StageBytes <= 0 {
		c.StageBytes = 1 << 20
	}
	if c.InputElems <= 0 {
		c.InputElems = 1 << 20
	}
	if c.ResultElems <= 0 {
		c.ResultElems = 512 << 10
	}
	if c.ReplaySlots <= 0 {
		c.ReplaySlots = 8
	}
	if c.BoardNonce == 0 {
		c.BoardNonce = 1
	}
	return c
}

// replaySlot is one cached reply.
type replaySlot struct {
	used  bool
	seq   uint16
	cmd   protocol.Command
	crc   uint16 // CRC of the request frame
	frame []byte // the encoded reply, as sent
}

// job is the single job slot.
type job struct {
	id      uint16
	cmd     protocol.Command
	state   protocol.JobState
	status  protocol.Status
	done    uint32
	total   uint32
	result  uint16
	summary [5]int64
	region  protocol.Region
	pulse   protocol.FormPulse
	params  protocol.ProgramParams
	kind    uint8
	samples int
}

// result is the single result slot.
type result struct {
	id    uint16
	kind  protocol.ResultKind
	total int
}

// Handler is the board's protocol engine: Feed it the bytes that arrive,
// in pieces of any size; it writes one reply frame per accepted request to
// its writer. Jobs (form, program, calibrate) are queued by their request
// and run by Poll. A Handler has no goroutines and allocates only in
// NewHandler; it is not safe for concurrent use.
type Handler struct {
	hal HAL
	lsm LSMHAL
	cal CalibrateHAL
	rdf ReadFloatHAL
	out io.Writer
	cfg Config
	lim Limits

	info protocol.HelloReply
	dec  protocol.Decoder
	body []byte // reply payload scratch (cap MaxPayload)
	tmp  []byte // frame scratch for uncached replies (cap MaxWire)

	replay    []replaySlot
	next      int
	hostNonce uint32
	haveHost  bool

	stage  []byte // staging buffer (StageBytes + MaxPayload for an inline tail)
	staged int

	inputs   []uint8   // unpacked MAC/LSM inputs
	keys     []uint64  // MAC noise keys
	targets  []uint16  // program targets
	failed   []int32   // program failures
	codes    []int32   // MAC codes, LSM counts, offsets, failed indices
	currents []int64   // MAC currents (pA)
	cond     []uint16  // read conductances
	condF    []float32 // exact read conductances (ReadFloatHAL)

	formed formedMap
	job    job
	res    result
	jobSeq uint16
	resSeq uint16

	// Scratch the HAL fills through pointers (fields, so nothing escapes per call).
	infoScratch    protocol.HelloReply
	statusScratch  protocol.StatusReply
	formScratch    protocol.FormSummary
	programScratch protocol.ProgramSummary

	exec     [len(protocol.Commands)]uint64
	unknown  uint64
	replays  uint32
	refused  uint32
	halCalls uint64
}

// NewHandler returns a handler driving hal and writing replies to out.
// If hal also implements LSMHAL or CalibrateHAL, those commands are
// served and advertised. It allocates every buffer the handler will use.
func NewHandler(hal HAL, out io.Writer, cfg Config) (*Handler, error) {
	if hal == nil || out == nil {
		return nil, errors.New("firmware: NewHandler needs a HAL and a writer")
	}
	cfg = cfg.withDefaults()
	h := &Handler{hal: hal, out: out, cfg: cfg, lim: cfg.Limits}
	h.lsm, _ = hal.(LSMHAL)
	h.cal, _ = hal.(CalibrateHAL)
	h.rdf, _ = hal.(ReadFloatHAL)
	h.refreshInfo()
	if h.info.Macros == 0 || h.info.Rows == 0 || h.info.Cols == 0 {
		return nil, errors.New("firmware: HAL reports an empty chip (macros, rows or cols is 0)")
	}
	cells := int(h.info.Rows) * int(h.info.Cols)
	if cfg.MaxCells <= 0 || cfg.MaxCells > cells {
		h.cfg.MaxCells = cells
	}
	cells = h.cfg.MaxCells
	h.body = make([]byte, 0, protocol.MaxPayload)
	h.tmp = make([]byte, 0, protocol.MaxWire)
	h.replay = make([]replaySlot, cfg.ReplaySlots)
	for i := range h.replay {
		h.replay[i].frame = make([]byte, 0, protocol.MaxWire)
	}
	h.stage = make([]byte, cfg.StageBytes+protocol.MaxPayload)
	h.inputs = make([]uint8, cfg.InputElems)
	h.keys = make([]uint64, cfg.ResultElems) // one per vector; a vector has ≥ 1 output
	h.targets = make([]uint16, cells)
	h.failed = make([]int32, cells)
	// codes also holds program failures (≤ MaxCells), LSM counts and
	// calibration offsets (≤ one per column).
	n := max(cfg.ResultElems, cells, int(h.info.Cols))
	h.codes = make([]int32, n)
	h.currents = make([]int64, cfg.ResultElems)
	h.cond = make([]uint16, cells)
	if h.rdf != nil {
		h.condF = make([]float32, cells)
	}
	h.formed = newFormedMap(int(h.info.Macros), int(h.info.Rows), int(h.info.Cols))
	return h, nil
}

// refreshInfo asks the HAL for the chip's description and completes it
// with the handler's limits, buffers and capabilities.
func (h *Handler) refreshInfo() {
	i := &h.infoScratch
	*i = protocol.HelloReply{}
	h.hal.Info(i)
	lim := h.cfg.Limits
	if i.MaxFormMV != 0 && i.MaxFormMV < lim.MaxFormMV {
		lim.MaxFormMV = i.MaxFormMV
	}
	if i.MaxComplianceNA != 0 && i.MaxComplianceNA < lim.MaxComplianceNA {
		lim.MaxComplianceNA = i.MaxComplianceNA
	}
	h.lim = lim
	i.Version = protocol.Version
	i.MaxPayload = protocol.MaxPayload
	i.BoardNonce = h.cfg.BoardNonce
	i.MaxFormMV = lim.MaxFormMV
	i.MinWidthNS, i.MaxWidthNS = lim.MinWidthNS, lim.MaxWidthNS
	i.MinComplianceNA, i.MaxComplianceNA = lim.MinComplianceNA, lim.MaxComplianceNA
	i.MaxReadMV = lim.MaxReadMV
	i.StageBytes = uint32(h.cfg.StageBytes)
	i.ResultElems = uint32(h.cfg.ResultElems)
	if h.lsm == nil {
		i.Caps &^= protocol.CapLSM
	}
	if h.cal != nil {
		i.Caps |= protocol.CapCalibrate
	} else {
		i.Caps &^= protocol.CapCalibrate
	}
	if h.cfg.Virtual {
		i.Caps |= protocol.CapVirtual
	}
	h.info = *i
}

// Limits returns the effective safety limits (Config.Limits tightened by
// the chip's own).
func (h *Handler) Limits() Limits { return h.lim }

// Executed reports how many requests of command c the handler has
// executed (every request it processed, accepted or refused, except those
// answered from the replay cache).
func (h *Handler) Executed(c protocol.Command) uint64 {
	if i := cmdIndex(c); i >= 0 {
		return h.exec[i]
	}
	return h.unknown
}

// Stats are the handler's link counters.
type Stats struct {
	Frames   uint32 // good frames received
	Rejected uint32 // frames dropped as corrupt
	Replays  uint32 // requests answered from the replay cache
	Refused  uint32 // requests refused (any non-OK status)
}

// Stats returns the link counters.
func (h *Handler) Stats() Stats {
	return Stats{Frames: h.dec.Frames, Rejected: h.dec.Rejected, Replays: h.replays, Refused: h.refused}
}

// MarkFormed records that r has been formed, for a board that keeps its
// forming map across power cycles (e.g. in flash). It does not touch the
// array. It fails if r is outside the chip.
func (h *Handler) MarkFormed(r protocol.Region) error {
	if st, _ := h.checkRegion(r); st != protocol.StatusOK {
		return errors.New("firmware: MarkFormed: region outside the chip")
	}
	h.formed.mark(int(r.Macro), int(r.Row0), int(r.Row1), int(r.Col0), int(r.Col1))
	return nil
}

func cmdIndex(c protocol.Command) int {
	for i, k := range protocol.Commands {
		if k == c {
			return i
		}
	}
	return -1
}

// Feed consumes bytes from the link and answers every complete request.
// It returns the first error of the writer, if any (the bytes are still all
// consumed). Corrupt frames are dropped without a reply: the host retries.
func (h *Handler) Feed(p []byte) error {
	var werr error
	for len(p) > 0 {
		n, f, done, err := h.dec.Next(p)
		p = p[n:]
		if !done {
			continue
		}
		var e error
		switch {
		case err == nil:
			e = h.handle(f)
		case errors.Is(err, protocol.ErrVersion) && f.Flags&protocol.FlagReply == 0:
			h.refused++
			e = h.sendUncached(f, protocol.StatusVersion, protocol.Reject{Field: protocol.FieldVersion,
				Value: int64(f.Version), Min: protocol.Version, Max: protocol.Version})
		case errors.Is(err, protocol.ErrFlags) && f.Flags&protocol.FlagReply == 0:
			h.refused++
			e = h.sendUncached(f, protocol.StatusFrame, protocol.Reject{Field: protocol.FieldFlags,
				Value: int64(f.Flags), Max: 0})
		}
		if e != nil && werr == nil {
			werr = e
		}
	}
	return werr
}

// Poll runs the queued job, if any, and reports whether it ran one. The
// board's main loop calls it between Feeds.
func (h *Handler) Poll() bool {
	if h.job.state != protocol.JobQueued {
		return false
	}
	h.job.state = protocol.JobRunning
	j := &h.job
	r := j.region
	st := protocol.StatusOK
	switch j.cmd {
	case protocol.CmdForm:
		sum := &h.formScratch
		*sum = protocol.FormSummary{}
		h.halCalls++
		st = h.hal.Form(r, j.pulse, sum)
		if st == protocol.StatusOK {
			h.formed.mark(int(r.Macro), int(r.Row0), int(r.Row1), int(r.Col0), int(r.Col1))
			j.done = j.total
		}
		j.summary = sum.Pack()
	case protocol.CmdProgram:
		sum := &h.programScratch
		*sum = protocol.ProgramSummary{}
		cells := r.Cells()
		h.halCalls++
		nf, s := h.hal.Program(r, h.targets[:cells], j.params, h.failed[:cells], sum)
		st = s
		if st == protocol.StatusOK {
			if nf < 0 || nf > cells {
				st = protocol.StatusHardware
			} else {
				copy(h.codes, h.failed[:nf])
				j.result = h.newResult(protocol.ResultIndices, nf)
				j.done = j.total
			}
		}
		j.summary = sum.Pack()
	case protocol.CmdCalibrate:
		cols := r.Cols()
		h.halCalls++
		st = h.cal.Calibrate(r, j.kind, j.samples, h.codes[:cols])
		if st == protocol.StatusOK {
			j.result = h.newResult(protocol.ResultOffsets, cols)
			j.done = j.total
			j.summary = [5]int64{int64(cols), int64(j.samples)}
		}
	}
	j.status = st
	j.state = protocol.JobDone
	return true
}

// handle answers one good frame.
func (h *Handler) handle(f protocol.Frame) error {
	if f.Flags&protocol.FlagReply != 0 {
		return nil // a reply echoed back to the board: never answer it
	}
	if f.Flags != 0 {
		h.refused++
		return h.sendUncached(f, protocol.StatusFrame, protocol.Reject{Field: protocol.FieldFlags, Value: int64(f.Flags)})
	}
	if f.Command == protocol.CmdHello {
		return h.hello(f)
	}
	for i := range h.replay {
		s := &h.replay[i]
		if s.used && s.seq == f.Seq && s.cmd == f.Command && s.crc == f.CRC {
			h.replays++
			_, err := h.out.Write(s.frame)
			return err
		}
	}
	if i := cmdIndex(f.Command); i >= 0 {
		h.exec[i]++
	} else {
		h.unknown++
	}
	st, rej := h.dispatch(f)
	if st != protocol.StatusOK {
		h.refused++
		h.body = protocol.AppendReject(h.body[:0], st, rej)
	}
	s := &h.replay[h.next]
	h.next = (h.next + 1) % len(h.replay)
	s.used, s.seq, s.cmd, s.crc = true, f.Seq, f.Command, f.CRC
	s.frame = h.encode(s.frame[:0], f, st)
	_, err := h.out.Write(s.frame)
	return err
}

func (h *Handler) encode(dst []byte, f protocol.Frame, st protocol.Status) []byte {
	flags := protocol.FlagReply
	if st != protocol.StatusOK {
		flags |= protocol.FlagError
	}
	hd := protocol.Header{Version: protocol.Version, Flags: flags, Seq: f.Seq, Command: f.Command}
	out, err := protocol.AppendFrame(dst, hd, h.body)
	if err != nil {
		// The body is built within MaxPayload by construction.
		panic("firmware: reply over MaxPayload")
	}
	return out
}

func (h *Handler) sendUncached(f protocol.Frame, st protocol.Status, rej protocol.Reject) error {
	if st == protocol.StatusOK {
		// body already built
	} else {
		h.body = protocol.AppendReject(h.body[:0], st, rej)
	}
	h.tmp = h.encode(h.tmp[:0], f, st)
	_, err := h.out.Write(h.tmp)
	return err
}

// hello is always executed (it is idempotent) and never cached; a new
// host nonce clears the replay cache.
func (h *Handler) hello(f protocol.Frame) error {
	h.exec[cmdIndex(protocol.CmdHello)]++
	var req protocol.HelloRequest
	if err := req.Decode(f.Payload); err != nil {
		h.refused++
		return h.sendUncached(f, protocol.StatusLength, lengthReject(len(f.Payload), protocol.HelloRequestLen))
	}
	if req.Version != protocol.Version {
		h.refused++
		return h.sendUncached(f, protocol.StatusVersion, protocol.Reject{Field: protocol.FieldVersion,
			Value: int64(req.Version), Min: protocol.Version, Max: protocol.Version})
	}
	if !h.haveHost || req.HostNonce != h.hostNonce {
		for i := range h.replay {
			h.replay[i].used = false
		}
		h.hostNonce, h.haveHost = req.HostNonce, true
	}
	info := h.info
	info.HostNonce = req.HostNonce
	h.body = info.Append(append(h.body[:0], byte(protocol.StatusOK)))
	return h.sendUncached(f, protocol.StatusOK, protocol.Reject{})
}

func lengthReject(got, want int) protocol.Reject {
	return protocol.Reject{Field: protocol.FieldLength, Value: int64(got), Min: int64(want), Max: int64(want)}
}

func minLengthReject(got, min int) protocol.Reject {
	return protocol.Reject{Field: protocol.FieldLength, Value: int64(got), Min: int64(min), Max: protocol.MaxPayload}
}

var okReject protocol.Reject

// ok starts an OK reply body.
func (h *Handler) ok() { h.body = append(h.body[:0], byte(protocol.StatusOK)) }

// busy refuses array commands while a job is queued or running.
func (h *Handler) busy() (protocol.Status, protocol.Reject) {
	if h.job.state == protocol.JobQueued || h.job.state == protocol.JobRunning {
		return protocol.StatusBusy, protocol.Reject{Field: protocol.FieldJob, Value: int64(h.job.id)}
	}
	return protocol.StatusOK, okReject
}

// dispatch executes one request, leaving an OK reply in h.body, or returns
// the refusal.
func (h *Handler) dispatch(f protocol.Frame) (protocol.Status, protocol.Reject) {
	p := f.Payload
	switch f.Command {
	case protocol.CmdStatus:
		if len(p) != 0 {
			return protocol.StatusLength, lengthReject(len(p), 0)
		}
		return h.status()
	case protocol.CmdConfigure:
		var m protocol.Configure
		if m.Decode(p) != nil {
			return protocol.StatusLength, lengthReject(len(p), protocol.ConfigureLen)
		}
		return h.configure(m)
	case protocol.CmdReset:
		if len(p) != 0 {
			return protocol.StatusLength, lengthReject(len(p), 0)
		}
		if h.job.state == protocol.JobQueued {
			h.job.state, h.job.status = protocol.JobAborted, protocol.StatusAborted
		}
		h.staged = 0
		h.res = result{}
		h.ok()
		return protocol.StatusOK, okReject
	case protocol.CmdLoad:
		var m protocol.Load
		if m.Decode(p) != nil {
			return protocol.StatusLength, minLengthReject(len(p), protocol.LoadHeaderLen)
		}
		return h.load(m)
	case protocol.CmdForm:
		var m protocol.FormRequest
		if m.Decode(p) != nil {
			return protocol.StatusLength, lengthReject(len(p), protocol.FormRequestLen)
		}
		return h.form(m)
	case protocol.CmdProgram:
		var m protocol.ProgramRequest
		if m.Decode(p) != nil {
			return protocol.StatusLength, minLengthReject(len(p), protocol.ProgramRequestHeaderLen)
		}
		return h.program(m)
	case protocol.CmdRead:
		var m protocol.ReadRequest
		if m.Decode(p) != nil {
			return protocol.StatusLength, lengthReject(len(p), protocol.ReadRequestLen)
		}
		return h.read(m)
	case protocol.CmdMAC:
		var m protocol.MACRequest
		if m.Decode(p) != nil {
			return protocol.StatusLength, minLengthReject(len(p), protocol.MACRequestHeaderLen)
		}
		return h.mac(m)
	case protocol.CmdLSM:
		var m protocol.LSMRequest
		if m.Decode(p) != nil {
			return protocol.StatusLength, minLengthReject(len(p), protocol.LSMRequestHeaderLen)
		}
		return h.runLSM(m)
	case protocol.CmdCalibrate:
		var m protocol.CalibrateRequest
		if m.Decode(p) != nil {
			return protocol.StatusLength, lengthReject(len(p), protocol.CalibrateRequestLen)
		}
		return h.calibrate(m)
	case protocol.CmdJob, protocol.CmdAbort:
		var m protocol.JobRequest
		if m.Decode(p) != nil {
			return protocol.StatusLength, lengthReject(len(p), protocol.JobRequestLen)
		}
		if m.Job == 0 || m.Job != h.job.id {
			return protocol.StatusNoJob, protocol.Reject{Field: protocol.FieldJob, Value: int64(m.Job),
				Min: int64(h.job.id), Max: int64(h.job.id)}
		}
		if f.Command == protocol.CmdAbort && h.job.state == protocol.JobQueued {
			h.job.state, h.job.status = protocol.JobAborted, protocol.StatusAborted
		}
		h.jobReply()
		return protocol.StatusOK, okReject
	case protocol.CmdResult:
		var m protocol.ResultRequest
		if m.Decode(p) != nil {
			return protocol.StatusLength, lengthReject(len(p), protocol.ResultRequestLen)
		}
		if m.Result == 0 || m.Result != h.res.id {
			return protocol.StatusNoResult, protocol.Reject{Field: protocol.FieldResult, Value: int64(m.Result),
				Min: int64(h.res.id), Max: int64(h.res.id)}
		}
		if int64(m.Offset) > int64(h.res.total) {
			return protocol.StatusNoResult, protocol.Reject{Field: protocol.FieldOffset, Value: int64(m.Offset),
				Max: int64(h.res.total)}
		}
		h.chunk(int(m.Offset), int(m.Count))
		return protocol.StatusOK, okReject
	}
	return protocol.StatusUnknown, protocol.Reject{Field: protocol.FieldCommand, Value: int64(f.Command)}
}

func (h *Handler) status() (protocol.Status, protocol.Reject) {
	s := &h.statusScratch
	*s = protocol.StatusReply{}
	if st := h.hal.Status(s); st != protocol.StatusOK {
		return st, okReject
	}
	s.JobState, s.Job = h.job.state, h.job.id
	s.FramesIn, s.Rejected, s.Replays, s.Refused = h.dec.Frames, h.dec.Rejected, h.replays, h.refused
	h.ok()
	h.body = s.Append(h.body)
	return protocol.StatusOK, okReject
}

func (h *Handler) configure(m protocol.Configure) (protocol.Status, protocol.Reject) {
	if st, rej := h.busy(); st != protocol.StatusOK {
		return st, rej
	}
	if m.ReadMV > h.lim.MaxReadMV {
		return protocol.StatusVoltage, protocol.Reject{Field: protocol.FieldReadV, Value: int64(m.ReadMV),
			Min: 1, Max: int64(h.lim.MaxReadMV)}
	}
	if m.ADCBits < protocol.ADCIdeal || m.ADCBits > 16 {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldADCBits, Value: int64(m.ADCBits),
			Min: int64(protocol.ADCIdeal), Max: 16}
	}
	if m.ADCRangeNA > h.lim.MaxADCRangeNA {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldADCRange, Value: int64(m.ADCRangeNA),
			Min: 1, Max: int64(h.lim.MaxADCRangeNA)}
	}
	h.halCalls++
	if st := h.hal.Configure(m); st != protocol.StatusOK {
		return st, okReject
	}
	h.refreshInfo()
	h.ok()
	return protocol.StatusOK, okReject
}

func (h *Handler) load(m protocol.Load) (protocol.Status, protocol.Reject) {
	if st, rej := h.busy(); st != protocol.StatusOK {
		return st, rej
	}
	if int64(m.Offset) > int64(h.staged) {
		return protocol.StatusOrder, protocol.Reject{Field: protocol.FieldOffset, Value: int64(m.Offset),
			Max: int64(h.staged)}
	}
	end := int64(m.Offset) + int64(len(m.Data))
	if end > int64(h.cfg.StageBytes) {
		return protocol.StatusTooLarge, protocol.Reject{Field: protocol.FieldStaged, Value: end,
			Max: int64(h.cfg.StageBytes)}
	}
	copy(h.stage[m.Offset:], m.Data)
	h.staged = int(end)
	h.ok()
	h.body = protocol.LoadReply{Staged: uint32(h.staged)}.Append(h.body)
	return protocol.StatusOK, okReject
}

// checkRegion is the address interlock.
func (h *Handler) checkRegion(r protocol.Region) (protocol.Status, protocol.Reject) {
	switch {
	case r.Macro >= h.info.Macros:
		return protocol.StatusRegion, protocol.Reject{Field: protocol.FieldMacro, Value: int64(r.Macro),
			Max: int64(h.info.Macros) - 1}
	case r.Row1 > h.info.Rows:
		return protocol.StatusRegion, protocol.Reject{Field: protocol.FieldRow, Value: int64(r.Row1),
			Min: 1, Max: int64(h.info.Rows)}
	case r.Row0 >= r.Row1:
		return protocol.StatusRegion, protocol.Reject{Field: protocol.FieldRow, Value: int64(r.Row0),
			Max: int64(r.Row1) - 1}
	case r.Col1 > h.info.Cols:
		return protocol.StatusRegion, protocol.Reject{Field: protocol.FieldCol, Value: int64(r.Col1),
			Min: 1, Max: int64(h.info.Cols)}
	case r.Col0 >= r.Col1:
		return protocol.StatusRegion, protocol.Reject{Field: protocol.FieldCol, Value: int64(r.Col0),
			Max: int64(r.Col1) - 1}
	}
	return protocol.StatusOK, okReject
}

// checkFormed is the command-order interlock for compute and programming.
func (h *Handler) checkFormed(r protocol.Region) (protocol.Status, protocol.Reject) {
	if row := h.formed.firstUnformed(int(r.Macro), int(r.Row0), int(r.Row1), int(r.Col0), int(r.Col1)); row >= 0 {
		return protocol.StatusNotFormed, protocol.Reject{Field: protocol.FieldRow, Value: int64(row),
			Min: int64(r.Row0), Max: int64(r.Row1) - 1}
	}
	return protocol.StatusOK, okReject
}

// arrayChecks runs busy, region and (optionally) formed interlocks.
func (h *Handler) arrayChecks(r protocol.Region, needFormed bool) (protocol.Status, protocol.Reject) {
	if st, rej := h.busy(); st != protocol.StatusOK {
		return st, rej
	}
	if st, rej := h.checkRegion(r); st != protocol.StatusOK {
		return st, rej
	}
	if needFormed {
		return h.checkFormed(r)
	}
	return protocol.StatusOK, okReject
}

func (h *Handler) form(m protocol.FormRequest) (protocol.Status, protocol.Reject) {
	if st, rej := h.arrayChecks(m.Region, false); st != protocol.StatusOK {
		return st, rej
	}
	p, l := m.Pulse, h.lim
	if p.VoltageMV == 0 || p.VoltageMV > l.MaxFormMV {
		return protocol.StatusVoltage, protocol.Reject{Field: protocol.FieldVoltage, Value: int64(p.VoltageMV),
			Min: 1, Max: int64(l.MaxFormMV)}
	}
	if p.ComplianceNA < l.MinComplianceNA || p.ComplianceNA > l.MaxComplianceNA {
		return protocol.StatusCompliance, protocol.Reject{Field: protocol.FieldCompliance, Value: int64(p.ComplianceNA),
			Min: int64(l.MinComplianceNA), Max: int64(l.MaxComplianceNA)}
	}
	if p.WidthNS != 0 && (p.WidthNS < l.MinWidthNS || p.WidthNS > l.MaxWidthNS) {
		return protocol.StatusWidth, protocol.Reject{Field: protocol.FieldWidth, Value: int64(p.WidthNS),
			Min: int64(l.MinWidthNS), Max: int64(l.MaxWidthNS)}
	}
	h.startJob(protocol.CmdForm, m.Region, uint32(m.Region.Cells()))
	h.job.pulse = p
	h.jobReply()
	return protocol.StatusOK, okReject
}

// staging checks that staged+inline make exactly need bytes and lays them
// out contiguously in the staging buffer.
func (h *Handler) staging(staged uint32, inline []byte, need int) ([]byte, protocol.Status, protocol.Reject) {
	if need > h.cfg.StageBytes {
		return nil, protocol.StatusTooLarge, protocol.Reject{Field: protocol.FieldStaged, Value: int64(need),
			Max: int64(h.cfg.StageBytes)}
	}
	if int64(staged) > int64(h.staged) {
		return nil, protocol.StatusOrder, protocol.Reject{Field: protocol.FieldStaged, Value: int64(staged),
			Max: int64(h.staged)}
	}
	if got := int64(staged) + int64(len(inline)); got != int64(need) {
		return nil, protocol.StatusLength, protocol.Reject{Field: protocol.FieldLength, Value: got,
			Min: int64(need), Max: int64(need)}
	}
	copy(h.stage[staged:], inline)
	return h.stage[:need], protocol.StatusOK, okReject
}

func (h *Handler) program(m protocol.ProgramRequest) (protocol.Status, protocol.Reject) {
	if h.info.Caps&protocol.CapProgram == 0 {
		return protocol.StatusUnsupported, protocol.Reject{Field: protocol.FieldCommand, Value: int64(protocol.CmdProgram)}
	}
	if st, rej := h.arrayChecks(m.Region, true); st != protocol.StatusOK {
		return st, rej
	}
	l := h.lim
	if m.Params.MaxPulses > l.MaxPulses {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldPulses, Value: int64(m.Params.MaxPulses),
			Max: int64(l.MaxPulses)}
	}
	if m.Params.TolCUS > l.MaxTargetCUS {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldTolerance, Value: int64(m.Params.TolCUS),
			Max: int64(l.MaxTargetCUS)}
	}
	cells := m.Region.Cells()
	if cells > h.cfg.MaxCells {
		return protocol.StatusTooLarge, protocol.Reject{Field: protocol.FieldCount, Value: int64(cells),
			Max: int64(h.cfg.MaxCells)}
	}
	if 2*cells > h.cfg.StageBytes {
		return protocol.StatusTooLarge, protocol.Reject{Field: protocol.FieldCount, Value: int64(cells),
			Max: int64(h.cfg.StageBytes / 2)}
	}
	data, st, rej := h.staging(m.Staged, m.Inline, 2*cells)
	if st != protocol.StatusOK {
		return st, rej
	}
	for i := range cells {
		t := protocol.Be16(data[2*i:])
		if t > l.MaxTargetCUS {
			return protocol.StatusParam, protocol.Reject{Field: protocol.FieldTarget, Value: int64(t),
				Max: int64(l.MaxTargetCUS)}
		}
		h.targets[i] = t
	}
	h.startJob(protocol.CmdProgram, m.Region, uint32(cells))
	h.job.params = m.Params
	h.jobReply()
	return protocol.StatusOK, okReject
}

func (h *Handler) read(m protocol.ReadRequest) (protocol.Status, protocol.Reject) {
	if st, rej := h.arrayChecks(m.Region, false); st != protocol.StatusOK {
		return st, rej
	}
	cells := m.Region.Cells()
	if cells > h.cfg.MaxCells {
		return protocol.StatusTooLarge, protocol.Reject{Field: protocol.FieldCount, Value: int64(cells),
			Max: int64(h.cfg.MaxCells)}
	}
	h.halCalls++
	if h.rdf != nil {
		if st := h.rdf.ReadFloat(m.Region, h.condF[:cells]); st != protocol.StatusOK {
			return st, okReject
		}
		for i, g := range h.condF[:cells] {
			h.codes[i] = int32(math.Float32bits(g))
		}
		h.newResult(protocol.ResultConductanceF, cells)
		h.chunk(0, int(m.Count))
		return protocol.StatusOK, okReject
	}
	if st := h.hal.Read(m.Region, h.cond[:cells]); st != protocol.StatusOK {
		return st, okReject
	}
	h.newResult(protocol.ResultConductance, cells)
	h.chunk(0, int(m.Count))
	return protocol.StatusOK, okReject
}

func (h *Handler) mac(m protocol.MACRequest) (protocol.Status, protocol.Reject) {
	if st, rej := h.arrayChecks(m.Region, true); st != protocol.StatusOK {
		return st, rej
	}
	if m.Bits < 1 || m.Bits > 8 {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldBits, Value: int64(m.Bits), Min: 1, Max: 8}
	}
	if m.Bits > 1 && h.info.Caps&protocol.CapMultiBit == 0 {
		return protocol.StatusUnsupported, protocol.Reject{Field: protocol.FieldBits, Value: int64(m.Bits), Min: 1, Max: 1}
	}
	if !m.Flags.Known() || (m.Flags&protocol.MACCurrents != 0 && h.info.Caps&protocol.CapCurrents == 0) {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldFlags, Value: int64(m.Flags)}
	}
	rows, cols, n := m.Region.Rows(), m.Region.Cols(), int(m.N)
	if n < 1 {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldCount, Value: 0, Min: 1, Max: int64(h.maxVectors(rows, cols))}
	}
	if n > h.maxVectors(rows, cols) {
		return protocol.StatusTooLarge, protocol.Reject{Field: protocol.FieldCount, Value: int64(n), Min: 1,
			Max: int64(h.maxVectors(rows, cols))}
	}
	need := protocol.InputBytes(int(m.Bits), n, rows)
	var keys []uint64
	if m.Flags&protocol.MACKeyed != 0 {
		need += 8 * n
		keys = h.keys[:n]
	}
	if need > h.cfg.StageBytes {
		return protocol.StatusTooLarge, protocol.Reject{Field: protocol.FieldStaged, Value: int64(need),
			Max: int64(h.cfg.StageBytes)}
	}
	data, st, rej := h.staging(m.Staged, m.Inline, need)
	if st != protocol.StatusOK {
		return st, rej
	}
	for i := range keys {
		keys[i] = protocol.Be64(data[8*i:])
	}
	data = data[8*len(keys):]
	in := h.inputs[:n*rows]
	if m.Bits == 1 {
		protocol.UnpackBits(in, data)
	} else {
		lim := uint8(1)<<m.Bits - 1
		if m.Bits == 8 {
			lim = 0xFF
		}
		for _, v := range data {
			if v > lim {
				return protocol.StatusInputs, protocol.Reject{Field: protocol.FieldBits, Value: int64(v),
					Max: int64(lim)}
			}
		}
		copy(in, data)
	}
	outs := n * cols
	var cur []int64
	kind := protocol.ResultCodes
	if m.Flags&protocol.MACCurrents != 0 {
		cur, kind = h.currents[:outs], protocol.ResultCodesCurrents
	}
	h.halCalls++
	if st := h.hal.MAC(m.Region, int(m.Bits), n, in, keys, h.codes[:outs], cur); st != protocol.StatusOK {
		return st, okReject
	}
	h.newResult(kind, outs)
	h.chunk(0, int(m.Count))
	return protocol.StatusOK, okReject
}

// maxVectors is the largest batch the buffers hold.
func (h *Handler) maxVectors(rows, cols int) int {
	n := h.cfg.InputElems / rows
	if m := h.cfg.ResultElems / cols; m < n {
		n = m
	}
	if n > 0xFFFF {
		n = 0xFFFF
	}
	return n
}

func (h *Handler) runLSM(m protocol.LSMRequest) (protocol.Status, protocol.Reject) {
	if h.lsm == nil || h.info.Caps&protocol.CapLSM == 0 {
		return protocol.StatusUnsupported, protocol.Reject{Field: protocol.FieldCommand, Value: int64(protocol.CmdLSM)}
	}
	if st, rej := h.arrayChecks(m.Region, true); st != protocol.StatusOK {
		return st, rej
	}
	p, rows, cols := m.Params, m.Region.Rows(), m.Region.Cols()
	if p.Inputs < 1 || int(p.Inputs) >= rows {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldInputs, Value: int64(p.Inputs), Min: 1, Max: int64(rows) - 1}
	}
	if int(p.Inputs)+int(p.Neurons) != rows || int(p.Neurons) > cols {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldNeurons, Value: int64(p.Neurons),
			Min: int64(rows) - int64(p.Inputs), Max: int64(rows) - int64(p.Inputs)}
	}
	if p.Steps < 1 || p.Steps > h.lim.MaxSteps || int(p.Steps)*int(p.Inputs) > h.cfg.InputElems {
		max := int(h.lim.MaxSteps)
		if m := h.cfg.InputElems / int(p.Inputs); m < max {
			max = m
		}
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldSteps, Value: int64(p.Steps), Min: 1, Max: int64(max)}
	}
	maxN := h.cfg.InputElems / (int(p.Steps) * int(p.Inputs))
	if m := len(h.codes) / int(p.Neurons); m < maxN {
		maxN = m
	}
	if p.N < 1 || int(p.N) > maxN {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldCount, Value: int64(p.N), Min: 1, Max: int64(maxN)}
	}
	if !(p.Decay >= 0 && p.Decay <= 1) {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldLSMParam, Value: int64(math.Float64bits(p.Decay)),
			Max: int64(math.Float64bits(1))}
	}
	if p.Threshold != p.Threshold || p.Scale != p.Scale {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldLSMParam, Value: int64(math.Float64bits(math.NaN()))}
	}
	n := int(p.N) * int(p.Steps) * int(p.Inputs)
	need := protocol.PackedLen(n)
	data, st, rej := h.staging(m.Staged, m.Inline, need)
	if st != protocol.StatusOK {
		return st, rej
	}
	spikes := h.inputs[:n]
	protocol.UnpackBits(spikes, data)
	counts := h.codes[:int(p.N)*int(p.Neurons)]
	h.halCalls++
	if st := h.lsm.RunLSM(m.Region, p, spikes, counts); st != protocol.StatusOK {
		return st, okReject
	}
	kind := protocol.ResultCounts
	if p.Steps <= 255 {
		kind = protocol.ResultCounts8 // a count never exceeds Steps: a quarter of the bytes
	}
	h.newResult(kind, len(counts))
	h.chunk(0, int(m.Count))
	return protocol.StatusOK, okReject
}

func (h *Handler) calibrate(m protocol.CalibrateRequest) (protocol.Status, protocol.Reject) {
	if h.cal == nil {
		return protocol.StatusUnsupported, protocol.Reject{Field: protocol.FieldCommand, Value: int64(protocol.CmdCalibrate)}
	}
	if st, rej := h.arrayChecks(m.Region, true); st != protocol.StatusOK {
		return st, rej
	}
	if m.Kind != protocol.CalZeroOffset {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldKind, Value: int64(m.Kind),
			Min: int64(protocol.CalZeroOffset), Max: int64(protocol.CalZeroOffset)}
	}
	max := int(h.lim.MaxCalSamples) // the HAL averages; the handler keeps one offset per column
	if m.Samples < 1 || int(m.Samples) > max {
		return protocol.StatusParam, protocol.Reject{Field: protocol.FieldCount, Value: int64(m.Samples), Min: 1, Max: int64(max)}
	}
	h.startJob(protocol.CmdCalibrate, m.Region, uint32(m.Region.Cols()))
	h.job.kind, h.job.samples = m.Kind, int(m.Samples)
	h.jobReply()
	return protocol.StatusOK, okReject
}

func (h *Handler) startJob(cmd protocol.Command, r protocol.Region, total uint32) {
	h.jobSeq++
	if h.jobSeq == 0 {
		h.jobSeq = 1
	}
	h.job = job{id: h.jobSeq, cmd: cmd, state: protocol.JobQueued, total: total, region: r}
}

func (h *Handler) jobReply() {
	j := &h.job
	h.ok()
	h.body = protocol.JobReply{Job: j.id, Command: j.cmd, State: j.state, Status: j.status,
		Done: j.done, Total: j.total, Result: j.result, Summary: j.summary}.Append(h.body)
}

func (h *Handler) newResult(kind protocol.ResultKind, total int) uint16 {
	h.resSeq++
	if h.resSeq == 0 {
		h.resSeq = 1
	}
	h.res = result{id: h.resSeq, kind: kind, total: total}
	return h.resSeq
}

// chunk writes an OK reply carrying elements from off of the current
// result, at most max (0 = as many as fit).
func (h *Handler) chunk(off, max int) {
	r := h.res
	n := r.total - off
	if fit := protocol.ChunkElems(r.kind); n > fit {
		n = fit
	}
	if max > 0 && n > max {
		n = max
	}
	if n < 0 {
		n = 0
	}
	h.ok()
	h.body = protocol.ResultChunk{Result: r.id, Kind: r.kind, Total: uint32(r.total), Offset: uint32(off),
		Count: uint16(n)}.Append(h.body)
	b := h.body
	for i := off; i < off+n; i++ {
		switch r.kind {
		case protocol.ResultConductance:
			b = protocol.AppendBe16(b, h.cond[i])
		case protocol.ResultCodesCurrents:
			b = protocol.AppendBe32(b, uint32(h.codes[i]))
			b = protocol.AppendBe64(b, uint64(h.currents[i]))
		case protocol.ResultCounts8:
			b = append(b, uint8(h.codes[i]))
		default:
			b = protocol.AppendBe32(b, uint32(h.codes[i]))
		}
	}
	h.body = b
}
