//go:build tinygo

// Command mcu is the firmware entry point for a microcontroller board built
// with TinyGo: it binds the board's serial port (USB-CDC or a UART) to the
// protocol handler. It is built only where a TinyGo toolchain exists
// (tinygo flash -target=<board> ./firmware/mcu); plain `go build ./...`
// skips it.
//
// The loop never blocks on a whole frame: TinyGo's USB-CDC Read returns
// what is buffered, so the loop feeds whatever has arrived, runs one step
// of a queued job, and idles briefly when there is nothing to do. Keep DTR
// asserted on the host: TinyGo's CDC drops output while DTR is low.
package main

import (
	"machine"
	"time"

	"github.com/rramtwin/rramtwin/firmware"
)

// Buffers sized for an MCU with ~256 KiB of RAM: one 32×512 read or
// program window at a time, batches of a few hundred vectors.
var cfg = firmware.Config{
	StageBytes:  16 << 10,
	InputElems:  32 << 10,
	ResultElems: 8 << 10,
	ReplaySlots: 4,
	MaxCells:    32 * 512,
}

func main() {
	port := machine.Serial
	port.Configure(machine.UARTConfig{BaudRate: 1000000}) // ignored by USB-CDC
	if n, err := machine.GetRNG(); err == nil && n != 0 {
		cfg.BoardNonce = n // a new nonce each power-up tells the host the board rebooted
	}
	h, err := firmware.NewHandler(boardHAL(), port, cfg)
	if err != nil {
		for {
			time.Sleep(time.Second) // nothing to serve: the HAL reports no chip
		}
	}
	var buf [64]byte
	for {
		n := 0
		for n < len(buf) && port.Buffered() > 0 {
			b, err := port.ReadByte()
			if err != nil {
				break
			}
			buf[n] = b
			n++
		}
		if n > 0 {
			_ = h.Feed(buf[:n]) // a write error means the host went away; keep serving
		}
		if !h.Poll() && n == 0 {
			time.Sleep(50 * time.Microsecond)
		}
	}
}
