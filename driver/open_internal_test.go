package driver

import "testing"

func TestIdentify(t *testing.T) {
	k := KnownBoards[0]
	if _, ok := identify(Config{}, k.VID, k.PID); !ok {
		t.Errorf("%s:%s not recognised", k.VID, k.PID)
	}
	if _, ok := identify(Config{}, "0403", "6001"); ok {
		t.Error("an FTDI adapter taken for a board")
	}
	if _, ok := identify(Config{VID: "0403", PID: "6001"}, "0403", "6001"); !ok {
		t.Error("the configured VID/PID not recognised")
	}
	if _, ok := identify(Config{VID: "0403"}, k.VID, k.PID); ok {
		t.Error("a configured VID must replace the known boards")
	}
}

func TestPortsSkipsNothingButEmptyNames(t *testing.T) {
	ps, err := Ports(Config{})
	if err != nil {
		t.Skip("no port enumeration here: ", err)
	}
	for _, p := range ps {
		if p.Name == "" {
			t.Error("a port with an empty name was listed")
		}
	}
}
