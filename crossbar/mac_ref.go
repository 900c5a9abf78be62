package crossbar

import (
	"math"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// macRef is the plain scalar reference MAC: column by column, row by row
// over the whole region, one vector at a time, with explicit float64
// conversions so no multiply-add is fused. The fast path (MAC) must equal
// it bit for bit; it shares only convert (the ADC, tested on its own) and
// the IR solvers (tested against each other and against Kirchhoff's laws).
func (a *Array) macRef(r Region, in Inputs, out *Outputs, s rng.Stream) error {
	if err := a.checkInputs(r, &in); err != nil {
		return err
	}
	out.grow(in.N, r.Cols())
	rows, cols := r.Rows(), r.Cols()
	vs := a.p.Read.VoltageV * 1e-6
	noise := a.p.Read.Noise
	rr, kap := a.noiseCoef()
	ws := getWorkspace(a.cols, a.rows)
	defer wsPool.Put(ws)
	for v := range in.N {
		sv := s.Sub(in.noiseKey(v))
		codes := out.Codes[v*cols : (v+1)*cols]
		cur := out.Currents[v*cols : (v+1)*cols]
		var reads, clipped int32
		var sumG float64
		planes := 1
		if in.Analog == nil && in.Bits > 1 && in.Encoding == BitSerial {
			planes = in.Bits
		}
		// drive returns row i's weight in plane pl (0 = off).
		drive := func(pl, i int) float64 {
			switch {
			case in.Analog != nil:
				return float64(in.Analog[v*rows+i])
			case in.Bits == 1:
				if in.Values[v*rows+i] != 0 {
					return 1
				}
				return 0
			case in.Encoding == BitSerial:
				return float64(in.Values[v*rows+i] >> pl & 1)
			}
			return float64(in.Values[v*rows+i])
		}
		binary := in.Analog == nil && (in.Bits == 1 || in.Encoding == BitSerial)
		for pl := range planes {
			p := plane{index: pl, binary: binary, shift: 1, fsMul: 1, energy: 1}
			if in.Analog != nil {
				p.energy = 2
			}
			if in.Analog == nil && in.Bits > 1 {
				if in.Encoding == BitSerial {
					p.bit, p.shift = pl, float64(int(1)<<pl)
				} else {
					p.fsMul = float64(int(1)<<in.Bits - 1)
				}
			}
			// Active rows (for the IR solvers and the energy weight).
			ws.rows, ws.w = ws.rows[:0], ws.w[:0]
			for i := range rows {
				if w := drive(pl, i); w != 0 {
					ws.rows = append(ws.rows, int32(i))
					ws.w = append(ws.w, w)
					if in.Analog == nil && !binary {
						reads += int32(w)
					} else {
						reads++
					}
				}
			}
			acc := ws.acc[:cols]
			for j := range cols {
				var sum, vsum float64
				for i := range rows {
					w := drive(pl, i)
					if w == 0 {
						continue
					}
					k := (r.Row0+i)*a.cols + r.Col0 + j
					y := float64(a.g[k])
					if binary {
						sum = sum + y
						vsum = vsum + cellVar(rr, kap, y)
					} else {
						sum = sum + float64(w*y)
						vsum = vsum + float64(float64(w*w)*cellVar(rr, kap, y))
					}
				}
				acc[j] = sum
				ws.vacc[j] = vsum
				if binary && rr == 0 {
					ws.vacc[j] = float64(kap * sum)
				}
			}
			var w2 float64
			for _, w := range ws.w {
				w2 = w2 + float64(w*w)
			}
			if p.energy == 1 {
				for _, x := range acc {
					sumG += x
				}
			} else {
				// Row by row, as the energy is a per-row quantity.
				for k, i := range ws.rows {
					var row float64
					for j := range cols {
						row = row + float64(a.g[(r.Row0+int(i))*a.cols+r.Col0+j])
					}
					sumG += float64(float64(ws.w[k]*ws.w[k]) * row)
				}
			}
			if a.p.IR.Mode != IRNone {
				if err := a.irPlane(ws, r, p, &in, v); err != nil {
					return err
				}
			}
			sp := sv.Sub(uint64(pl) + 1)
			fs := a.fs * p.fsMul
			// cellNoise is column j's per-cell reference noise.
			cellNoise := func(j int) float64 {
				var n float64
				for i := range rows {
					w := drive(pl, i)
					if w == 0 {
						continue
					}
					k := (r.Row0+i)*a.cols + r.Col0 + j
					n = n + float64(w*float64(math.Sqrt(float64(a.vr[k]))*normal(sp, uint64(k))))
				}
				return n
			}
			if pl == 0 {
				clear(codes)
				clear(cur)
			}
			if a.differential() {
				// One signed conversion per pair of columns, of
				// I_2k − I_2k+1, reported on column 2k.
				for k := range cols / 2 {
					j := 2 * k
					var x float64
					switch noise {
					case NoiseOutput:
						x = acc[j] - acc[j+1]
						x += float64(math.Sqrt(a.colVar(ws.vacc[j]+ws.vacc[j+1], float64(2*w2))) * normal(sv, uint64(pl*a.cols+r.Col0/2+k)))
					case NoiseCell:
						x = (acc[j] + cellNoise(j)) - (acc[j+1] + cellNoise(j+1))
					default:
						x = acc[j] - acc[j+1]
					}
					c, d, cl := a.convert(float64(vs*x), r.Col0+j, fs)
					codes[j] += c << p.bit
					cur[j] += float64(d * p.shift)
					if cl {
						clipped++
					}
				}
				continue
			}
			for j := range cols {
				x := acc[j]
				switch noise {
				case NoiseOutput:
					x += float64(math.Sqrt(a.colVar(ws.vacc[j], w2)) * normal(sv, uint64(pl*a.cols+r.Col0+j)))
				case NoiseCell:
					x += cellNoise(j)
				}
				c, d, cl := a.convert(float64(vs*x), r.Col0+j, fs)
				codes[j] += c << p.bit
				cur[j] += float64(d * p.shift)
				if cl {
					clipped++
				}
			}
		}
		out.Reads[v] = reads
		out.SumGUS[v] = sumG
		out.Conversions[v] = int32(planes * a.ConversionsPerRead(cols))
		out.Clipped[v] = clipped
	}
	return nil
}
