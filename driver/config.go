package driver

import (
	"io"
	"time"
)

// Config tunes the driver. The zero Config is ready to use: every zero
// field takes the default given beside it.
type Config struct {
	// Baud is the serial line rate (default 115200; USB-CDC boards ignore
	// it). Never use 1200: TinyGo boards reboot into their bootloader on a
	// 1200-baud touch.
	Baud int
	// Timeout is how long the first try of a request waits for its reply
	// (default 500 ms); each retry doubles it up to MaxTimeout (default 4 s).
	Timeout, MaxTimeout time.Duration
	// Retries is how many times a request is sent again after a timeout
	// before the call fails with ErrTimeout (default 6).
	Retries int
	// ReadSlice bounds one blocking read, so that a cancelled context is
	// noticed (default 50 ms).
	ReadSlice time.Duration
	// WriteTimeout is the watchdog of every write: a write still blocked
	// after it closes the port and fails with ErrTimeout (default 2 s).
	WriteTimeout time.Duration
	// ResetDelay is waited after opening a port, for boards that reset
	// when DTR toggles (Arduino-class boards need 1–3 s; default 0: the
	// hello retries cover a fast reset).
	ResetDelay time.Duration
	// HelloTimeout is how long the handshake keeps sending hello before
	// giving up (default 5 s).
	HelloTimeout time.Duration
	// JobPoll is the first pause between job progress polls; it doubles up
	// to 100 ms (default 1 ms).
	JobPoll time.Duration
	// HostNonce identifies this host session to the board (a new nonce
	// clears the board's replay cache); 0 picks a random one.
	HostNonce uint32

	// Discovery (Open with "auto", Ports): the USB identity of boards.
	// Empty VID/PID match the known boards (KnownBoards); a non-empty
	// Serial picks one board among several.
	VID, PID, Serial string

	// Fallback model for Open("auto") when no board is attached: preset
	// name or file (default "lin2025-40nm") and seed (a seed is a chip).
	Preset string
	Seed   uint64
	// Trace, when not nil, receives a transcript of every frame on the
	// link in the testdata/*.trace format (see Recorder).
	Trace io.Writer
	// Log receives the one-line notice that Open("auto") fell back to the
	// model (default: discarded).
	Log io.Writer
}

func (c Config) withDefaults() Config {
	if c.Baud <= 0 {
		c.Baud = 115200
	}
	if c.Timeout <= 0 {
		c.Timeout = 500 * time.Millisecond
	}
	if c.MaxTimeout <= 0 {
		c.MaxTimeout = 4 * time.Second
	}
	if c.Retries <= 0 {
		c.Retries = 6
	}
	if c.ReadSlice <= 0 {
		c.ReadSlice = 50 * time.Millisecond
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 2 * time.Second
	}
	if c.HelloTimeout <= 0 {
		c.HelloTimeout = 5 * time.Second
	}
	if c.JobPoll <= 0 {
		c.JobPoll = time.Millisecond
	}
	if c.Preset == "" {
		c.Preset = "lin2025-40nm"
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	return c
}
