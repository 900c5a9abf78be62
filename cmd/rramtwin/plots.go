package main

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/rramtwin/rramtwin/internal/atomicfile"
)

// grid is a rows × cols map of values for a heat map.
type grid struct {
	rows, cols int
	v          []float32
}

func (g grid) Dims() (c, r int)   { return g.cols, g.rows }
func (g grid) Z(c, r int) float64 { return float64(g.v[r*g.cols+c]) }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// writeConductancePNG draws a heat map and a histogram of a conductance map
// (µS) side by side and writes them atomically to path.
func writeConductancePNG(path, title string, g []float32, rows, cols int) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range g {
		lo, hi = min(lo, float64(v)), max(hi, float64(v))
	}
	if hi <= lo {
		hi = lo + 1
	}
	pal := moreland.SmoothBlueRed()
	pal.SetMin(lo)
	pal.SetMax(hi)
	hm := plotter.NewHeatMap(grid{rows, cols, g}, pal.Palette(255))
	heat := plot.New()
	heat.Title.Text = title
	heat.X.Label.Text = "column"
	heat.Y.Label.Text = "row"
	heat.Add(hm)

	vals := make(plotter.Values, len(g))
	for i, v := range g {
		vals[i] = float64(v)
	}
	h, err := plotter.NewHist(vals, 80)
	if err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	h.FillColor = color.RGBA{R: 70, G: 110, B: 200, A: 255}
	hist := plot.New()
	hist.Title.Text = "conductance histogram"
	hist.X.Label.Text = "G (µS)"
	hist.Y.Label.Text = "cells"
	hist.Add(h)

	const w, ht = 12 * vg.Inch, 5 * vg.Inch
	img := vgimg.New(w, ht)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align([][]*plot.Plot{{heat, hist}}, tiles, dc)
	heat.Draw(canvases[0][0])
	hist.Draw(canvases[0][1])
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}
