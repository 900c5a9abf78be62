package driver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.bug.st/serial"

	"github.com/rramtwin/rramtwin/macro"
)

// USBID is the USB identity of a kind of board.
type USBID struct {
	VID, PID string // upper-case hex, as the enumerator reports them
	Name     string
}

// KnownBoards are the USB identities Open("auto") and Ports recognise.
// 1209:52A4 is the rramtwin reference board (a pid.codes open-hardware
// allocation placeholder until the board is registered).
var KnownBoards = []USBID{{VID: "1209", PID: "52A4", Name: "rramtwin reference board"}}

// Port is a serial port found by discovery.
type Port struct {
	Name         string `json:"name"`
	IsUSB        bool   `json:"usb"`
	VID          string `json:"vid,omitempty"`
	PID          string `json:"pid,omitempty"`
	SerialNumber string `json:"serial_number,omitempty"`
	Product      string `json:"product,omitempty"`
	Known        bool   `json:"known_board"`
	Board        string `json:"board,omitempty"`
}

// portDetails is what the enumerator reports about a port.
type portDetails struct {
	Name, VID, PID, SerialNumber, Product string
	IsUSB                                 bool
}

// Ports lists the serial ports of this machine with their USB identity,
// marking the known boards (cfg.VID/PID, or KnownBoards when empty).
// Pseudo-terminals (the virtual board) are never listed: give their path
// explicitly.
func Ports(cfg Config) ([]Port, error) {
	list, err := detailedPorts()
	if err != nil {
		return nil, fmt.Errorf("driver: listing serial ports: %w", err)
	}
	var out []Port
	for _, d := range list {
		if d.Name == "" { // Linux: a tty without a device node in sysfs
			continue
		}
		p := Port{Name: d.Name, IsUSB: d.IsUSB, VID: strings.ToUpper(d.VID), PID: strings.ToUpper(d.PID),
			SerialNumber: d.SerialNumber, Product: d.Product}
		if d.IsUSB {
			p.Board, p.Known = identify(cfg, p.VID, p.PID)
		}
		out = append(out, p)
	}
	return out, nil
}

func identify(cfg Config, vid, pid string) (string, bool) {
	if cfg.VID != "" || cfg.PID != "" {
		ok := (cfg.VID == "" || strings.EqualFold(cfg.VID, vid)) && (cfg.PID == "" || strings.EqualFold(cfg.PID, pid))
		return "configured board", ok
	}
	for _, k := range KnownBoards {
		if k.VID == vid && k.PID == pid {
			return k.Name, true
		}
	}
	return "", false
}

// Find returns the first known board's port (matching cfg.Serial when it
// is set), or "" if none is attached.
func Find(cfg Config) (string, error) {
	ports, err := Ports(cfg)
	if err != nil {
		return "", err
	}
	for _, p := range ports {
		if p.Known && (cfg.Serial == "" || cfg.Serial == p.SerialNumber) {
			return p.Name, nil
		}
	}
	return "", nil
}

// Auto is the device name that asks Open to discover a board.
const Auto = "auto"

// Open opens a chip. With dev = "auto" it opens the first known board
// found by Find and, when there is none, falls back to the software model
// (cfg.Preset, cfg.Seed), writing one line saying so to cfg.Log. Any other
// dev is a serial device path (a USB board or a virtual board's pty) and
// never falls back. The returned function releases the chip.
func Open(ctx context.Context, dev string, cfg Config) (macro.Macro, func() error, error) {
	cfg = cfg.withDefaults()
	if dev == Auto {
		path, err := Find(cfg)
		if err == nil && path != "" {
			b, err := OpenPort(ctx, path, cfg)
			if err != nil {
				return nil, nil, err
			}
			return b.AsMacro(), b.Close, nil
		}
		why := "no board attached"
		if err != nil {
			why = err.Error()
		}
		p, perr := macro.LoadPreset(cfg.Preset)
		if perr != nil {
			return nil, nil, perr
		}
		m, merr := macro.NewModel(p, cfg.Seed)
		if merr != nil {
			return nil, nil, merr
		}
		fmt.Fprintf(cfg.Log, "driver: %s; falling back to the software model (preset %s, seed %d)\n", why, p.Name, cfg.Seed)
		return m, func() error { return nil }, nil
	}
	b, err := OpenPort(ctx, dev, cfg)
	if err != nil {
		return nil, nil, err
	}
	return b.AsMacro(), b.Close, nil
}

// OpenPort opens the serial device at path, runs the handshake and returns
// the board; Close closes the port.
func OpenPort(ctx context.Context, path string, cfg Config) (*Board, error) {
	cfg = cfg.withDefaults()
	port, err := serial.Open(path, &serial.Mode{BaudRate: cfg.Baud})
	if err != nil {
		return nil, fmt.Errorf("driver: opening %s: %w", path, portError(err))
	}
	// Keep DTR asserted: USB-CDC firmware drops its output while DTR is
	// low. Pseudo-terminals reject modem-bit calls: not fatal.
	_ = port.SetDTR(true)
	var t Transport = &serialPort{Port: port}
	if cfg.Trace != nil {
		t = NewRecorder(t, cfg.Trace)
	}
	b, err := New(ctx, t, cfg)
	if err != nil {
		port.Close()
		return nil, fmt.Errorf("driver: %s: %w", path, err)
	}
	b.closer, b.name = port, path
	return b, nil
}

// serialPort is a serial.Port as a Transport (it already is one; the
// wrapper only documents that the (0, nil) timeout is handled by readTimeout).
type serialPort struct{ serial.Port }

func (p *serialPort) SetReadTimeout(d time.Duration) error { return p.Port.SetReadTimeout(d) }

func portError(err error) error {
	var pe *serial.PortError
	if errors.As(err, &pe) {
		switch pe.Code() {
		case serial.PortNotFound:
			return errors.New("no such device")
		case serial.PortBusy:
			return errors.New("port busy (another program has it open)")
		case serial.PermissionDenied:
			return errors.New("permission denied (add yourself to the dialout group)")
		}
		return errors.New(pe.EncodedErrorString())
	}
	return err
}
