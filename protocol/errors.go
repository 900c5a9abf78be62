package protocol

import "errors"

// Errors of frame and payload decoding. They are sentinel values so that
// decoding never allocates; callers branch on them with errors.Is.
var (
	ErrCOBS          = errors.New("protocol: bad COBS encoding in frame")
	ErrFrameShort    = errors.New("protocol: frame shorter than header and CRC")
	ErrFrameLong     = errors.New("protocol: frame longer than the maximum (1034 bytes decoded)")
	ErrCRC           = errors.New("protocol: frame CRC-16 mismatch")
	ErrLength        = errors.New("protocol: frame length field disagrees with the frame size")
	ErrVersion       = errors.New("protocol: unsupported protocol version in frame header")
	ErrFlags         = errors.New("protocol: reserved flag bits set in frame header")
	ErrPayloadLength = errors.New("protocol: payload length wrong for its command")
	ErrPayloadLarge  = errors.New("protocol: payload over the 1024-byte limit")
	ErrText          = errors.New("protocol: text field over 32 bytes")
)
