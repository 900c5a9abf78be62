package driver

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rramtwin/rramtwin/protocol"
)

// Trace format (testdata/*.trace): one entry per frame on the wire, in
// the order the host saw them:
//
//	# comment
//	> seq 0001 hello 13 bytes
//	  02 01 01 ... 00
//	< seq 0001 hello reply ok 140 bytes
//	  ...
//
// ">" is host to board, "<" board to host; the header line names the seq,
// command and (for replies) status, the indented lines are the frame's
// wire bytes (COBS and delimiter included) in hex, 32 per line. A lone
// 0x00 (resynchronisation) is "> resync". Frames that do not decode are
// "corrupt".

// Recorder wraps a Transport and writes a trace of every frame that
// crosses it to w. It is not safe for concurrent use; Err reports the
// first write error on w.
type Recorder struct {
	t    Transport
	w    io.Writer
	out  []byte // bytes written, up to the next delimiter
	in   []byte // bytes read, up to the next delimiter
	dbuf []byte
	err  error
}

// NewRecorder returns a Recorder of t writing to w.
func NewRecorder(t Transport, w io.Writer) *Recorder {
	r := &Recorder{t: t, w: w, dbuf: make([]byte, 0, protocol.MaxEncoded)}
	r.printf("# rramtwin link trace: > host to board, < board to host; wire bytes in hex\n")
	return r
}

// Err is the first error writing the trace.
func (r *Recorder) Err() error { return r.err }

func (r *Recorder) printf(format string, a ...any) {
	if r.err == nil {
		_, r.err = fmt.Fprintf(r.w, format, a...)
	}
}

// Read implements Transport.
func (r *Recorder) Read(p []byte) (int, error) {
	n, err := r.t.Read(p)
	r.in = r.log('<', r.in, p[:n])
	return n, err
}

// Write implements Transport.
func (r *Recorder) Write(p []byte) (int, error) {
	n, err := r.t.Write(p)
	r.out = r.log('>', r.out, p[:n])
	return n, err
}

// SetReadTimeout implements Transport.
func (r *Recorder) SetReadTimeout(d time.Duration) error { return r.t.SetReadTimeout(d) }

// ResetInputBuffer implements Transport.
func (r *Recorder) ResetInputBuffer() error { return r.t.ResetInputBuffer() }

// Close closes the wrapped transport if it is an io.Closer.
func (r *Recorder) Close() error {
	if c, ok := r.t.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func (r *Recorder) log(dir byte, acc, p []byte) []byte {
	for len(p) > 0 {
		i := bytes.IndexByte(p, protocol.Delimiter)
		if i < 0 {
			return append(acc, p...)
		}
		acc = append(acc, p[:i+1]...)
		p = p[i+1:]
		r.entry(dir, acc)
		acc = acc[:0]
	}
	return acc
}

func (r *Recorder) entry(dir byte, wire []byte) {
	if len(wire) == 1 {
		r.printf("%c resync\n", dir)
	} else if f, err := protocol.DecodeFrame(r.dbuf[:0], wire); err != nil {
		r.printf("%c corrupt %d bytes (%v)\n", dir, len(wire), err)
	} else if f.Flags&protocol.FlagReply != 0 {
		st := "?"
		if len(f.Payload) > 0 {
			st = protocol.Status(f.Payload[0]).String()
		}
		r.printf("%c seq %04x %s reply %s %d bytes\n", dir, f.Seq, f.Command, st, len(wire))
	} else {
		r.printf("%c seq %04x %s %d bytes\n", dir, f.Seq, f.Command, len(wire))
	}
	for len(wire) > 0 {
		k := min(32, len(wire))
		var sb strings.Builder
		for j, c := range wire[:k] {
			if j > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(hex.EncodeToString([]byte{c}))
		}
		r.printf("  %s\n", sb.String())
		wire = wire[k:]
	}
}

// traceEntry is one frame of a trace.
type traceEntry struct {
	dir  byte
	head string
	wire []byte
}

// ParseTrace reads a trace into its frames.
func parseTrace(rd io.Reader) ([]traceEntry, error) {
	var es []traceEntry
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		switch {
		case s == "" || s[0] == '#':
		case s[0] == '>' || s[0] == '<':
			es = append(es, traceEntry{dir: s[0], head: strings.TrimSpace(s[1:])})
		case strings.HasPrefix(s, "  ") && len(es) > 0:
			b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
			if err != nil {
				return nil, fmt.Errorf("driver: trace line %d: %v", line, err)
			}
			es[len(es)-1].wire = append(es[len(es)-1].wire, b...)
		default:
			return nil, fmt.Errorf("driver: trace line %d: unexpected %q", line, s)
		}
	}
	return es, sc.Err()
}

// Playback is a Transport that plays a board's side of a recorded trace:
// each write must be the next host frames of the trace, byte for byte,
// and then the board frames that follow them become readable. Reads with
// nothing to deliver wait out the read timeout (at most 10 ms) and return
// (0, nil), as go.bug.st/serial does.
type Playback struct {
	es      []traceEntry
	next    int
	written []byte
	ready   []byte
	timeout time.Duration
}

// NewPlayback reads a trace for playing back.
func NewPlayback(trace io.Reader) (*Playback, error) {
	es, err := parseTrace(trace)
	if err != nil {
		return nil, err
	}
	p := &Playback{es: es}
	p.release()
	return p, nil
}

// release makes the board frames at the cursor readable.
func (p *Playback) release() {
	for p.next < len(p.es) && p.es[p.next].dir == '<' {
		p.ready = append(p.ready, p.es[p.next].wire...)
		p.next++
	}
}

// Write implements Transport: it checks p against the trace.
func (p *Playback) Write(b []byte) (int, error) {
	p.written = append(p.written, b...)
	for p.next < len(p.es) && p.es[p.next].dir == '>' {
		want := p.es[p.next].wire
		k := min(len(want), len(p.written))
		if !bytes.Equal(p.written[:k], want[:k]) {
			return 0, fmt.Errorf("driver: playback: host wrote % x, trace entry %d (%s) has % x", p.written[:k], p.next, p.es[p.next].head, want[:k])
		}
		if len(p.written) < len(want) {
			return len(b), nil
		}
		p.written = p.written[len(want):]
		p.next++
		p.release()
	}
	if len(p.written) > 0 {
		return 0, fmt.Errorf("driver: playback: host wrote % x past the end of the trace", p.written)
	}
	return len(b), nil
}

// Read implements Transport.
func (p *Playback) Read(b []byte) (int, error) {
	if len(p.ready) == 0 {
		time.Sleep(min(p.timeout, 10*time.Millisecond))
		return 0, nil
	}
	n := copy(b, p.ready)
	p.ready = p.ready[n:]
	return n, nil
}

// Done reports whether the whole trace has been played.
func (p *Playback) Done() bool { return p.next == len(p.es) && len(p.ready) == 0 }

// SetReadTimeout implements Transport.
func (p *Playback) SetReadTimeout(d time.Duration) error { p.timeout = d; return nil }

// ResetInputBuffer implements Transport. Nothing is discarded: a recorded
// board only speaks when spoken to.
func (p *Playback) ResetInputBuffer() error { return nil }
