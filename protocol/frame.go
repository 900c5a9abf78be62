package protocol

import "bytes"

// Frame layout (before COBS), all multi-byte fields big-endian:
//
//	off  size  field
//	0    1     version  (Version)
//	1    1     flags    (FlagReply, FlagError; other bits zero)
//	2    2     seq      echoed by the reply
//	4    2     command  (Command)
//	6    2     length   payload bytes, ≤ MaxPayload
//	8    len   payload
//	8+len 2    CRC-16/CCITT-FALSE over bytes 0 .. 8+len−1
const (
	Version    = 1                               // protocol version this package speaks
	HeaderLen  = 8                               // bytes of header
	CRCLen     = 2                               // bytes of CRC
	MaxPayload = 1024                            // largest payload
	MaxFrame   = HeaderLen + MaxPayload + CRCLen // largest decoded frame (1034)
	MaxEncoded = MaxFrame + MaxFrame/254 + 1     // largest COBS-encoded frame (1039)
	MaxWire    = MaxEncoded + 1                  // largest frame on the wire, with its 0x00 (1040)
	Delimiter  = 0x00                            // frame delimiter on the wire
	Overhead   = HeaderLen + CRCLen              // bytes of a frame that are not payload
)

// Flags is the flags byte of the header.
type Flags uint8

const (
	FlagReply Flags = 1 << 0 // set on every board → host frame
	FlagError Flags = 1 << 1 // set on replies whose status is not StatusOK

	flagsKnown = FlagReply | FlagError
)

// Header is the fixed part of a frame.
type Header struct {
	Version uint8
	Flags   Flags
	Seq     uint16
	Command Command
	Length  uint16 // payload length; AppendFrame sets it
}

// Frame is a decoded frame. Payload aliases the decoder's buffer and is
// valid until the next decode into that buffer.
type Frame struct {
	Header
	Payload []byte
	CRC     uint16 // the frame's CRC as received (set by decoding only)
}

func putHeader(b *[HeaderLen]byte, h Header) {
	b[0] = h.Version
	b[1] = byte(h.Flags)
	b[2], b[3] = byte(h.Seq>>8), byte(h.Seq)
	b[4], b[5] = byte(h.Command>>8), byte(h.Command)
	b[6], b[7] = byte(h.Length>>8), byte(h.Length)
}

// AppendFrame appends the wire form of a frame (COBS encoding of header,
// payload and CRC, then the 0x00 delimiter) to dst. h.Length is taken from
// len(payload). It fails only if the payload is over MaxPayload. It does not
// allocate when dst has room for MaxWire more bytes.
func AppendFrame(dst []byte, h Header, payload []byte) ([]byte, error) {
	if len(payload) > MaxPayload {
		return dst, ErrPayloadLarge
	}
	h.Length = uint16(len(payload))
	var hb [HeaderLen]byte
	putHeader(&hb, h)
	crc := crcUpdate(crcInit(), hb[:])
	crc = crcComplete(crcUpdate(crc, payload))
	cb := [CRCLen]byte{byte(crc >> 8), byte(crc)}
	var e cobsEncoder
	e.start(dst)
	e.write(hb[:])
	e.write(payload)
	e.write(cb[:])
	return append(e.finish(), Delimiter), nil
}

// DecodeFrame decodes one COBS-encoded frame enc (without its delimiter;
// a single trailing 0x00 is tolerated) into buf, which needs capacity
// MaxEncoded to decode without allocating, and checks size, length field,
// CRC, version and flags. The
// returned payload aliases buf.
//
// On ErrVersion and ErrFlags the header is returned too (the CRC was good),
// so a board can still answer the frame's seq.
func DecodeFrame(buf, enc []byte) (Frame, error) {
	if n := len(enc); n > 0 && enc[n-1] == Delimiter {
		enc = enc[:n-1]
	}
	if len(enc) > MaxEncoded {
		return Frame{}, ErrFrameLong
	}
	raw, err := DecodeCOBS(buf[:0], enc)
	if err != nil {
		return Frame{}, err
	}
	return parseRaw(raw)
}

// parseRaw checks a decoded frame.
func parseRaw(raw []byte) (Frame, error) {
	if len(raw) < Overhead {
		return Frame{}, ErrFrameShort
	}
	if len(raw) > MaxFrame {
		return Frame{}, ErrFrameLong
	}
	n := len(raw) - CRCLen
	got := uint16(raw[n])<<8 | uint16(raw[n+1])
	if Checksum(raw[:n]) != got {
		return Frame{}, ErrCRC
	}
	f := Frame{Header: Header{
		Version: raw[0],
		Flags:   Flags(raw[1]),
		Seq:     uint16(raw[2])<<8 | uint16(raw[3]),
		Command: Command(uint16(raw[4])<<8 | uint16(raw[5])),
		Length:  uint16(raw[6])<<8 | uint16(raw[7]),
	}}
	if int(f.Length) != n-HeaderLen {
		return Frame{}, ErrLength
	}
	f.Payload = raw[HeaderLen:n]
	f.CRC = got
	if f.Version != Version {
		return f, ErrVersion
	}
	if f.Flags&^flagsKnown != 0 {
		return f, ErrFlags
	}
	return f, nil
}

// Decoder splits a byte stream into frames. Bytes may arrive in pieces of
// any size; a frame ends at each 0x00. Empty frames (a lone 0x00, used to
// resynchronise) are skipped; a frame that grows past MaxEncoded is
// discarded up to the next 0x00. The zero Decoder is ready to use and holds
// all its buffers inline (about 2 KiB); it never allocates.
type Decoder struct {
	enc      [MaxEncoded]byte
	n        int
	overflow bool
	raw      [MaxEncoded]byte

	// Counters since the decoder was made.
	Frames   uint32 // good frames returned
	Rejected uint32 // frames rejected (COBS, size, CRC, length, version, flags)
}

// Next consumes bytes of p up to and including the first delimiter and
// reports how many it consumed. When the consumed bytes end a non-empty
// frame, done is true and either err is nil and f is the frame (its payload
// valid until the next call), or err says why the frame was rejected (f
// still carries the header for ErrVersion and ErrFlags). Feed the rest of p
// to Next again.
func (d *Decoder) Next(p []byte) (n int, f Frame, done bool, err error) {
	i := bytes.IndexByte(p, Delimiter)
	chunk := p
	if i >= 0 {
		chunk = p[:i]
		n = i + 1
	} else {
		n = len(p)
	}
	if !d.overflow {
		if d.n+len(chunk) > MaxEncoded {
			d.overflow = true
		} else {
			d.n += copy(d.enc[d.n:], chunk)
		}
	}
	if i < 0 {
		return n, Frame{}, false, nil
	}
	// A delimiter: finish the frame.
	over, size := d.overflow, d.n
	d.overflow, d.n = false, 0
	if over {
		d.Rejected++
		return n, Frame{}, true, ErrFrameLong
	}
	if size == 0 {
		return n, Frame{}, false, nil
	}
	raw, err := DecodeCOBS(d.raw[:0], d.enc[:size])
	if err != nil {
		d.Rejected++
		return n, Frame{}, true, err
	}
	f, err = parseRaw(raw)
	if err != nil {
		d.Rejected++
		return n, f, true, err
	}
	d.Frames++
	return n, f, true, nil
}

// Reset drops any partial frame.
func (d *Decoder) Reset() { d.n, d.overflow = 0, false }
