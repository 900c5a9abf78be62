// Package crossbar is the device physics of one RRAM crossbar array: the
// conductance map, electroforming, stochastic SET/RESET switching,
// write-verify programming, read noise, relaxation on a simulated clock,
// stuck cells, IR drop, the analogue multiply-accumulate (MAC) and the ADC.
//
// # Units
//
// Conductances are in microsiemens (µS) and stored as float32; voltages in
// volts, currents in amperes (float64), times in seconds, energies in joules.
// Cell index k = row·cols + col (row-major, stride = cols) over the whole
// array; a Region is a half-open window [Row0,Row1) × [Col0,Col1) and every
// per-cell slice a method takes or fills is row-major over the region.
//
// # Cell equations
//
// A pristine cell conducts G_pristine (≈ 0.1 µS). Cell k has a breakdown
// voltage V_bd,k = μ_bd + σ_bd·z_k (z standard normal). One forming pulse
// (V, width t, compliance I_cc) forms exactly the cells with V_bd,k < V that
// are not stuck off; a formed cell's conductance is
//
//	G_k = F⁻¹(u_k) of the preset law (normal N(μ_G, σ_G²) or log-normal with
//	      that mean and σ) truncated to [G_lo, min(G_hi, I_cc / V_C)]
//
// where V_C is the compliance voltage of the universal relation
// R_on = V_C / I_cc (the compliance caps the filament). Stuck-on cells that
// form land at G_stuck_on and never switch; stuck-off cells never form.
// Forming energy is V·I_cc·t per formed cell plus V²·G_pristine·t per pulsed
// cell that did not form.
//
// A SET (RESET) pulse of amplitude V and width t switches with probability
//
//	P = 1 / (1 + exp(−(V − V₅₀,k + κ·ln(t/t_ref)) / s))
//
// with V₅₀,k = V₅₀ + σ_d2d·z_k per cell (device-to-device spread) and, on
// success, moves G by
//
//	ΔG = ± ΔG₀ · exp((V − V₅₀,k)/V_step) · b(G) + σ_c2c·ξ
//
// where b is the soft bound (G_max,k − G)/(G_max,k − G_min) for SET and
// (G − G_min)/(G_max,k − G_min) for RESET, so after n pulses the
// cycle-to-cycle spread is σ_c2c·√n. G stays within [G_min, G_max,k]
// (G_max,k = G_max·(1 + σ_range·z_k)), snapped to Levels equally spaced
// levels when Levels ≥ 2. Write-verify ramps the voltage by a step per pulse
// in one direction and restarts the ramp when it overshoots.
//
// Relaxation: a cell written (formed or programmed) at clock time t_w with
// conductance G_w conducts, at clock time t,
//
//	G(t) = max(0, G_w + μ_r·L + σ_r·L·ξ_k,w),  L = ln(1 + (t − t_w)/t₀)
//
// with ξ a per-cell, per-write standard normal draw (so relaxation spread
// grows with log time and is the same however the clock is advanced).
//
// Read noise is per read: σ²_k = (ρ·G_k)² + κ·G_k + σ_floor² (relative,
// variance-linear as in aihwkit's PCM_READ, and constant terms; the
// lin2025-40nm preset uses κ and σ_floor). A per-cell read draws
// G_k + σ_k·ξ; the MAC's output-referred mode (the default) draws one normal
// per column with the variance Σ_active x_i²·σ²_ij, the exact law of the
// per-cell model's column sum for independent Gaussian cells, computed
// alongside the conductance sums (for spikes with ρ = 0 it is κ·Σ G + n·σ²_floor,
// free). Mode "cell" draws every active cell (the reference); "off" draws
// nothing. The draws use a ziggurat on the stateless stream hash
// (noise.go), exactly reproducible across Go releases.
//
// MAC: column current I_j = V_read·Σ_i x_i·G_ij (with IR drop: the wires'
// currents), then an ADC with B bits over [0, FS]: code = clamp(round(
// (g_j·I_j + o_j)/LSB), 0, 2^B − 1), LSB = FS/(2^B − 1), with per-column
// gain g_j = 1 + σ_g·z_j and offset o_j = σ_o·LSB·z_j; the dequantized
// current is code·LSB (the digital side does not know the mismatch). B = 0
// is the ideal ADC: no quantization, no clipping, no mismatch, codes 0.
// With differential sensing (ADC.Sense "differential") one ADC serves each
// column pair (2k, 2k+1) of the array and converts I_2k − I_2k+1 with
// one output-referred draw of the two columns' summed variance: code =
// clamp(round((g·ΔI + o)/LSB), −T, T), T = 2^(B−1) − 1, LSB = FS/T,
// reported on column 2k (2k+1 reads 0), one conversion per pair.
// The full scale is fixed (ADC.FullScaleA) or set by CalibrateADC from a
// profiling batch.
// Multi-bit inputs go bit-serial (one binary read and conversion per bit
// plane, digital shift-add) or as a pulse-width (x_i unit read pulses
// integrated in one conversion, full scale (2^Bits − 1)·FS, read noise
// correlated over the pulses); Analog inputs drive amplitudes x_i·V_read
// with an ideal DAC. Inactive rows are off: in a 1T1R array their access
// transistors are not driven, so spike MACs cost only the active rows.
// IR drop (ir.go) has three tiers: none, a first-order closed-form estimate
// and an exact nodal solve of the wire network.
//
// # Determinism
//
// A seed is a chip. Every per-cell property (breakdown voltage, stuck masks,
// formed-conductance draw, switching parameters, relaxation draws) and every
// per-column ADC mismatch is a stateless hash of (seed, purpose, index), so the
// same seed forms the same chip whatever the order, region sizes or worker
// count. Operational randomness (read noise, switching outcomes) comes from
// the rng.Stream the caller passes: vector v of a MAC batch draws from
// s.Sub(Inputs.First + v) and cell k of a Program or Read from index k, so
// results are bit-identical for any batch split, region split, GOMAXPROCS or
// worker count.
//
// # Concurrency
//
// Methods that change the array (Form, Pulse, Program, Advance,
// CalibrateADC, Set*) must not run concurrently with anything else. MAC, Read, Conductance and the other
// read-only methods may run concurrently with each other: every cache they
// use is rebuilt eagerly when the state changes.
//
// # Errors
//
// Methods return errors, never panic, for arguments a caller can get wrong:
// regions out of range (ErrRegion), forming without compliance
// (ErrNoCompliance), out-of-limit pulses (*RangeError), bad inputs
// (ErrInputs), bad parameters (*ParamError). A failed call leaves the array
// unchanged. Internal kernels panic with a "crossbar: " message on misuse.
package crossbar
