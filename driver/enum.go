//go:build !darwin || cgo

package driver

import "go.bug.st/serial/enumerator"

// detailedPorts lists ports with their USB identity.
func detailedPorts() ([]portDetails, error) {
	list, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, err
	}
	out := make([]portDetails, 0, len(list))
	for _, d := range list {
		if d != nil {
			out = append(out, portDetails{Name: d.Name, IsUSB: d.IsUSB, VID: d.VID, PID: d.PID,
				SerialNumber: d.SerialNumber, Product: d.Product})
		}
	}
	return out, nil
}
