// Package driver is the host side of the board link: it drives a board
// (a USB board, or the virtual board on a pseudo-terminal) over a serial
// port with the protocol package, and presents it as a macro.Macro.
//
// # Transport
//
// The driver talks to a Transport (io.ReadWriter, SetReadTimeout,
// ResetInputBuffer), which go.bug.st/serial's Port satisfies. Its (0, nil)
// read timeout is turned into ErrTimeout and the port is never handed to
// io.ReadFull or bufio. Every write runs under a watchdog (Config.WriteTimeout)
// that closes the port if the write stays blocked. Modem-bit calls (DTR)
// are best effort: pseudo-terminals reject them.
//
// # Exchanges
//
// Stop-and-wait: one request frame, then the reply with the same seq and
// command. Corrupt frames and stale replies are dropped; on a timeout the
// same bytes are sent again with the reply timeout doubled (Config.Timeout,
// MaxTimeout, Retries), and the board answers a repeat from its replay
// cache without executing it again. Opening allows for a board reset
// (Config.ResetDelay), flushes the input, sends a lone 0x00 to
// resynchronise the board's decoder, then sends hello until it is answered
// (Config.HelloTimeout). Forming, programming and calibration are jobs,
// polled with growing pauses until done. Payloads over 1 KiB go in chunks:
// uploads into the board's staging buffer (CmdLoad), results by CmdResult.
//
// # Board
//
// Board implements macro.Macro and, when hello advertises it,
// macro.LSMRunner. A MAC batch or an LSM batch is one operation on the
// board however many frames it takes, so a virtual board made from a seed
// returns exactly the codes of macro.NewModel with that seed. Refusals map
// back onto macro's errors: limits are *macro.RangeError with the model's
// field names ("voltage", "compliance_a", "width_s", "read_v",
// "adc_bits", "adc_range_a", "macro") in SI units; the rest wrap
// macro.ErrRegion, ErrNotFormed, ErrNoCompliance, ErrInputs,
// ErrUnsupported or ErrBusy. Link failures wrap ErrTimeout.
//
// Units are macro's (µS, V, s, A); the wire's fixed-point units are
// converted by division, so decimal settings arrive bit-identical. A Board
// is safe for concurrent use (calls are serialised); it adds no randomness.
//
// # Discovery, recording
//
// Ports and Find list serial ports by USB VID/PID and serial number
// (go.bug.st/serial/enumerator); Open(ctx, "auto", cfg) opens the first
// known board or falls back to the software model with one log line.
// Recorder writes a transcript of a link (testdata/*.trace) and Playback
// replays one in place of a board.
package driver
