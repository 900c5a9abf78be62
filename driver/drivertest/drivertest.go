// Package drivertest has in-process boards for tests of host code: the
// board firmware (firmware.Handler over firmware.SimHAL) behind a
// synchronous transport (Loopback) or on one end of a net.Conn (Serve),
// with no pseudo-terminal. For a board on a real serial device use
// firmware/vboard.
package drivertest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/rramtwin/rramtwin/firmware"
	"github.com/rramtwin/rramtwin/macro"
	"github.com/rramtwin/rramtwin/protocol"
)

// Loopback is a driver.Transport wired straight into a firmware handler:
// a write is fed to the handler (and its jobs run) before it returns, and
// the replies wait in a buffer for reading. No goroutines, no timing: the
// bytes exchanged are a function of the calls alone (golden traces).
type Loopback struct {
	h       *firmware.Handler
	out     bytes.Buffer
	timeout time.Duration
}

// NewLoopback returns a loopback board over m.
func NewLoopback(m macro.Macro, cfg firmware.Config) (*Loopback, error) {
	l := &Loopback{}
	h, err := firmware.NewHandler(firmware.NewSimHAL(context.Background(), m), &l.out, cfg)
	if err != nil {
		return nil, err
	}
	l.h = h
	return l, nil
}

// Handler is the board's firmware.
func (l *Loopback) Handler() *firmware.Handler { return l.h }

// Write feeds p to the board.
func (l *Loopback) Write(p []byte) (int, error) {
	l.h.Feed(p)
	for l.h.Poll() {
	}
	return len(p), nil
}

// Read returns the board's pending replies; with none it waits out the
// read timeout (at most 1 ms: nothing can arrive) and returns (0, nil).
func (l *Loopback) Read(p []byte) (int, error) {
	if l.out.Len() == 0 {
		time.Sleep(min(l.timeout, time.Millisecond))
		return 0, nil
	}
	return l.out.Read(p)
}

// SetReadTimeout implements driver.Transport.
func (l *Loopback) SetReadTimeout(d time.Duration) error { l.timeout = d; return nil }

// ResetInputBuffer drops replies not yet read.
func (l *Loopback) ResetInputBuffer() error { l.out.Reset(); return nil }

// Served is a board serving one end of a net.Conn.
type Served struct {
	mu   sync.Mutex
	h    *firmware.Handler
	done chan struct{}
	err  error
}

// Serve runs the board firmware over m on c in a goroutine until c is
// closed. rd, when not nil, replaces c as the board's input (to inject
// faults or losses on the board's side); replies are written to c.
func Serve(c net.Conn, rd io.Reader, m macro.Macro, cfg firmware.Config) (*Served, error) {
	s := &Served{done: make(chan struct{})}
	// Replies go out through a queue and a writer goroutine, as through a
	// UART's transmit buffer: a board never stops reading because the host
	// is busy writing (net.Pipe itself buffers nothing).
	tx := make(chan []byte, 256)
	h, err := firmware.NewHandler(firmware.NewSimHAL(context.Background(), m), txWriter(tx), cfg)
	if err != nil {
		return nil, err
	}
	s.h = h
	if rd == nil {
		rd = c
	}
	go func() {
		for p := range tx {
			if _, err := c.Write(p); err != nil {
				for range tx { // drain: the link is gone
				}
				return
			}
		}
	}()
	go func() {
		defer close(s.done)
		defer close(tx)
		buf := make([]byte, 4096)
		for {
			n, err := rd.Read(buf)
			if n > 0 {
				s.mu.Lock()
				s.h.Feed(buf[:n])
				for s.h.Poll() {
				}
				s.mu.Unlock()
			}
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) {
					s.err = err
				}
				return
			}
		}
	}()
	return s, nil
}

// txWriter queues copies of what the handler writes.
type txWriter chan []byte

func (w txWriter) Write(p []byte) (int, error) {
	w <- append([]byte(nil), p...)
	return len(p), nil
}

// Executed is firmware.Handler.Executed.
func (s *Served) Executed(c protocol.Command) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h.Executed(c)
}

// Stats is firmware.Handler.Stats.
func (s *Served) Stats() firmware.Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h.Stats()
}

// Wait waits until the board stops (its conn closed) and returns the
// error that stopped it, if it was not the close.
func (s *Served) Wait() error {
	<-s.done
	return s.err
}
