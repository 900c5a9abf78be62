package driver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rramtwin/rramtwin/protocol"
)

// LinkStats counts what happened on a link since it was made.
type LinkStats struct {
	Requests   uint64 // exchanges started
	Retries    uint64 // requests sent again after a timeout
	Timeouts   uint64 // exchanges that failed after every retry
	Rejected   uint64 // received frames dropped as corrupt
	Stale      uint64 // good frames that answered no pending request
	BytesOut   uint64 // wire bytes written
	BytesIn    uint64 // wire bytes read
	PayloadOut uint64 // payload bytes of the requests written (retries included)
	PayloadIn  uint64 // payload bytes of the replies accepted
}

// link is the stop-and-wait engine: one request, one reply with the same
// seq and command, retries of the same bytes on timeout (the board answers
// a repeat from its replay cache without executing it again).
type link struct {
	t   Transport
	cfg Config

	seq     uint16
	dec     protocol.Decoder
	rbuf    []byte
	pending []byte
	wbuf    []byte
	pbuf    []byte // request payload scratch
	curRead time.Duration

	stats LinkStats
}

func newLink(t Transport, cfg Config) *link {
	return &link{t: t, cfg: cfg, rbuf: make([]byte, 4096), wbuf: make([]byte, 0, protocol.MaxWire),
		pbuf: make([]byte, 0, protocol.MaxPayload)}
}

// reply is a decoded OK or refused reply.
type reply struct {
	status protocol.Status
	body   []byte // valid until the next exchange
	reject protocol.Reject
}

// exchange sends cmd with payload and waits for its reply, retrying with
// exponential back-off of the reply timeout.
func (l *link) exchange(ctx context.Context, cmd protocol.Command, payload []byte) (reply, error) {
	return l.exchangeTimeout(ctx, cmd, payload, l.cfg.Timeout, l.cfg.Retries)
}

func (l *link) exchangeTimeout(ctx context.Context, cmd protocol.Command, payload []byte, timeout time.Duration, retries int) (reply, error) {
	l.seq++
	seq := l.seq
	l.stats.Requests++
	var err error
	l.wbuf, err = protocol.AppendFrame(l.wbuf[:0], protocol.Header{Version: protocol.Version, Seq: seq, Command: cmd}, payload)
	if err != nil {
		return reply{}, fmt.Errorf("driver: %s request: %w", cmd, err)
	}
	wait := timeout
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return reply{}, err
		}
		if attempt > 0 {
			l.stats.Retries++
		}
		if err := writeGuarded(l.t, l.wbuf, l.cfg.WriteTimeout); err != nil {
			return reply{}, fmt.Errorf("driver: sending %s (seq %d): %w", cmd, seq, err)
		}
		l.stats.BytesOut += uint64(len(l.wbuf))
		l.stats.PayloadOut += uint64(len(payload))
		f, err := l.await(ctx, seq, cmd, wait)
		if err == nil {
			l.stats.PayloadIn += uint64(len(f.Payload))
			return decodeReply(cmd, f.Payload)
		}
		if !errors.Is(err, ErrTimeout) {
			return reply{}, fmt.Errorf("driver: waiting for the reply to %s (seq %d): %w", cmd, seq, err)
		}
		if attempt >= retries {
			l.stats.Timeouts++
			return reply{}, fmt.Errorf("%w: no valid reply to %s (seq %d) after %d tries", ErrTimeout, cmd, seq, attempt+1)
		}
		wait = min(2*wait, max(l.cfg.MaxTimeout, timeout))
	}
}

func decodeReply(cmd protocol.Command, p []byte) (reply, error) {
	st, body, err := protocol.SplitReply(p)
	if err != nil {
		return reply{}, fmt.Errorf("driver: malformed %s reply (%d bytes): %w", cmd, len(p), err)
	}
	r := reply{status: st, body: body}
	if st != protocol.StatusOK {
		if err := r.reject.Decode(body); err != nil {
			return reply{}, fmt.Errorf("driver: malformed %s refusal: %w", cmd, err)
		}
	}
	return r, nil
}

// await reads until a reply with seq and cmd arrives or wait elapses.
func (l *link) await(ctx context.Context, seq uint16, cmd protocol.Command, wait time.Duration) (protocol.Frame, error) {
	deadline := time.Now().Add(wait)
	for {
		for len(l.pending) > 0 {
			n, f, done, err := l.dec.Next(l.pending)
			l.pending = l.pending[n:]
			if !done {
				continue
			}
			if err != nil {
				l.stats.Rejected++
				continue
			}
			if f.Flags&protocol.FlagReply != 0 && f.Seq == seq && f.Command == cmd {
				return f, nil
			}
			l.stats.Stale++
		}
		if err := ctx.Err(); err != nil {
			return protocol.Frame{}, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return protocol.Frame{}, ErrTimeout
		}
		// Short reads so that a cancelled context is noticed promptly.
		d := min(left, l.cfg.ReadSlice)
		if d != l.curRead {
			if err := l.t.SetReadTimeout(d); err != nil {
				return protocol.Frame{}, err
			}
			l.curRead = d
		}
		n, err := readTimeout(l.t, l.rbuf)
		l.stats.BytesIn += uint64(n)
		l.pending = l.rbuf[:n]
		if err != nil && !errors.Is(err, ErrTimeout) {
			return protocol.Frame{}, err
		}
	}
}

// flush drops everything buffered on both sides of the host: the
// decoder's partial frame, unread bytes, and the transport's input buffer.
func (l *link) flush() {
	l.pending = nil
	l.dec.Reset()
	l.t.ResetInputBuffer() // best effort: some transports cannot
}
