package lsm

import (
	"testing"
)

func TestCameraFraming(t *testing.T) {
	f := CameraFraming{Duration: 1000}
	steps, inputs := f.Dims()
	if steps != 50 || inputs != 256 {
		t.Fatalf("dims %d×%d, want 50×256", steps, inputs)
	}
	ev := []Event{
		{T: 0, X: 9, Y: 9, P: 0},      // first pixel, bin 0
		{T: 5, X: 9, Y: 9, P: 0},      // same bin: binarised
		{T: 19, X: 10, Y: 9, P: 0},    // last µs of bin 0
		{T: 20, X: 10, Y: 9, P: 0},    // bin 1
		{T: 999, X: 24, Y: 24, P: 0},  // last pixel, last bin
		{T: 500, X: 24, Y: 9, P: 0},   // bin 25, column 15 of row 0
		{T: 500, X: 8, Y: 9, P: 0},    // left of the crop
		{T: 500, X: 25, Y: 9, P: 0},   // right of the crop
		{T: 500, X: 12, Y: 12, P: 1},  // other polarity
		{T: 1000, X: 12, Y: 12, P: 0}, // past the duration
		{T: -1, X: 12, Y: 12, P: 0},   // before the start
	}
	r, err := f.Frame(ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]bool{0*256 + 0: true, 0*256 + 1: true, 1*256 + 1: true, 49*256 + 255: true, 25*256 + 15: true}
	for i, v := range r {
		if (v == 1) != want[i] || v > 1 {
			t.Errorf("raster[%d] (step %d, input %d) = %d", i, i/256, i%256, v)
		}
	}
	// AnyPolarity takes the ON event too; the default duration spans to the last event.
	f = CameraFraming{Polarity: AnyPolarity, Steps: 2}
	r, _ = f.Frame([]Event{{T: 0, X: 9, Y: 9, P: 1}, {T: 99, X: 10, Y: 9, P: 0}}, r)
	if len(r) != 512 || r[0] != 1 || r[256+1] != 1 || r[1] != 0 {
		t.Errorf("any polarity / default duration: got %v %v %v", r[0], r[256+1], r[1])
	}
	// The whole sensor: centring gives offset 0.
	r, _ = CameraFraming{Size: 34, Steps: 1}.Frame([]Event{{T: 0, X: 0, Y: 1}}, nil)
	if len(r) != 34*34 || r[34] != 1 {
		t.Error("full-sensor framing misplaced")
	}
	if _, err := (CameraFraming{Polarity: 2}).Frame(nil, nil); err == nil {
		t.Error("polarity 2 accepted")
	}
	// No events: an all-zero raster.
	r, err = CameraFraming{}.Frame(nil, r)
	if err != nil || len(r) != 50*256 {
		t.Fatalf("empty recording: %d, %v", len(r), err)
	}
	for _, v := range r {
		if v != 0 {
			t.Fatal("empty recording gave spikes")
		}
	}
}

func TestCochleaFraming(t *testing.T) {
	// Last event in ms bin 9: D = 10 bins. With T = 6 chunks are ⌈10/6⌉ = 2
	// bins wide, so only 5 chunks exist (torch.chunk) and row 5 is padding.
	f := CochleaFraming{Steps: 6}
	ev := []Event{
		{T: 0, X: 3},
		{T: 1500, X: 3},  // bin 1, chunk 0 again: binarised
		{T: 2000, X: 3},  // bin 2, chunk 1
		{T: 9999, X: 63}, // bin 9, chunk 4
		{T: 5000, X: 64}, // no such channel
	}
	r, err := f.Frame(ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 6*64 {
		t.Fatalf("raster has %d values", len(r))
	}
	want := map[int]bool{0*64 + 3: true, 1*64 + 3: true, 4*64 + 63: true}
	for i, v := range r {
		if (v == 1) != want[i] || v > 1 {
			t.Errorf("raster[%d] (chunk %d, channel %d) = %d", i, i/64, i%64, v)
		}
	}
	// Short recordings are not stretched: D = 3 bins, T = 129 gives width 1.
	r, _ = CochleaFraming{}.Frame([]Event{{T: 2500, X: 0}}, nil)
	if len(r) != 129*64 || r[2*64] != 1 {
		t.Error("short recording misplaced")
	}
	if _, err := (CochleaFraming{BinUS: -1}).Frame(nil, nil); err == nil {
		t.Error("negative bin width accepted")
	}
}

func FuzzFraming(f *testing.F) {
	f.Add(int64(0), uint16(9), uint16(9), uint8(0), int64(1000))
	f.Add(int64(1<<62), uint16(65535), uint16(0), uint8(1), int64(0))
	f.Fuzz(func(t *testing.T, ts int64, x, y uint16, p uint8, dur int64) {
		ev := []Event{{T: ts, X: x, Y: y, P: p}, {T: ts / 2, X: x / 2, Y: y, P: p}}
		if r, err := (CameraFraming{Duration: dur}).Frame(ev, nil); err == nil && len(r) != 50*256 {
			t.Fatal("camera raster size")
		}
		if r, err := (CochleaFraming{}).Frame(ev, nil); err != nil || len(r) != 129*64 {
			t.Fatal("cochlea raster", err)
		}
	})
}
