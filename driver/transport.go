package driver

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// Transport is the byte link to a board: what go.bug.st/serial's Port
// offers, and all the driver needs. A serial.Port satisfies it as is; so
// do the adapters of this package (NetConn) and the recorder and playback
// transports.
//
// Read may return (0, nil) when the read timeout expires (that is what
// go.bug.st/serial v1.8.0 does); the driver turns it into ErrTimeout and
// never hands a Transport to io.ReadFull or bufio.
type Transport interface {
	io.ReadWriter
	// SetReadTimeout bounds how long one Read waits for a first byte.
	SetReadTimeout(d time.Duration) error
	// ResetInputBuffer discards bytes received but not yet read.
	ResetInputBuffer() error
}

// ErrTimeout reports that the board did not answer in time: a read
// timeout, a write that stayed blocked past its deadline, or a request
// that got no valid reply after every retry.
var ErrTimeout = errors.New("driver: timeout")

// readTimeout reads once from t, turning go.bug.st/serial's (0, nil)
// timeout and deadline errors into ErrTimeout.
func readTimeout(t Transport, p []byte) (int, error) {
	n, err := t.Read(p)
	switch {
	case n == 0 && err == nil:
		return 0, ErrTimeout
	case err != nil && (errors.Is(err, os.ErrDeadlineExceeded) || isNetTimeout(err)):
		return n, ErrTimeout
	}
	return n, err
}

func isNetTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// writeGuarded writes p to t, closing t (when it is an io.Closer) if the
// write is still blocked after d: go.bug.st/serial has no write timeout,
// and a stuck USB-serial link can block a write forever. d ≤ 0 disables
// the watchdog.
func writeGuarded(t Transport, p []byte, d time.Duration) error {
	c, ok := t.(io.Closer)
	if d <= 0 || !ok {
		_, err := t.Write(p)
		return err
	}
	var fired bool
	var mu sync.Mutex
	timer := time.AfterFunc(d, func() {
		mu.Lock()
		fired = true
		mu.Unlock()
		c.Close()
	})
	_, err := t.Write(p)
	timer.Stop()
	mu.Lock()
	defer mu.Unlock()
	if fired {
		return fmt.Errorf("%w: write of %d bytes blocked for %v; link closed", ErrTimeout, len(p), d)
	}
	return err
}

// NetConn adapts a net.Conn (net.Pipe in tests, a TCP bridge to a board)
// to a Transport: SetReadTimeout becomes a read deadline set before every
// Read, ResetInputBuffer is a no-op (a net.Conn buffers nothing the host
// could discard). The adapter closes the conn when closed.
func NetConn(c net.Conn) interface {
	Transport
	io.Closer
} {
	return &netConn{c: c}
}

type netConn struct {
	c net.Conn
	d time.Duration
}

func (n *netConn) Read(p []byte) (int, error) {
	if n.d > 0 {
		n.c.SetReadDeadline(time.Now().Add(n.d))
	} else {
		n.c.SetReadDeadline(time.Time{})
	}
	k, err := n.c.Read(p)
	if err != nil && (errors.Is(err, os.ErrDeadlineExceeded) || isNetTimeout(err)) {
		return k, ErrTimeout
	}
	return k, err
}

func (n *netConn) Write(p []byte) (int, error)          { return n.c.Write(p) }
func (n *netConn) SetReadTimeout(d time.Duration) error { n.d = d; return nil }
func (n *netConn) ResetInputBuffer() error              { return nil }
func (n *netConn) Close() error                         { return n.c.Close() }
