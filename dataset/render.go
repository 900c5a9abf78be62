package dataset

import (
	"image"
	"image/color"
)

// Render draws a sample: for a camera, frames side by side (events of each
// time slice accumulated, ON green, OFF magenta, scale px per pixel); for a
// cochlea, a raster (time left to right in 1 ms columns, channel 0 at the
// top, scale px rows per channel). frames ≤ 0 means 6.
func Render(s Sample, sh Shape, frames, scale int) image.Image {
	if scale <= 0 {
		scale = 8
	}
	if sh.Kind == KindCochlea {
		return renderRaster(s, sh, max(scale/2, 1))
	}
	if frames <= 0 {
		frames = 6
	}
	var dur int64 = 1
	if n := len(s.Events); n > 0 {
		dur = s.Events[n-1].T + 1
	}
	w, h := sh.Width, sh.Height
	gap := 2
	img := image.NewRGBA(image.Rect(0, 0, frames*(w*scale+gap)-gap, h*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	on := make([]int, frames*w*h)
	off := make([]int, frames*w*h)
	for _, e := range s.Events {
		f := int(e.T * int64(frames) / dur)
		a := f*w*h + int(e.Y)*w + int(e.X)
		if int(e.X) >= w || int(e.Y) >= h {
			continue
		}
		if e.P == 1 {
			on[a]++
		} else {
			off[a]++
		}
	}
	for f := range frames {
		x0 := f * (w*scale + gap)
		for y := range h {
			for x := range w {
				a := f*w*h + y*w + x
				c := color.RGBA{0, 0, 0, 255}
				if on[a]+off[a] > 0 {
					g := uint8(min(255, 80+60*on[a]))
					r := uint8(min(255, 80+60*off[a]))
					if on[a] == 0 {
						g = 0
					}
					if off[a] == 0 {
						r = 0
					}
					c = color.RGBA{r, g, r, 255}
				}
				for dy := range scale {
					for dx := range scale {
						img.SetRGBA(x0+x*scale+dx, y*scale+dy, c)
					}
				}
			}
		}
	}
	return img
}

func renderRaster(s Sample, sh Shape, scale int) image.Image {
	var dur int64 = 1
	if n := len(s.Events); n > 0 {
		dur = s.Events[n-1].T + 1
	}
	cols := int((dur + 999) / 1000)
	img := image.NewGray(image.Rect(0, 0, max(cols, 1), sh.Width*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for _, e := range s.Events {
		x := int(e.T / 1000)
		for dy := range scale {
			y := int(e.X)*scale + dy
			if y < img.Rect.Dy() {
				o := img.PixOffset(x, y)
				img.Pix[o] = uint8(max(0, int(img.Pix[o])-128))
			}
		}
	}
	return img
}
