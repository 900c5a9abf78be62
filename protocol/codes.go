package protocol

// Command is the command field of a frame header. A reply carries the
// command of its request.
type Command uint16

// Commands. Codes are stable: new commands get new codes.
const (
	CmdHello     Command = 0x0001 // session start: versions, geometry, limits, nonces
	CmdStatus    Command = 0x0002 // state, counters and the energy/latency ledger
	CmdConfigure Command = 0x0003 // read voltage and ADC
	CmdReset     Command = 0x0004 // back to idle: cancel a queued job, drop staged data and results
	CmdLoad      Command = 0x0005 // write a chunk into the staging buffer
	CmdForm      Command = 0x0010 // job: one electroforming pulse on every cell of a region
	CmdProgram   Command = 0x0011 // job: write-verify staged targets into a region
	CmdRead      Command = 0x0012 // read a region's conductances (result in chunks)
	CmdMAC       Command = 0x0013 // MAC of one vector or a batch (result in chunks)
	CmdLSM       Command = 0x0014 // one whole LSM sample (fast path; result: spike counts)
	CmdCalibrate Command = 0x0015 // job: measure per-column ADC zero offsets
	CmdJob       Command = 0x0020 // progress of a job
	CmdAbort     Command = 0x0021 // abort a job
	CmdResult    Command = 0x0022 // fetch a chunk of the current result
)

// Commands lists every command, in code order.
var Commands = [...]Command{CmdHello, CmdStatus, CmdConfigure, CmdReset, CmdLoad,
	CmdForm, CmdProgram, CmdRead, CmdMAC, CmdLSM, CmdCalibrate, CmdJob, CmdAbort, CmdResult}

func (c Command) String() string {
	switch c {
	case CmdHello:
		return "hello"
	case CmdStatus:
		return "status"
	case CmdConfigure:
		return "configure"
	case CmdReset:
		return "reset"
	case CmdLoad:
		return "load"
	case CmdForm:
		return "form"
	case CmdProgram:
		return "program"
	case CmdRead:
		return "read"
	case CmdMAC:
		return "mac"
	case CmdLSM:
		return "lsm"
	case CmdCalibrate:
		return "calibrate"
	case CmdJob:
		return "job"
	case CmdAbort:
		return "abort"
	case CmdResult:
		return "result"
	}
	return "command(0x" + hex16(uint16(c)) + ")"
}

// Status is the first byte of every reply payload.
type Status uint8

// Statuses. Everything but StatusOK is a refusal or a failure; the
// reply then carries a Reject naming the field and its limits.
const (
	StatusOK          Status = 0x00 // done
	StatusUnknown     Status = 0x01 // unknown command
	StatusLength      Status = 0x02 // payload length wrong for the command
	StatusVersion     Status = 0x03 // protocol version not supported
	StatusFrame       Status = 0x04 // header flags invalid (e.g. a reply sent to the board)
	StatusRegion      Status = 0x05 // macro/row/column address out of range or empty region
	StatusVoltage     Status = 0x06 // voltage outside the safe limit
	StatusWidth       Status = 0x07 // pulse width outside the safe limit
	StatusCompliance  Status = 0x08 // compliance current missing or outside the limit
	StatusParam       Status = 0x09 // another parameter out of range (ADC bits, tolerance, steps, ...)
	StatusTooLarge    Status = 0x0A // does not fit the board's staging or result buffers
	StatusOrder       Status = 0x0B // command out of order (staged data missing, offsets not contiguous)
	StatusNotFormed   Status = 0x0C // region (or part of it) never formed
	StatusBusy        Status = 0x0D // a job is queued or running
	StatusNoJob       Status = 0x0E // no such job
	StatusNoResult    Status = 0x0F // no such result, or offset past its end
	StatusUnsupported Status = 0x10 // capability not present on this board
	StatusHardware    Status = 0x11 // the array or its HAL failed
	StatusAborted     Status = 0x12 // the job was aborted
	StatusInputs      Status = 0x13 // input values invalid (e.g. ≥ 2^bits)
)

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusUnknown:
		return "unknown command"
	case StatusLength:
		return "bad payload length"
	case StatusVersion:
		return "unsupported protocol version"
	case StatusFrame:
		return "bad frame flags"
	case StatusRegion:
		return "region out of range"
	case StatusVoltage:
		return "voltage outside limit"
	case StatusWidth:
		return "pulse width outside limit"
	case StatusCompliance:
		return "compliance outside limit"
	case StatusParam:
		return "parameter out of range"
	case StatusTooLarge:
		return "too large for board buffers"
	case StatusOrder:
		return "command out of order"
	case StatusNotFormed:
		return "region not formed"
	case StatusBusy:
		return "busy"
	case StatusNoJob:
		return "no such job"
	case StatusNoResult:
		return "no such result"
	case StatusUnsupported:
		return "not supported"
	case StatusHardware:
		return "hardware failure"
	case StatusAborted:
		return "aborted"
	case StatusInputs:
		return "bad inputs"
	}
	return "status(0x" + hex8(uint8(s)) + ")"
}

// Field names the offending field of a refusal.
type Field uint8

// Fields, with the unit their Reject values are in.
const (
	FieldNone       Field = 0x00
	FieldCommand    Field = 0x01 // command code
	FieldLength     Field = 0x02 // bytes
	FieldVersion    Field = 0x03 // protocol version
	FieldMacro      Field = 0x04 // macro index
	FieldRow        Field = 0x05 // row index (the offending bound)
	FieldCol        Field = 0x06 // column index (the offending bound)
	FieldVoltage    Field = 0x07 // mV
	FieldWidth      Field = 0x08 // ns
	FieldCompliance Field = 0x09 // nA
	FieldReadV      Field = 0x0A // mV
	FieldADCBits    Field = 0x0B // bits
	FieldADCRange   Field = 0x0C // nA
	FieldOffset     Field = 0x0D // bytes or elements
	FieldCount      Field = 0x0E // vectors, elements or bytes
	FieldBits       Field = 0x0F // input bits
	FieldTarget     Field = 0x10 // 0.01 µS
	FieldTolerance  Field = 0x11 // 0.01 µS
	FieldPulses     Field = 0x12 // pulses
	FieldInputs     Field = 0x13 // LSM input rows
	FieldNeurons    Field = 0x14 // LSM neurons
	FieldSteps      Field = 0x15 // LSM steps
	FieldLSMParam   Field = 0x16 // LSM threshold, decay or scale: float64 bits
	FieldJob        Field = 0x17 // job id
	FieldResult     Field = 0x18 // result id
	FieldKind       Field = 0x19 // calibration kind
	FieldStaged     Field = 0x1A // bytes
	FieldFlags      Field = 0x1B // flag bits
)

var fieldNames = [...]string{"none", "command", "length", "version", "macro", "row", "col",
	"voltage_mv", "width_ns", "compliance_na", "read_mv", "adc_bits", "adc_range_na", "offset",
	"count", "bits", "target_cus", "tolerance_cus", "pulses", "inputs", "neurons", "steps",
	"lsm_param_micro", "job", "result", "kind", "staged_bytes", "flags"}

func (f Field) String() string {
	if int(f) < len(fieldNames) {
		return fieldNames[f]
	}
	return "field(0x" + hex8(uint8(f)) + ")"
}

// JobState is the state of a job.
type JobState uint8

const (
	JobNone    JobState = 0 // no job
	JobQueued  JobState = 1 // accepted, not started
	JobRunning JobState = 2 // started
	JobDone    JobState = 3 // finished (see the job's status)
	JobAborted JobState = 4 // aborted before it finished
)

func (s JobState) String() string {
	switch s {
	case JobNone:
		return "none"
	case JobQueued:
		return "queued"
	case JobRunning:
		return "running"
	case JobDone:
		return "done"
	case JobAborted:
		return "aborted"
	}
	return "jobstate(0x" + hex8(uint8(s)) + ")"
}

// ResultKind says how the elements of a result are encoded.
type ResultKind uint8

const (
	ResultNone          ResultKind = 0
	ResultConductance   ResultKind = 1 // u16 per cell, 0.01 µS, row-major over the region
	ResultCodes         ResultKind = 2 // i32 ADC code per output, vector-major (N × cols)
	ResultCodesCurrents ResultKind = 3 // i32 ADC code then i64 current in pA, per output
	ResultCounts        ResultKind = 4 // i32 spike count per neuron
	ResultIndices       ResultKind = 5 // u32 row-major cell index within the region (program failures)
	ResultOffsets       ResultKind = 6 // i32 per-column ADC zero offset, in ADC codes × 1000
	ResultConductanceF  ResultKind = 7 // float32 bits per cell, µS, row-major over the region (exact reads)
	ResultCounts8       ResultKind = 8 // u8 spike count per neuron (LSM runs of at most 255 steps)
)

// ElemSize is the size in bytes of one element of a result of kind k
// (0 for unknown kinds).
func (k ResultKind) ElemSize() int {
	switch k {
	case ResultCounts8:
		return 1
	case ResultConductance:
		return 2
	case ResultCodes, ResultCounts, ResultIndices, ResultOffsets, ResultConductanceF:
		return 4
	case ResultCodesCurrents:
		return 12
	}
	return 0
}

func (k ResultKind) String() string {
	switch k {
	case ResultNone:
		return "none"
	case ResultConductance:
		return "conductance"
	case ResultCodes:
		return "codes"
	case ResultCodesCurrents:
		return "codes+currents"
	case ResultCounts:
		return "counts"
	case ResultIndices:
		return "indices"
	case ResultOffsets:
		return "offsets"
	case ResultConductanceF:
		return "conductance-f32"
	case ResultCounts8:
		return "counts-u8"
	}
	return "resultkind(0x" + hex8(uint8(k)) + ")"
}

const hexDigits = "0123456789abcdef"

func hex8(v uint8) string {
	return string([]byte{hexDigits[v>>4], hexDigits[v&15]})
}

func hex16(v uint16) string { return hex8(uint8(v>>8)) + hex8(uint8(v)) }
