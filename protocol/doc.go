// Package protocol is the wire format shared by the host (driver) and the
// board (firmware): framing, header, CRC, command and status codes and the
// payload of every command. It does no I/O and never allocates on its hot
// paths (AppendFrame, DecodeFrame, Decoder.Next, every Append/Decode): it
// imports only the standard library and github.com/sigurn/crc16, uses no
// reflection or fmt, and so builds with TinyGo.
//
// # Frames
//
// On the wire a frame is the COBS encoding of
//
//	off    size  field
//	0      1     version   protocol version (Version = 1)
//	1      1     flags     bit0 reply, bit1 error (reply status ≠ ok); bits 2–7 zero
//	2      2     seq       chosen by the host, echoed by the reply
//	4      2     command   Command (a reply echoes its request's)
//	6      2     length    payload bytes, 0..1024
//	8      len   payload
//	8+len  2     CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection,
//	             no final XOR; check 0x29B1) of bytes 0..8+len−1
//
// followed by one 0x00 delimiter. Every multi-byte integer is big-endian.
// COBS removes all zeros, so a receiver resynchronises at the next 0x00; a
// lone 0x00 is an empty frame and is ignored. A frame with a bad CRC,
// length or encoding is dropped without a reply (its seq cannot be
// trusted): the host retries.
//
// # Exchanges
//
// Stop-and-wait: the host sends one request and waits for the reply with
// the same seq and command. A reply payload is a Status byte, then the
// body (StatusOK) or a Reject naming the refused field, the value asked
// for and the allowed range. Payloads over 1024 bytes travel in chunks:
// uploads by CmdLoad into the board's staging buffer (then referenced by
// the request's Staged count), results by CmdResult (element offset,
// count). Forming, programming and calibration are jobs: the request
// queues the job, CmdJob reports progress, CmdAbort cancels it, CmdResult
// fetches its result.
//
// # Units
//
// Physical quantities are fixed-point integers: voltage mV, pulse width
// ns, compliance and ADC range nA, MAC currents pA, conductance 0.01 µS,
// energy aJ, time ns; LSM constants are float64 bits. See units.go; the board converts
// to SI by division, so decimal host settings arrive bit-identical.
//
// docs/PROTOCOL.md specifies all of it byte by byte, with worked frames
// that a test regenerates from this package.
package protocol
