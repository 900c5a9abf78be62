package main

import (
	"context"
	"fmt"

	"github.com/rramtwin/rramtwin/driver"
)

const portsUsage = `[-json] [-vid VID -pid PID]

Lists the serial ports with their USB VID, PID and serial number, and
whether each is a known board. Pseudo-terminals (virtual boards) are not
listed.`

func runPorts(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "ports", portsUsage)
	vid := fs.String("vid", "", "USB vendor id of your board (hex; default: the known boards)")
	pid := fs.String("pid", "", "USB product id of your board (hex)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError{fmt.Sprintf("ports: unexpected argument %q", pos[0])}
	}
	ports, err := driver.Ports(driver.Config{VID: *vid, PID: *pid})
	if err != nil {
		return err
	}
	if ports == nil {
		ports = []driver.Port{}
	}
	if c.json {
		return printJSON(e.stdout, ports)
	}
	if len(ports) == 0 {
		fmt.Fprintln(e.stdout, "no serial ports")
	}
	for _, p := range ports {
		known := ""
		if p.Known {
			known = "  <- " + p.Board
		}
		if p.IsUSB {
			fmt.Fprintf(e.stdout, "%-16s USB %s:%s serial %q%s\n", p.Name, p.VID, p.PID, p.SerialNumber, known)
		} else {
			fmt.Fprintf(e.stdout, "%-16s\n", p.Name)
		}
	}
	return nil
}
