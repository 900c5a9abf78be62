package main

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/rramtwin/rramtwin/bench"
	"github.com/rramtwin/rramtwin/internal/atomicfile"
	"github.com/rramtwin/rramtwin/macro"
)

func runCalibrate(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "calibrate", "-backend virtual|auto|PATH|model -out FILE [-base PRESET]")
	backend := fs.String("backend", "virtual", "the chip to measure: virtual, auto, a serial device path, or model")
	preset := fs.String("preset", "lin2025-40nm", "preset of the model or virtual board being measured")
	baseName := fs.String("base", "lin2025-40nm", "preset to start the fit from (values that cannot be measured are kept)")
	out := fs.String("out", "", "write the fitted preset (JSON) to this file")
	rows := span{0, 256}
	cols := span{0, 256}
	fs.Var(&rows, "rows", "rows to measure, A:B (cells must be pristine)")
	fs.Var(&cols, "cols", "columns to measure, C:D")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"calibrate: -out FILE is required"}
	}
	base, err := macro.LoadPreset(*baseName)
	if err != nil {
		return err
	}
	m, closeFn, err := openBackend(ctx, e, *backend, *preset, c.seed)
	if err != nil {
		return err
	}
	defer closeFn()
	cfg := bench.CalibrateConfig{Region: macro.Region{Row0: rows.lo, Row1: rows.hi, Col0: cols.lo, Col1: cols.hi}, Seed: c.seed}
	p, ms, err := bench.Calibrate(ctx, m, base, cfg)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(*out, func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(p.MarshalIndent()))
		return err
	}); err != nil {
		return err
	}
	if c.json {
		return printJSON(e.stdout, struct {
			Out  string     `json:"out"`
			Chip string     `json:"chip"`
			Fit  *macro.Fit `json:"fit"`
		}{*out, m.Info().ID, p.Fit})
	}
	fmt.Fprintf(e.stdout, "fitted %s over %d cells → %s\n", m.Info().ID, ms.Cells, *out)
	for _, f := range p.Fit.Params {
		fmt.Fprintf(e.stdout, "  %-36s %10.4g ± %.2g\n", f.Field, f.Value, f.StdErr)
	}
	return nil
}
