//go:build linux || darwin

package vboard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/rramtwin/rramtwin/firmware"
	"github.com/rramtwin/rramtwin/internal/faults"
	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/macro"
	"github.com/rramtwin/rramtwin/protocol"
)

// Options configure a virtual board. The zero value is a lin2025-40nm
// chip with seed 0 and a clean link.
type Options struct {
	Preset    string // shipped preset name or JSON file; default "lin2025-40nm"
	Seed      uint64 // the chip (a seed is a chip)
	Faults    string // faults on the board's side of the link (see package doc); "" = none
	FaultSeed uint64 // seed of the faults; default Seed
	// Firmware sizes the handler; zero fields take virtual-board defaults
	// (16 Mi input values, 4 MiB staging, 1 Mi result elements: a batch of
	// 1,000 N-MNIST samples fits one LSM request).
	Firmware firmware.Config
}

// Board is a running virtual board.
type Board struct {
	path  string
	model *macro.Model

	mu sync.Mutex // guards h
	h  *firmware.Handler

	master *os.File
	tty    *os.File
	stop   context.CancelFunc
	done   chan struct{}
	once   sync.Once
	err    error
}

// Start starts a virtual board with the named preset and seed and returns
// its device path and a function that stops it. The board serves until
// stop is called or ctx is cancelled.
func Start(ctx context.Context, preset string, seed uint64) (path string, stop func(), err error) {
	b, err := StartOptions(ctx, Options{Preset: preset, Seed: seed})
	if err != nil {
		return "", nil, err
	}
	return b.Path(), b.Stop, nil
}

// StartOptions starts a virtual board.
func StartOptions(ctx context.Context, o Options) (*Board, error) {
	if o.Preset == "" {
		o.Preset = "lin2025-40nm"
	}
	spec, err := faults.Parse(o.Faults)
	if err != nil {
		return nil, fmt.Errorf("vboard: %w", err)
	}
	if o.FaultSeed == 0 {
		o.FaultSeed = o.Seed
	}
	p, err := macro.LoadPreset(o.Preset)
	if err != nil {
		return nil, fmt.Errorf("vboard: %w", err)
	}
	m, err := macro.NewModel(p, o.Seed)
	if err != nil {
		return nil, fmt.Errorf("vboard: %w", err)
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("vboard: opening a pseudo-terminal: %w", err)
	}
	if err := makeRaw(tty); err != nil {
		ptmx.Close()
		tty.Close()
		return nil, fmt.Errorf("vboard: raw mode on %s: %w", tty.Name(), err)
	}
	master, err := nonblocking(ptmx)
	if err != nil {
		tty.Close()
		return nil, fmt.Errorf("vboard: %w", err)
	}
	b := &Board{path: tty.Name(), model: m, master: master, tty: tty, done: make(chan struct{})}
	var rw io.ReadWriter = &deadlineFile{f: master}
	if !spec.None() {
		rw = faults.Wrap(rw, spec, spec, o.FaultSeed)
	}
	cfg := o.Firmware
	if cfg.InputElems == 0 {
		cfg.InputElems = 16 << 20
	}
	if cfg.StageBytes == 0 {
		cfg.StageBytes = 4 << 20
	}
	if cfg.ResultElems == 0 {
		cfg.ResultElems = 1 << 20
	}
	if cfg.BoardNonce == 0 {
		cfg.BoardNonce = uint32(rng.NewStream(o.Seed, "vboard/nonce").Uint64(0)) | 1
	}
	cfg.Virtual = true
	h, err := firmware.NewHandler(firmware.NewSimHAL(context.Background(), chip{m}), rw, cfg)
	if err != nil {
		master.Close()
		tty.Close()
		return nil, fmt.Errorf("vboard: %w", err)
	}
	b.h = h
	ctx, b.stop = context.WithCancel(ctx)
	go b.serve(ctx, rw)
	return b, nil
}

// Firmware is the firmware version a virtual board reports: this package
// and the version of the model behind it.
const Firmware = "vboard/1+" + macro.ModelVersion

// chip is the model with the virtual board's firmware version.
type chip struct{ *macro.Model }

func (c chip) Info() macro.Info {
	i := c.Model.Info()
	i.Firmware = Firmware
	return i
}

// makeRaw puts the slave in raw mode: no echo, no line editing, no signal
// characters, 8 bits, byte-at-a-time reads. It must happen before the
// board writes anything, or the line discipline eats and echoes bytes.
func makeRaw(tty *os.File) error {
	rc, err := tty.SyscallConn()
	if err != nil {
		return err
	}
	var ierr error
	err = rc.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), ioctlGetTermios)
		if err != nil {
			ierr = err
			return
		}
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag &^= unix.CSIZE | unix.PARENB
		t.Cflag |= unix.CS8
		t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
		ierr = unix.IoctlSetTermios(int(fd), ioctlSetTermios, t)
	})
	if err != nil {
		return err
	}
	return ierr
}

// nonblocking returns a non-blocking duplicate of the pty master and
// closes the original: creack/pty ≥ 1.1.21 opens /dev/ptmx blocking, so
// deadlines on it are ignored and Close does not unblock a reader.
func nonblocking(ptmx *os.File) (*os.File, error) {
	fd, err := unix.Dup(int(ptmx.Fd()))
	ptmx.Close()
	if err != nil {
		return nil, fmt.Errorf("dup of the pty master: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("non-blocking pty master: %w", err)
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx"), nil
}

// deadlineFile reads with a short deadline (so the serve loop sees Stop)
// and writes with a long one (a host that stopped reading cannot wedge the
// board: the reply is dropped and the host retries).
type deadlineFile struct{ f *os.File }

func (d *deadlineFile) Read(p []byte) (int, error) {
	d.f.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	n, err := d.f.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, nil
	}
	return n, err
}

func (d *deadlineFile) Write(p []byte) (int, error) {
	d.f.SetWriteDeadline(time.Now().Add(2 * time.Second))
	return d.f.Write(p)
}

func (b *Board) serve(ctx context.Context, rw io.Reader) {
	defer close(b.done)
	buf := make([]byte, 64<<10)
	for ctx.Err() == nil {
		n, err := rw.Read(buf)
		if n > 0 {
			b.mu.Lock()
			b.h.Feed(buf[:n])
			for b.h.Poll() {
			}
			b.mu.Unlock()
		}
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, os.ErrClosed) {
				b.err = err
			}
			return
		}
	}
}

// Path is the board's device path (a /dev/pts/N or /dev/ttysNNN).
func (b *Board) Path() string { return b.path }

// Model is the chip behind the board (for tests: ground truth; do not use
// it while a host is talking to the board).
func (b *Board) Model() *macro.Model { return b.model }

// Executed reports how many requests of command c the firmware executed
// (replays from its cache are not executions).
func (b *Board) Executed(c protocol.Command) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.h.Executed(c)
}

// Stats returns the firmware's link counters.
func (b *Board) Stats() firmware.Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.h.Stats()
}

// Stop stops serving and closes the pseudo-terminal. Calling it again is
// a no-op.
func (b *Board) Stop() {
	b.once.Do(func() {
		b.stop()
		b.master.Close() // unblocks the pending read
		<-b.done
		b.tty.Close()
	})
}

// Err is the error that ended serving early (nil while serving and after a
// normal Stop).
func (b *Board) Err() error {
	select {
	case <-b.done:
		return b.err
	default:
		return nil
	}
}

// Done is closed when the board stops serving.
func (b *Board) Done() <-chan struct{} { return b.done }
