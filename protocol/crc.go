package protocol

import "github.com/sigurn/crc16"

// crcTable is the CRC-16/CCITT-FALSE table (poly 0x1021, init 0xFFFF, no
// reflection, no final XOR; check value 0x29B1 for "123456789").
var crcTable = crc16.MakeTable(crc16.CRC16_CCITT_FALSE)

// Checksum is the CRC-16/CCITT-FALSE of b, the frame check of the link.
func Checksum(b []byte) uint16 { return crc16.Checksum(b, crcTable) }

// crcUpdate continues a running checksum over b.
func crcUpdate(crc uint16, b []byte) uint16 { return crc16.Update(crc, b, crcTable) }

// crcInit is the checksum of no bytes so far.
func crcInit() uint16 { return crc16.Init(crcTable) }

// crcComplete finishes a running checksum.
func crcComplete(crc uint16) uint16 { return crc16.Complete(crc, crcTable) }
