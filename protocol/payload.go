package protocol

import "math"

// Payload encodings. Every request and reply body has a struct with
// Append (encode, append-style, never allocating when dst has room) and
// Decode (strict: the payload must have exactly the encoded length, apart
// from the variable tails Data/Inline, which alias the payload).
//
// A reply payload is one Status byte followed by the reply body when the
// status is StatusOK, or by a Reject when it is not.

// Region is a half-open window [Row0,Row1) × [Col0,Col1) of one macro.
// Wire: macro u8, row0 u16, row1 u16, col0 u16, col1 u16 (9 bytes).
type Region struct {
	Macro      uint8
	Row0, Row1 uint16
	Col0, Col1 uint16
}

// RegionLen is the wire size of a Region.
const RegionLen = 9

// Rows is the number of rows (0 when the region is empty or inverted).
func (r Region) Rows() int {
	if r.Row1 <= r.Row0 {
		return 0
	}
	return int(r.Row1 - r.Row0)
}

// Cols is the number of columns (0 when the region is empty or inverted).
func (r Region) Cols() int {
	if r.Col1 <= r.Col0 {
		return 0
	}
	return int(r.Col1 - r.Col0)
}

// Cells is Rows × Cols.
func (r Region) Cells() int { return r.Rows() * r.Cols() }

// Append appends the wire form of r.
func (r Region) Append(b []byte) []byte {
	b = put8(b, r.Macro)
	b = put16(b, r.Row0)
	b = put16(b, r.Row1)
	b = put16(b, r.Col0)
	return put16(b, r.Col1)
}

func (r *Region) read(rd *reader) {
	r.Macro = rd.u8()
	r.Row0, r.Row1 = rd.u16(), rd.u16()
	r.Col0, r.Col1 = rd.u16(), rd.u16()
}

// Decode decodes a Region payload.
func (r *Region) Decode(p []byte) error {
	rd := reader{p: p}
	r.read(&rd)
	return rd.end()
}

// TextMax is the longest Text.
const TextMax = 32

// Text is a short string held inline (no allocation): wire u8 length then
// the bytes.
type Text struct {
	N uint8
	B [TextMax]byte
}

// MakeText returns s as a Text, cut to TextMax bytes.
func MakeText(s string) Text {
	var t Text
	t.N = uint8(copy(t.B[:], s))
	return t
}

func (t Text) String() string { return string(t.B[:t.N]) }

// Bytes returns the text's bytes.
func (t *Text) Bytes() []byte { return t.B[:t.N] }

func (t Text) append(b []byte) []byte {
	n := t.N
	if n > TextMax {
		n = TextMax
	}
	return append(put8(b, n), t.B[:n]...)
}

func (t *Text) read(rd *reader) {
	n := rd.u8()
	if n > TextMax {
		rd.bad = true
		return
	}
	t.N = n
	copy(t.B[:], rd.take(int(n)))
}

// Capability bits in HelloReply.Caps. The low bits equal macro.Cap*.
const (
	CapLSM       uint32 = 1 << 0  // whole-sample LSM run (CmdLSM)
	CapClock     uint32 = 1 << 1  // the macro has a (simulated) clock
	CapProgram   uint32 = 1 << 2  // write-verify programming (CmdProgram)
	CapMultiBit  uint32 = 1 << 3  // multi-bit MAC inputs
	CapDiffSense uint32 = 1 << 4  // differential ADCs: pair (2k, 2k+1) reads signed on column 2k, 0 on 2k+1
	CapCalibrate uint32 = 1 << 8  // CmdCalibrate
	CapCurrents  uint32 = 1 << 9  // MAC results with currents (MACCurrents)
	CapVirtual   uint32 = 1 << 15 // the board is a simulation (virtual board)
)

// HelloRequest opens a session. A HostNonce different from the previous
// hello's clears the board's replay cache.
type HelloRequest struct {
	Version   uint8  // protocol version the host speaks
	HostNonce uint32 // random per host session
}

// HelloRequestLen is the wire size of a HelloRequest.
const HelloRequestLen = 5

// Append appends the wire form.
func (m HelloRequest) Append(b []byte) []byte { return put32(put8(b, m.Version), m.HostNonce) }

// Decode decodes the wire form.
func (m *HelloRequest) Decode(p []byte) error {
	rd := reader{p: p}
	m.Version, m.HostNonce = rd.u8(), rd.u32()
	return rd.end()
}

// HelloReply describes the board, its chip and its safety limits.
type HelloReply struct {
	Version         uint8  // protocol version of the board
	Macros          uint8  // macros on the board
	Rows, Cols      uint16 // geometry of each macro
	ADCBits         int8   // current ADC resolution; 0 = ideal ADC
	ReadMV          uint16 // current read voltage (mV)
	ADCRangeNA      uint32 // current ADC full-scale column current (nA); 0 = calibrated/automatic
	MaxPayload      uint16 // largest payload the board accepts
	Caps            uint32 // Cap* bits
	BoardNonce      uint32 // fixed for one power-up of the board: a change means it rebooted
	HostNonce       uint32 // echo of the request's HostNonce
	MaxFormMV       uint16 // forming voltage limit (mV)
	MinWidthNS      uint32 // pulse width limits (ns)
	MaxWidthNS      uint32
	MinComplianceNA uint32 // forming compliance limits (nA)
	MaxComplianceNA uint32
	MaxReadMV       uint16 // read voltage limit (mV)
	StageBytes      uint32 // size of the staging buffer (bytes)
	ResultElems     uint32 // largest result (elements)
	GMinCUS         uint16 // programmable conductance range (0.01 µS)
	GMaxCUS         uint16
	FormMV          uint16 // the chip's default forming pulse: voltage (mV),
	FormWidthNS     uint32 // width (ns)
	FormComplNA     uint32 // and compliance (nA)
	Firmware        Text   // firmware name and version
	ID              Text   // chip identity (serial number)
	Preset          Text   // device preset
}

// Append appends the wire form.
func (m HelloReply) Append(b []byte) []byte {
	b = put8(b, m.Version)
	b = put8(b, m.Macros)
	b = put16(b, m.Rows)
	b = put16(b, m.Cols)
	b = put8(b, uint8(m.ADCBits))
	b = put16(b, m.ReadMV)
	b = put32(b, m.ADCRangeNA)
	b = put16(b, m.MaxPayload)
	b = put32(b, m.Caps)
	b = put32(b, m.BoardNonce)
	b = put32(b, m.HostNonce)
	b = put16(b, m.MaxFormMV)
	b = put32(b, m.MinWidthNS)
	b = put32(b, m.MaxWidthNS)
	b = put32(b, m.MinComplianceNA)
	b = put32(b, m.MaxComplianceNA)
	b = put16(b, m.MaxReadMV)
	b = put32(b, m.StageBytes)
	b = put32(b, m.ResultElems)
	b = put16(put16(b, m.GMinCUS), m.GMaxCUS)
	b = put32(put32(put16(b, m.FormMV), m.FormWidthNS), m.FormComplNA)
	b = m.Firmware.append(b)
	b = m.ID.append(b)
	return m.Preset.append(b)
}

// Decode decodes the wire form.
func (m *HelloReply) Decode(p []byte) error {
	rd := reader{p: p}
	m.Version, m.Macros = rd.u8(), rd.u8()
	m.Rows, m.Cols = rd.u16(), rd.u16()
	m.ADCBits = int8(rd.u8())
	m.ReadMV = rd.u16()
	m.ADCRangeNA = rd.u32()
	m.MaxPayload = rd.u16()
	m.Caps = rd.u32()
	m.BoardNonce, m.HostNonce = rd.u32(), rd.u32()
	m.MaxFormMV = rd.u16()
	m.MinWidthNS, m.MaxWidthNS = rd.u32(), rd.u32()
	m.MinComplianceNA, m.MaxComplianceNA = rd.u32(), rd.u32()
	m.MaxReadMV = rd.u16()
	m.StageBytes, m.ResultElems = rd.u32(), rd.u32()
	m.GMinCUS, m.GMaxCUS = rd.u16(), rd.u16()
	m.FormMV, m.FormWidthNS, m.FormComplNA = rd.u16(), rd.u32(), rd.u32()
	m.Firmware.read(&rd)
	m.ID.read(&rd)
	m.Preset.read(&rd)
	return rd.end()
}

// Ledger is the chip's energy/latency account (the fields of macro.Ledger),
// energies in attojoules, latency in ns. Wire: 11 × i64.
type Ledger struct {
	RowDriverAJ, ArrayAJ, ADCAJ, NeuronAJ, FormAJ, ProgramAJ int64
	MACs, Conversions, Reads, NeuronSteps                    int64
	BusyNS                                                   int64
}

func (l *Ledger) fields() [11]*int64 {
	return [11]*int64{&l.RowDriverAJ, &l.ArrayAJ, &l.ADCAJ, &l.NeuronAJ, &l.FormAJ, &l.ProgramAJ,
		&l.MACs, &l.Conversions, &l.Reads, &l.NeuronSteps, &l.BusyNS}
}

// StatusReply is the board's state.
type StatusReply struct {
	JobState    JobState // state of the current job (JobNone if none)
	Job         uint16   // current job id (0 if none)
	ClockNS     uint64   // board or simulated time since power-up (ns)
	FormedCells uint64   // cells formed
	Ops         uint64   // array operations executed
	Ledger      Ledger
	FramesIn    uint32 // good frames received
	Rejected    uint32 // frames dropped (COBS, CRC, length, ...)
	Replays     uint32 // requests answered from the replay cache
	Refused     uint32 // requests refused by an interlock or as malformed
}

// StatusReplyLen is the wire size of a StatusReply.
const StatusReplyLen = 1 + 2 + 8 + 8 + 8 + 11*8 + 4*4

// Append appends the wire form.
func (m StatusReply) Append(b []byte) []byte {
	b = put8(b, uint8(m.JobState))
	b = put16(b, m.Job)
	b = put64(b, m.ClockNS)
	b = put64(b, m.FormedCells)
	b = put64(b, m.Ops)
	for _, f := range m.Ledger.fields() {
		b = put64(b, uint64(*f))
	}
	b = put32(b, m.FramesIn)
	b = put32(b, m.Rejected)
	b = put32(b, m.Replays)
	return put32(b, m.Refused)
}

// Decode decodes the wire form.
func (m *StatusReply) Decode(p []byte) error {
	rd := reader{p: p}
	m.JobState = JobState(rd.u8())
	m.Job = rd.u16()
	m.ClockNS, m.FormedCells, m.Ops = rd.u64(), rd.u64(), rd.u64()
	for _, f := range m.Ledger.fields() {
		*f = int64(rd.u64())
	}
	m.FramesIn, m.Rejected, m.Replays, m.Refused = rd.u32(), rd.u32(), rd.u32(), rd.u32()
	return rd.end()
}

// ADCIdeal in Configure.ADCBits selects the ideal (unquantized) ADC.
const ADCIdeal int8 = -1

// Configure sets the read path. A zero field keeps the current setting.
type Configure struct {
	ReadMV     uint16 // read voltage (mV)
	ADCBits    int8   // 1..16, or ADCIdeal
	ADCRangeNA uint32 // full-scale column current (nA)
}

// ConfigureLen is the wire size of a Configure.
const ConfigureLen = 7

// Append appends the wire form.
func (m Configure) Append(b []byte) []byte {
	return put32(put8(put16(b, m.ReadMV), uint8(m.ADCBits)), m.ADCRangeNA)
}

// Decode decodes the wire form.
func (m *Configure) Decode(p []byte) error {
	rd := reader{p: p}
	m.ReadMV, m.ADCBits, m.ADCRangeNA = rd.u16(), int8(rd.u8()), rd.u32()
	return rd.end()
}

// Load writes Data into the staging buffer at Offset. Offset must not be
// past the bytes already staged; Offset 0 starts a new staging.
type Load struct {
	Offset uint32
	Data   []byte
}

// LoadHeaderLen is the wire size of a Load without its data.
const LoadHeaderLen = 4

// Append appends the wire form.
func (m Load) Append(b []byte) []byte { return append(put32(b, m.Offset), m.Data...) }

// Decode decodes the wire form; Data aliases p.
func (m *Load) Decode(p []byte) error {
	rd := reader{p: p}
	m.Offset = rd.u32()
	if rd.bad {
		return ErrPayloadLength
	}
	m.Data = rd.rest()
	return nil
}

// LoadReply reports how many bytes are staged.
type LoadReply struct{ Staged uint32 }

// Append appends the wire form.
func (m LoadReply) Append(b []byte) []byte { return put32(b, m.Staged) }

// Decode decodes the wire form.
func (m *LoadReply) Decode(p []byte) error {
	rd := reader{p: p}
	m.Staged = rd.u32()
	return rd.end()
}

// FormPulse is one electroforming pulse.
type FormPulse struct {
	VoltageMV    uint16 // mV, > 0
	WidthNS      uint32 // ns; 0 = the chip's default
	ComplianceNA uint32 // nA; must be > 0
}

// FormRequest forms a region (a job).
type FormRequest struct {
	Region Region
	Pulse  FormPulse
}

// FormRequestLen is the wire size of a FormRequest.
const FormRequestLen = RegionLen + 10

// Append appends the wire form.
func (m FormRequest) Append(b []byte) []byte {
	b = m.Region.Append(b)
	return put32(put32(put16(b, m.Pulse.VoltageMV), m.Pulse.WidthNS), m.Pulse.ComplianceNA)
}

// Decode decodes the wire form.
func (m *FormRequest) Decode(p []byte) error {
	rd := reader{p: p}
	m.Region.read(&rd)
	m.Pulse.VoltageMV, m.Pulse.WidthNS, m.Pulse.ComplianceNA = rd.u16(), rd.u32(), rd.u32()
	return rd.end()
}

// ProgramParams controls write-verify. Zero fields take the chip's defaults.
type ProgramParams struct {
	TolCUS    uint16 // accept |G − target| ≤ TolCUS (0.01 µS)
	MaxPulses uint16 // per cell
}

// ProgramRequest programs a region by write-verify (a job). The targets
// are u16 per cell in 0.01 µS, row-major over the region: the first Staged
// bytes come from the staging buffer, the rest are Inline.
type ProgramRequest struct {
	Region Region
	Params ProgramParams
	Staged uint32
	Inline []byte
}

// ProgramRequestHeaderLen is the wire size of a ProgramRequest without its inline targets.
const ProgramRequestHeaderLen = RegionLen + 8

// Append appends the wire form.
func (m ProgramRequest) Append(b []byte) []byte {
	b = m.Region.Append(b)
	b = put16(put16(b, m.Params.TolCUS), m.Params.MaxPulses)
	return append(put32(b, m.Staged), m.Inline...)
}

// Decode decodes the wire form; Inline aliases p.
func (m *ProgramRequest) Decode(p []byte) error {
	rd := reader{p: p}
	m.Region.read(&rd)
	m.Params.TolCUS, m.Params.MaxPulses = rd.u16(), rd.u16()
	m.Staged = rd.u32()
	if rd.bad {
		return ErrPayloadLength
	}
	m.Inline = rd.rest()
	return nil
}

// ReadRequest reads a region's conductances. The reply is the first
// ResultChunk (kind ResultConductance) with at most Count elements
// (0 = as many as fit).
type ReadRequest struct {
	Region Region
	Count  uint16
}

// ReadRequestLen is the wire size of a ReadRequest.
const ReadRequestLen = RegionLen + 2

// Append appends the wire form.
func (m ReadRequest) Append(b []byte) []byte { return put16(m.Region.Append(b), m.Count) }

// Decode decodes the wire form.
func (m *ReadRequest) Decode(p []byte) error {
	rd := reader{p: p}
	m.Region.read(&rd)
	m.Count = rd.u16()
	return rd.end()
}

// MACFlags modify a MAC.
type MACFlags uint8

const (
	// MACCurrents asks for ResultCodesCurrents instead of ResultCodes.
	MACCurrents MACFlags = 1 << 0
	// MACKeyed says the input data starts with N u64 noise keys, one per
	// vector (macro.Inputs.Keys), before the inputs themselves.
	MACKeyed MACFlags = 1 << 1

	macFlagsKnown = MACCurrents | MACKeyed
)

// Known reports whether only defined bits are set.
func (f MACFlags) Known() bool { return f&^macFlagsKnown == 0 }

// MACRequest runs N input vectors through the columns of a region. Inputs
// are N × rows values, vector-major; with Bits = 1 they are packed bits
// (PackBits: bit k of the stream is byte k/8, bit k%8, LSB first),
// otherwise one byte per value below 1<<Bits. The first Staged bytes come
// from the staging buffer, the rest are Inline. The reply is the first
// ResultChunk of the N × cols outputs, with at most Count elements (0 = as
// many as fit; a host on a noisy link asks for small chunks).
type MACRequest struct {
	Region Region
	Bits   uint8
	Flags  MACFlags
	N      uint16
	Count  uint16
	Staged uint32
	Inline []byte
}

// MACRequestHeaderLen is the wire size of a MACRequest without inline inputs.
const MACRequestHeaderLen = RegionLen + 10

// InputBytes is the number of input bytes of n vectors over rows rows at
// the given bits per value.
func InputBytes(bits, n, rows int) int {
	if bits == 1 {
		return PackedLen(n * rows)
	}
	return n * rows
}

// Append appends the wire form.
func (m MACRequest) Append(b []byte) []byte {
	b = m.Region.Append(b)
	b = put16(put16(put8(put8(b, m.Bits), uint8(m.Flags)), m.N), m.Count)
	return append(put32(b, m.Staged), m.Inline...)
}

// Decode decodes the wire form; Inline aliases p.
func (m *MACRequest) Decode(p []byte) error {
	rd := reader{p: p}
	m.Region.read(&rd)
	m.Bits, m.Flags, m.N, m.Count = rd.u8(), MACFlags(rd.u8()), rd.u16(), rd.u16()
	m.Staged = rd.u32()
	if rd.bad {
		return ErrPayloadLength
	}
	m.Inline = rd.rest()
	return nil
}

// LSMParams describe a batch of N LSM samples (macro.LSMRun). Threshold,
// Decay and Scale travel as the IEEE-754 bits of their float64 values, so
// the board computes with exactly the host's numbers.
type LSMParams struct {
	N                       uint16 // samples in the batch, ≥ 1
	Inputs, Neurons, Steps  uint16
	Threshold, Decay, Scale float64
	Key                     uint64 // noise key of the first sample (macro.LSMRun.Key)
}

// LSMRequest runs a batch of N whole LSM samples: step t of all N samples
// is one MAC batch of N vectors on the board (macro.LSMRunner). The spikes
// are N × Steps × Inputs bits (sample-major, PackBits), the first Staged
// bytes from the staging buffer, the rest Inline. The reply is the first
// ResultChunk of the counts (N × Neurons), with at most Count elements
// (0 = as many as fit): kind ResultCounts8 (u8) when Steps ≤ 255, since no
// count exceeds Steps, else ResultCounts (i32).
type LSMRequest struct {
	Region Region
	Params LSMParams
	Count  uint16
	Staged uint32
	Inline []byte
}

// LSMRequestHeaderLen is the wire size of an LSMRequest without inline spikes.
const LSMRequestHeaderLen = RegionLen + 8 + 24 + 8 + 2 + 4

// Append appends the wire form.
func (m LSMRequest) Append(b []byte) []byte {
	b = m.Region.Append(b)
	b = put16(put16(put16(put16(b, m.Params.N), m.Params.Inputs), m.Params.Neurons), m.Params.Steps)
	b = put64(put64(put64(b, math.Float64bits(m.Params.Threshold)), math.Float64bits(m.Params.Decay)),
		math.Float64bits(m.Params.Scale))
	b = put64(b, m.Params.Key)
	return append(put32(put16(b, m.Count), m.Staged), m.Inline...)
}

// Decode decodes the wire form; Inline aliases p.
func (m *LSMRequest) Decode(p []byte) error {
	rd := reader{p: p}
	m.Region.read(&rd)
	m.Params.N, m.Params.Inputs, m.Params.Neurons, m.Params.Steps = rd.u16(), rd.u16(), rd.u16(), rd.u16()
	m.Params.Threshold = math.Float64frombits(rd.u64())
	m.Params.Decay = math.Float64frombits(rd.u64())
	m.Params.Scale = math.Float64frombits(rd.u64())
	m.Params.Key = rd.u64()
	m.Count, m.Staged = rd.u16(), rd.u32()
	if rd.bad {
		return ErrPayloadLength
	}
	m.Inline = rd.rest()
	return nil
}

// Calibration kinds.
const (
	// CalZeroOffset measures each column's ADC code with all inputs off,
	// averaged over Samples conversions; result ResultOffsets.
	CalZeroOffset uint8 = 1
)

// CalibrateRequest starts a calibration job over a region's columns.
type CalibrateRequest struct {
	Region  Region
	Kind    uint8
	Samples uint16
}

// CalibrateRequestLen is the wire size of a CalibrateRequest.
const CalibrateRequestLen = RegionLen + 3

// Append appends the wire form.
func (m CalibrateRequest) Append(b []byte) []byte {
	return put16(put8(m.Region.Append(b), m.Kind), m.Samples)
}

// Decode decodes the wire form.
func (m *CalibrateRequest) Decode(p []byte) error {
	rd := reader{p: p}
	m.Region.read(&rd)
	m.Kind, m.Samples = rd.u8(), rd.u16()
	return rd.end()
}

// JobRequest names a job (CmdJob, CmdAbort).
type JobRequest struct{ Job uint16 }

// JobRequestLen is the wire size of a JobRequest.
const JobRequestLen = 2

// Append appends the wire form.
func (m JobRequest) Append(b []byte) []byte { return put16(b, m.Job) }

// Decode decodes the wire form.
func (m *JobRequest) Decode(p []byte) error {
	rd := reader{p: p}
	m.Job = rd.u16()
	return rd.end()
}

// JobReply is the state of a job: the reply to a job start, CmdJob and
// CmdAbort. When State is JobDone, Status is the job's outcome, Result
// names its result (0 if none) and Summary holds its summary:
//
//	form:      cells, formed, already formed, energy (aJ), 0
//	program:   cells, failed cells, pulses, time (ns), energy (aJ)
//	calibrate: columns, samples, 0, 0, 0
type JobReply struct {
	Job         uint16
	Command     Command // the job's kind: CmdForm, CmdProgram, CmdCalibrate
	State       JobState
	Status      Status
	Done, Total uint32 // progress in the job's units (cells or columns)
	Result      uint16
	Summary     [5]int64
}

// JobReplyLen is the wire size of a JobReply.
const JobReplyLen = 2 + 2 + 1 + 1 + 4 + 4 + 2 + 5*8

// Append appends the wire form.
func (m JobReply) Append(b []byte) []byte {
	b = put16(put16(b, m.Job), uint16(m.Command))
	b = put8(put8(b, uint8(m.State)), uint8(m.Status))
	b = put16(put32(put32(b, m.Done), m.Total), m.Result)
	for _, s := range m.Summary {
		b = put64(b, uint64(s))
	}
	return b
}

// Decode decodes the wire form.
func (m *JobReply) Decode(p []byte) error {
	rd := reader{p: p}
	m.Job, m.Command = rd.u16(), Command(rd.u16())
	m.State, m.Status = JobState(rd.u8()), Status(rd.u8())
	m.Done, m.Total, m.Result = rd.u32(), rd.u32(), rd.u16()
	for i := range m.Summary {
		m.Summary[i] = int64(rd.u64())
	}
	return rd.end()
}

// ResultRequest fetches up to Count elements (0 = as many as fit) of
// result Result starting at element Offset.
type ResultRequest struct {
	Result uint16
	Offset uint32
	Count  uint16
}

// ResultRequestLen is the wire size of a ResultRequest.
const ResultRequestLen = 8

// Append appends the wire form.
func (m ResultRequest) Append(b []byte) []byte {
	return put16(put32(put16(b, m.Result), m.Offset), m.Count)
}

// Decode decodes the wire form.
func (m *ResultRequest) Decode(p []byte) error {
	rd := reader{p: p}
	m.Result, m.Offset, m.Count = rd.u16(), rd.u32(), rd.u16()
	return rd.end()
}

// ResultChunk carries elements [Offset, Offset+Count) of a result of Total
// elements. Data is Count × Kind.ElemSize() bytes.
type ResultChunk struct {
	Result uint16
	Kind   ResultKind
	Total  uint32
	Offset uint32
	Count  uint16
	Data   []byte
}

// ResultChunkHeaderLen is the wire size of a ResultChunk without data.
const ResultChunkHeaderLen = 13

// MaxChunkData is the most element bytes one reply can carry (after the
// status byte and the chunk header).
const MaxChunkData = MaxPayload - 1 - ResultChunkHeaderLen

// ChunkElems is the most elements of kind k one reply can carry.
func ChunkElems(k ResultKind) int {
	if s := k.ElemSize(); s > 0 {
		return MaxChunkData / s
	}
	return 0
}

// Append appends the wire form.
func (m ResultChunk) Append(b []byte) []byte {
	b = put8(put16(b, m.Result), uint8(m.Kind))
	b = put16(put32(put32(b, m.Total), m.Offset), m.Count)
	return append(b, m.Data...)
}

// Decode decodes the wire form and checks that Data holds exactly Count
// elements of Kind; Data aliases p.
func (m *ResultChunk) Decode(p []byte) error {
	rd := reader{p: p}
	m.Result, m.Kind = rd.u16(), ResultKind(rd.u8())
	m.Total, m.Offset, m.Count = rd.u32(), rd.u32(), rd.u16()
	if rd.bad {
		return ErrPayloadLength
	}
	m.Data = rd.rest()
	if len(m.Data) != int(m.Count)*m.Kind.ElemSize() {
		return ErrPayloadLength
	}
	return nil
}

// Reject is the body of a non-OK reply: the offending field, the value
// asked for and the allowed range (inclusive), in the field's unit (see
// Field). For refusals without a numeric range, Min = Max = 0.
type Reject struct {
	Field           Field
	Value, Min, Max int64
}

// RejectLen is the wire size of a Reject.
const RejectLen = 25

// Append appends the wire form.
func (m Reject) Append(b []byte) []byte {
	return put64(put64(put64(put8(b, uint8(m.Field)), uint64(m.Value)), uint64(m.Min)), uint64(m.Max))
}

// Decode decodes the wire form.
func (m *Reject) Decode(p []byte) error {
	rd := reader{p: p}
	m.Field = Field(rd.u8())
	m.Value, m.Min, m.Max = int64(rd.u64()), int64(rd.u64()), int64(rd.u64())
	return rd.end()
}

// AppendReject appends a whole refusal payload: the status then the Reject.
func AppendReject(b []byte, s Status, r Reject) []byte { return r.Append(put8(b, uint8(s))) }

// SplitReply splits a reply payload into its status and body. A non-OK
// body must be a Reject.
func SplitReply(p []byte) (Status, []byte, error) {
	if len(p) < 1 {
		return 0, nil, ErrPayloadLength
	}
	s := Status(p[0])
	if s != StatusOK && len(p) != 1+RejectLen {
		return s, nil, ErrPayloadLength
	}
	return s, p[1:], nil
}

// FormSummary is the outcome of a form job (JobReply.Summary).
type FormSummary struct {
	Cells, Formed, AlreadyFormed int64
	EnergyAJ                     int64
}

// Pack lays s out as a JobReply summary.
func (s FormSummary) Pack() [5]int64 {
	return [5]int64{s.Cells, s.Formed, s.AlreadyFormed, s.EnergyAJ, 0}
}

// UnpackFormSummary reads a form job's summary.
func UnpackFormSummary(v [5]int64) FormSummary {
	return FormSummary{Cells: v[0], Formed: v[1], AlreadyFormed: v[2], EnergyAJ: v[3]}
}

// ProgramSummary is the outcome of a program job (JobReply.Summary). The
// failed cells' indices are the job's result (ResultIndices).
type ProgramSummary struct {
	Cells, Failed, Pulses int64
	TimeNS, EnergyAJ      int64
}

// Pack lays s out as a JobReply summary.
func (s ProgramSummary) Pack() [5]int64 {
	return [5]int64{s.Cells, s.Failed, s.Pulses, s.TimeNS, s.EnergyAJ}
}

// UnpackProgramSummary reads a program job's summary.
func UnpackProgramSummary(v [5]int64) ProgramSummary {
	return ProgramSummary{Cells: v[0], Failed: v[1], Pulses: v[2], TimeNS: v[3], EnergyAJ: v[4]}
}

// SI returns the refusal in SI units with macro.RangeError's field names
// ("voltage" V, "width_s" s, "compliance_a" A, "read_v" V, "adc_range_a" A,
// "target_us" and "tol_us" µS); other fields keep their wire unit and
// Field.String() name. A host turns it into a one-line error.
func (r Reject) SI() (field string, value, min, max float64) {
	div := 1.0
	switch r.Field {
	case FieldVoltage:
		field, div = "voltage", 1e3
	case FieldWidth:
		field, div = "width_s", 1e9
	case FieldCompliance:
		field, div = "compliance_a", 1e9
	case FieldReadV:
		field, div = "read_v", 1e3
	case FieldADCRange:
		field, div = "adc_range_a", 1e9
	case FieldTarget:
		field, div = "target_us", 100
	case FieldTolerance:
		field, div = "tol_us", 100
	default:
		field = r.Field.String()
	}
	return field, float64(r.Value) / div, float64(r.Min) / div, float64(r.Max) / div
}
