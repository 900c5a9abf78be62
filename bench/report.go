package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/rramtwin/rramtwin/internal/atomicfile"
	"github.com/rramtwin/rramtwin/macro"
)

// The files WriteReport writes into its directory.
const (
	ReportJSON        = "report.json"
	ReportMarkdown    = "report.md"
	PlotAccuracy      = "accuracy.png"
	PlotConductance   = "conductance.png"
	PlotMACScatter    = "mac_scatter.png"
	PlotSpikeRaster   = "spike_raster.png"
	reportPlotWidthIn = 7
)

// writeFile writes one report file; tests replace it to interrupt a run.
var writeFile = atomicfile.Write

var (
	colSoftware = color.RGBA{R: 70, G: 110, B: 200, A: 255}
	colHardware = color.RGBA{R: 210, G: 90, B: 50, A: 255}
)

// WriteReport writes r into dir: the plots, report.md, and last
// report.json. Every file is written atomically (temporary file, then
// rename), and a report.json left by an earlier run is removed first, so
// an interrupted run never leaves a report.json that looks complete: if
// report.json exists, every other file of the report is from the same run.
func WriteReport(dir string, r CompareReport) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.Remove(filepath.Join(dir, ReportJSON)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("report: removing the previous %s: %w", ReportJSON, err)
	}
	plots := []struct {
		name string
		make func(CompareReport) (*vgimg.Canvas, error)
	}{
		{PlotAccuracy, accuracyPlot},
		{PlotConductance, conductancePlot},
		{PlotMACScatter, macScatterPlot},
		{PlotSpikeRaster, rasterPlot},
	}
	for _, p := range plots {
		c, err := p.make(r)
		if err != nil {
			return fmt.Errorf("report: %s: %w", p.name, err)
		}
		if err := writeFile(filepath.Join(dir, p.name), func(w io.Writer) error {
			_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
			return err
		}); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if err := writeFile(filepath.Join(dir, ReportMarkdown), func(w io.Writer) error {
		_, err := io.WriteString(w, Markdown(r))
		return err
	}); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeFile(filepath.Join(dir, ReportJSON), func(w io.Writer) error {
		_, err := w.Write(js.Bytes())
		return err
	}); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func canvas(ps [][]*plot.Plot, wIn, hIn float64) *vgimg.Canvas {
	img := vgimg.New(vg.Length(wIn)*vg.Inch, vg.Length(hIn)*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(ps), Cols: len(ps[0]), PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 4,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2}
	cs := plot.Align(ps, tiles, dc)
	for i, row := range ps {
		for j, p := range row {
			p.Draw(cs[i][j])
		}
	}
	return img
}

// accuracyPlot: grouped bars, software and chip, overall and per class
// (association: seen and unseen).
func accuracyPlot(r CompareReport) (*vgimg.Canvas, error) {
	names := []string{"all"}
	sw, hw := plotter.Values{100 * r.Software.Accuracy}, plotter.Values{100 * r.Hardware.Accuracy}
	if r.Software.UnseenAccuracy != nil && r.Hardware.UnseenAccuracy != nil {
		names = []string{"seen", "unseen"}
		sw = append(sw, 100**r.Software.UnseenAccuracy)
		hw = append(hw, 100**r.Hardware.UnseenAccuracy)
	}
	for k := range min(len(r.Software.PerClass), len(r.Hardware.PerClass)) {
		names = append(names, fmt.Sprint(k))
		sw = append(sw, 100*r.Software.PerClass[k])
		hw = append(hw, 100*r.Hardware.PerClass[k])
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s accuracy: software vs chip (gap %+.1f pt)", r.Task, r.GapPt)
	p.Y.Label.Text = "test accuracy (%)"
	p.Y.Min, p.Y.Max = 0, 100
	w := vg.Points(min(18, 200/float64(len(names))))
	a, err := plotter.NewBarChart(sw, w)
	if err != nil {
		return nil, err
	}
	b, err := plotter.NewBarChart(hw, w)
	if err != nil {
		return nil, err
	}
	a.Color, a.Offset = colSoftware, -w/2
	b.Color, b.Offset = colHardware, w/2
	a.LineStyle.Width, b.LineStyle.Width = 0, 0
	p.Add(a, b)
	p.Legend.Add("LSM (software, "+r.Software.Backend+")", a)
	p.Legend.Add("LSM (chip, "+r.Hardware.Backend+")", b)
	p.Legend.Top = true
	p.NominalX(names...)
	return canvas([][]*plot.Plot{{p}}, reportPlotWidthIn+2, 4), nil
}

// conductancePlot: the two maps' histograms as step outlines over shared bins.
func conductancePlot(r CompareReport) (*vgimg.Canvas, error) {
	h := r.Conductance.Hist
	if len(h.Edges) < 2 {
		return nil, errors.New("no conductance histogram")
	}
	step := func(counts []int) plotter.XYs {
		xy := make(plotter.XYs, 0, 2*len(counts))
		for k, c := range counts {
			xy = append(xy, plotter.XY{X: h.Edges[k], Y: float64(c)}, plotter.XY{X: h.Edges[k+1], Y: float64(c)})
		}
		return xy
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("conductances of %v (KS %.3g)", r.Conductance.Region, r.Conductance.KS)
	p.X.Label.Text = "G (µS)"
	p.Y.Label.Text = "cells"
	model, err := plotter.NewLine(step(h.Model))
	if err != nil {
		return nil, err
	}
	model.Color, model.Width = colSoftware, vg.Points(2.5)
	chip, err := plotter.NewLine(step(h.Chip))
	if err != nil {
		return nil, err
	}
	chip.Color, chip.Width = colHardware, vg.Points(1.2)
	chip.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	p.Add(model, chip)
	p.Legend.Add("model chip ("+r.Conductance.ModelPreset+")", model)
	p.Legend.Add("chip read-back", chip)
	p.Legend.Top = true
	p.Legend.Left = true
	return canvas([][]*plot.Plot{{p}}, reportPlotWidthIn, 4.5), nil
}

// macScatterPlot: measured against predicted code, with the identity line.
func macScatterPlot(r CompareReport) (*vgimg.Canvas, error) {
	m := r.MAC
	xy := make(plotter.XYs, len(m.Predicted))
	for k := range xy {
		xy[k] = plotter.XY{X: m.Predicted[k], Y: m.Measured[k]}
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("MAC: chip vs predicted ADC code (RMSE %.3g LSB, bias %+.3g, r %.5f)", m.RMSE, m.Bias, m.Corr)
	p.X.Label.Text = "predicted code (read-back G, nominal ADC)"
	p.Y.Label.Text = "measured code"
	if len(xy) > 0 {
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle.Radius = vg.Points(1)
		s.GlyphStyle.Color = color.NRGBA{R: 210, G: 90, B: 50, A: 90}
		p.Add(s)
	}
	top := float64(int(1)<<max(m.Bits, 1) - 1)
	id, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: top, Y: top}})
	if err != nil {
		return nil, err
	}
	id.Color = color.Black
	p.Add(id)
	return canvas([][]*plot.Plot{{p}}, 6, 6), nil
}

// rasterPlot: the spike trains of one sample, software above chip.
func rasterPlot(r CompareReport) (*vgimg.Canvas, error) {
	ra := r.Raster
	panel := func(title string, train []uint8, c color.Color) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text = "time step"
		p.Y.Label.Text = "neuron"
		p.X.Min, p.X.Max = -0.5, float64(ra.Steps)-0.5
		p.Y.Min, p.Y.Max = -0.5, float64(ra.Neurons)-0.5
		var xy plotter.XYs
		for k, s := range train {
			if s != 0 {
				xy = append(xy, plotter.XY{X: float64(k / ra.Neurons), Y: float64(k % ra.Neurons)})
			}
		}
		if len(xy) > 0 {
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle.Shape = draw.BoxGlyph{}
			sc.GlyphStyle.Radius = vg.Points(1.2)
			sc.GlyphStyle.Color = c
			p.Add(sc)
		}
		return p, nil
	}
	a, err := panel(fmt.Sprintf("software (%s): test sample %d, label %d, %d spikes", r.Software.Backend, ra.Sample, ra.Label, ra.SoftwareSpikes), ra.Software, colSoftware)
	if err != nil {
		return nil, err
	}
	b, err := panel(fmt.Sprintf("chip (%s): same sample, %d spikes", r.Hardware.Backend, ra.HardwareSpikes), ra.Hardware, colHardware)
	if err != nil {
		return nil, err
	}
	return canvas([][]*plot.Plot{{a}, {b}}, reportPlotWidthIn, 9), nil
}

// Markdown is the human report of r.
func Markdown(r CompareReport) string {
	var b strings.Builder
	pct := func(x float64) string { return fmt.Sprintf("%.2f %%", 100*x) }
	fmt.Fprintf(&b, "# rramtwin compare: %s\n\n", r.Task)
	fmt.Fprintf(&b, "Chip `%s` (preset `%s`), seed %d, data %s. Software side: %s.\n\n", r.Chip, r.Preset, r.Seed,
		"`"+strings.Join(r.Data, "`, `")+"`", map[bool]string{
			false: "the paper's \"LSM (software)\", gauss weights drawn independently with the measured statistics",
			true:  "the chip's twin, gauss on the weights read back from the formed chip"}[r.SoftwareTwin])
	b.WriteString("## Accuracy\n\n")
	if r.Software.UnseenAccuracy != nil && r.Hardware.UnseenAccuracy != nil {
		b.WriteString("| audio searches image | LSM (software) | LSM (chip) | gap (pt) |\n|---|---:|---:|---:|\n")
		fmt.Fprintf(&b, "| seen classes | %s | %s | %+.2f |\n", pct(r.Software.Accuracy), pct(r.Hardware.Accuracy), r.GapPt)
		fmt.Fprintf(&b, "| unseen classes | %s | %s | %+.2f |\n\n", pct(*r.Software.UnseenAccuracy), pct(*r.Hardware.UnseenAccuracy), *r.UnseenGapPt)
	} else {
		b.WriteString("| | LSM (software) | LSM (chip) | gap (pt) |\n|---|---:|---:|---:|\n")
		fmt.Fprintf(&b, "| test accuracy (%d samples) | %s | %s | %+.2f ± %.2f |\n", r.TestN, pct(r.Software.Accuracy), pct(r.Hardware.Accuracy), r.GapPt, r.GapSEPt)
		for k := range min(len(r.Software.PerClass), len(r.Hardware.PerClass), len(r.PerClassGapPt)) {
			fmt.Fprintf(&b, "| class %d | %s | %s | %+.2f |\n", k, pct(r.Software.PerClass[k]), pct(r.Hardware.PerClass[k]), r.PerClassGapPt[k])
		}
		fmt.Fprintf(&b, "\nThe two sides label %.1f %% of the test samples alike; ± is the paired standard error of the gap.\n\n", 100*r.Agreement)
	}
	b.WriteString("## Spikes, energy and speed\n\n| | LSM (software) | LSM (chip) |\n|---|---:|---:|\n")
	fmt.Fprintf(&b, "| spikes per sample | %.1f | %.1f |\n", r.Software.SpikesPerSample, r.Hardware.SpikesPerSample)
	fmt.Fprintf(&b, "| energy per inference (chip ledger) | – | %s |\n", joules(r.Hardware.EnergyJPerInference))
	fmt.Fprintf(&b, "| encode samples/s | %.0f | %.0f |\n\n", r.Software.EncodeSamplesPerS, r.Hardware.EncodeSamplesPerS)
	m := r.MAC
	b.WriteString("## MAC error\n\n")
	fmt.Fprintf(&b, "%d seeded random spike vectors through %v (%d conversions); the prediction is the ideal current V·ΣG of the read-back map through the nominal %d-bit transfer (LSB %.4g µA)", m.Vectors, m.Region, m.Samples, m.Bits, m.LSBA*1e6)
	if m.NominalFS {
		b.WriteString("; the chip's ADC is ideal, so its currents go through the same nominal transfer")
	}
	b.WriteString(".\n\n| RMSE (LSB) | bias (LSB) | σ (LSB) | max \\|error\\| (LSB) | correlation | RMSE (µA) | clipped |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| %.4g | %+.4g | %.4g | %.4g | %.6f | %.4g | %.2f %% |\n\n", m.RMSE, m.Bias, m.Std, m.MaxAbs, m.Corr, m.RMSEuA, 100*m.Clipped)
	c := r.Conductance
	b.WriteString("## Conductances\n\n")
	fmt.Fprintf(&b, "Read-back map of %v against a fresh model chip of preset `%s` formed and read the same way; two-sample KS distance %.4g.\n\n", c.Region, c.ModelPreset, c.KS)
	b.WriteString("| | cells | faulty | mean G (µS) | σ G (µS) | mean G⁺−G⁻ (µS) | σ G⁺−G⁻ (µS) |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, row := range []struct {
		name string
		ms   macro.MapStats
	}{{"chip", c.Chip}, {"model", c.Model}} {
		ms := row.ms
		fmt.Fprintf(&b, "| %s | %d | %d | %.3f | %.3f | %+.3f | %.3f |\n", row.name, ms.Cells, ms.Faulty, ms.GMeanUS, ms.GStdUS, ms.DiffMeanUS, ms.DiffStdUS)
	}
	b.WriteString("\n## Plots\n\n")
	for _, p := range []struct{ file, what string }{
		{PlotAccuracy, "accuracy, software vs chip"},
		{PlotConductance, "conductance histograms, chip vs model"},
		{PlotMACScatter, "MAC error: measured vs predicted code"},
		{PlotSpikeRaster, "reservoir spikes of one sample"},
	} {
		fmt.Fprintf(&b, "![%s](%s)\n\n", p.what, p.file)
	}
	fmt.Fprintf(&b, "Run time %.1f s.\n", r.Seconds)
	return b.String()
}

func joules(j float64) string {
	switch {
	case j <= 0 || math.IsNaN(j):
		return "–"
	case j < 1e-6:
		return fmt.Sprintf("%.3g nJ", j*1e9)
	case j < 1e-3:
		return fmt.Sprintf("%.3g µJ", j*1e6)
	}
	return fmt.Sprintf("%.3g mJ", j*1e3)
}
