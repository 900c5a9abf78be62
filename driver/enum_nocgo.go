//go:build darwin && !cgo

package driver

import "go.bug.st/serial"

// detailedPorts lists ports by name only: go.bug.st/serial/enumerator
// needs cgo (IOKit) on macOS, so a cgo-free build recognises no board;
// open one by its path.
func detailedPorts() ([]portDetails, error) {
	names, err := serial.GetPortsList()
	if err != nil {
		return nil, err
	}
	out := make([]portDetails, len(names))
	for i, n := range names {
		out[i] = portDetails{Name: n}
	}
	return out, nil
}
