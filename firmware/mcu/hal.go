//go:build tinygo

package main

import (
	"github.com/rramtwin/rramtwin/firmware"
	"github.com/rramtwin/rramtwin/protocol"
)

// boardHAL returns the board's HAL. A board port replaces arrayHAL's
// methods with its DAC, switch-matrix and ADC drivers (SPI/I²C through
// machine); until then the board answers hello and status and refuses
// every array operation with StatusHardware, so a host sees a board with
// no array attached rather than a silent one.
func boardHAL() firmware.HAL { return arrayHAL{} }

type arrayHAL struct{}

func (arrayHAL) Info(h *protocol.HelloReply) {
	h.Macros, h.Rows, h.Cols = 1, 512, 512
	h.ADCBits, h.ReadMV = 8, 200
	h.Firmware = protocol.MakeText("rramtwin-mcu 0.1 (no array)")
}

func (arrayHAL) Configure(protocol.Configure) protocol.Status { return protocol.StatusHardware }

func (arrayHAL) Form(protocol.Region, protocol.FormPulse, *protocol.FormSummary) protocol.Status {
	return protocol.StatusHardware
}

func (arrayHAL) Program(protocol.Region, []uint16, protocol.ProgramParams, []int32, *protocol.ProgramSummary) (int, protocol.Status) {
	return 0, protocol.StatusHardware
}

func (arrayHAL) Read(protocol.Region, []uint16) protocol.Status { return protocol.StatusHardware }

func (arrayHAL) MAC(protocol.Region, int, int, []uint8, []uint64, []int32, []int64) protocol.Status {
	return protocol.StatusHardware
}

func (arrayHAL) Status(*protocol.StatusReply) protocol.Status { return protocol.StatusOK }
