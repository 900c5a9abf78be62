package protocol

import "github.com/sigurn/crc16"

// crcTable is sigurn's CRC-16/CCITT-FALSE table (poly 0x1021, init 0xFFFF,
// no reflection, no final XOR; check value 0x29B1 for "123456789").
var crcTable = crc16.MakeTable(crc16.CRC16_CCITT_FALSE)

// crcSlice holds slicing-by-8 tables derived from crcTable: crcSlice[k][n]
// is the register contribution of byte n followed by k more bytes. The
// byte-at-a-time loop of crc16.Update runs at ~300 MB/s; eight bytes per
// step reach several GB/s, so the codec meets its 200 MB/s budget with
// the CRC a small part of it. Tests check it against crc16.Checksum.
var crcSlice = func() (t [8][256]uint16) {
	for n := range 256 {
		// crc16.Update from a zero register over one byte is the table entry.
		t[0][n] = crc16.Update(0, []byte{byte(n)}, crcTable)
	}
	for k := 1; k < 8; k++ {
		for n := range 256 {
			v := t[k-1][n]
			t[k][n] = v<<8 ^ t[0][v>>8]
		}
	}
	return t
}()

// Checksum is the CRC-16/CCITT-FALSE of b, the frame check of the link.
func Checksum(b []byte) uint16 { return crcUpdate(crcInit(), b) }

// crcInit is the register before any byte.
func crcInit() uint16 { return crc16.Init(crcTable) }

// crcComplete finishes a running checksum (no final XOR for this CRC).
func crcComplete(crc uint16) uint16 { return crc16.Complete(crc, crcTable) }

// crcUpdate continues a running checksum over b.
func crcUpdate(crc uint16, b []byte) uint16 {
	t := &crcSlice
	for len(b) >= 8 {
		_ = b[7]
		hi := byte(crc>>8) ^ b[0]
		lo := byte(crc) ^ b[1]
		crc = t[7][hi] ^ t[6][lo] ^ t[5][b[2]] ^ t[4][b[3]] ^
			t[3][b[4]] ^ t[2][b[5]] ^ t[1][b[6]] ^ t[0][b[7]]
		b = b[8:]
	}
	for _, d := range b {
		crc = crc<<8 ^ t[0][byte(crc>>8)^d]
	}
	return crc
}
