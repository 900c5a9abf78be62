package protocol

import "bytes"

// COBS (consistent overhead byte stuffing) removes every 0x00 from a frame
// so that 0x00 can delimit frames on the wire. The encoding is a sequence of
// blocks; each starts with a code byte c (1..255) followed by c−1 non-zero
// data bytes. A code below 0xFF stands for its data bytes followed by a 0x00
// (except after the last block); 0xFF stands for 254 data bytes and no zero.

// COBSMaxLen is the longest COBS encoding of n bytes (without the delimiter).
func COBSMaxLen(n int) int { return n + n/254 + 1 }

// cobsEncoder encodes a frame given in pieces, appending to buf without any
// scratch copy of the whole frame.
type cobsEncoder struct {
	buf  []byte
	code int // index in buf of the open block's code byte
}

func (e *cobsEncoder) start(dst []byte) {
	e.buf = append(dst, 0)
	e.code = len(e.buf) - 1
}

func (e *cobsEncoder) write(p []byte) {
	for len(p) > 0 {
		n := len(e.buf) - e.code - 1 // data bytes already in the open block
		room := 254 - n
		run := p
		if len(run) > room {
			run = run[:room]
		}
		if i := bytes.IndexByte(run, 0); i >= 0 {
			e.buf = append(e.buf, run[:i]...)
			e.buf[e.code] = byte(n + i + 1)
			e.buf = append(e.buf, 0)
			e.code = len(e.buf) - 1
			p = p[i+1:]
			continue
		}
		e.buf = append(e.buf, run...)
		p = p[len(run):]
		if n+len(run) == 254 {
			e.buf[e.code] = 0xFF
			e.buf = append(e.buf, 0)
			e.code = len(e.buf) - 1
		}
	}
}

func (e *cobsEncoder) finish() []byte {
	e.buf[e.code] = byte(len(e.buf) - e.code)
	return e.buf
}

// AppendCOBS appends the COBS encoding of src (without a delimiter) to dst.
func AppendCOBS(dst, src []byte) []byte {
	var e cobsEncoder
	e.start(dst)
	e.write(src)
	return e.finish()
}

// DecodeCOBS appends the decoding of the COBS block sequence src (without
// delimiter) to dst. It fails with ErrCOBS on a 0x00 inside src or a block
// that runs past the end.
func DecodeCOBS(dst, src []byte) ([]byte, error) {
	for i := 0; i < len(src); {
		code := int(src[i])
		if code == 0 {
			return dst, ErrCOBS
		}
		i++
		end := i + code - 1
		if end > len(src) {
			return dst, ErrCOBS
		}
		seg := src[i:end]
		if bytes.IndexByte(seg, 0) >= 0 {
			return dst, ErrCOBS
		}
		dst = append(dst, seg...)
		i = end
		if code != 0xFF && i < len(src) {
			dst = append(dst, 0)
		}
	}
	return dst, nil
}
