// Package lsm is the liquid state machine of rramtwin and the digital
// learning on top of it (DESIGN §3): event framing, a fixed random spiking
// reservoir whose multiply-accumulates run on a macro (or in software), and
// trainable projections in Go — linear probe, MLP, CLIP-style contrastive
// heads and prototypical networks — with honest evaluation.
//
// # Reservoir
//
// Discrete leaky integrate-and-fire, one recurrent layer, no biases:
//
//	mem_t = Decay·mem_{t−1}·(1 − s_{t−1}) + W_inᵀ x_t + W_recᵀ s_{t−1}
//	s_t   = [mem_t > Threshold]        (strict)
//
// from mem = s = 0; the feature of a sample is each neuron's spike count
// over its Steps (or, beyond the paper, over each of Config.Bins equal
// parts of them). The Config presets NMNIST, Audio, AssocVision and
// AssocAudio carry the authors' per-task constants.
//
// Two Encoder backends:
//   - Gauss, the authors' software model: W = Const·N(μ, σ²) with μ, σ the
//     measured differential-conductance statistics in µS (input
//     N(0.0016, 6.61²), recurrent N(0.0061, 6.67²)), drawn from
//     internal/rng streams keyed by (seed, "lsm/gauss/<preset>/w_in" or
//     "/w_rec", row-major index); an ideal float64 MAC, event-driven (a step
//     adds one weight row per active input and per neuron that spiked at
//     the previous step).
//   - Macro, the reservoir on a chip seen through the one-method MAC
//     interface: a region laid out by Layout (rows = inputs then neurons,
//     columns = G⁺, G⁻ per neuron), the MAC input of step t being
//     (x_t, s_{t−1}); ΔG_j = (I[2j] − I[2j+1]) / ReadV * 1e6 in µS and the
//     neuron input is Const·ΔG_j, exactly macro.LSMRun's arithmetic with
//     Scale = Const. When the chip implements macro.LSMRunner the whole
//     sample runs there instead; both must give the same counts.
//
// # Learning
//
// Classify trains a readout (linear probe or MLP, softmax cross-entropy,
// Adam or AdamW, mini-batches) on standardised features (statistics from
// the training part only), selects the epoch on a stratified validation
// split carved from the training data, and scores the test set once:
// accuracy, per-class accuracy and the confusion matrix; beyond the paper,
// ClassifyAugmented adds augmented copies of the training samples (never
// of validation samples) and TrainConfig.Log reads ln(1 + count). Associate pairs
// audio and vision samples by index within class, trains one projection
// per modality with the symmetric contrastive loss (fixed or learnable
// temperature; identity, soft or class-aware targets) on the seen classes, and reports top-1 retrieval by dot
// product in both directions on seen and unseen classes, next to a
// prototypical-network baseline on the same features.
//
// # Units
//
// Event times µs; conductances µS; read voltage V; chip currents A; weights
// in the reservoir's own units (µS × Const). Features are spike counts.
//
// # Determinism and concurrency
//
// Every random draw (weights, initialisation, splits, shuffles) comes from
// internal/rng keyed by (seed, purpose, index). EncodeBatch gives sample i
// the sample index i, whatever the worker count, so features are identical
// for any GOMAXPROCS; a macro backend runs samples concurrently too, since
// the encoder keys each vector's read noise by (sample, step). Training is single-threaded and bit-reproducible for a
// seed on one platform. Gauss and Macro encoders are safe for concurrent
// use; MLP and Adam values are not.
//
// # Errors
//
// Functions return one-line errors naming what was wrong and where
// ("lsm: nmnist: raster has 12 values, want steps×inputs = 50×256"); chip
// errors are wrapped so errors.Is finds the macro sentinels. Low-level
// kernels (Linear, MLP, SoftmaxCE) panic with an "lsm:" message on misuse
// such as short slices, as gonum does.
//
// # Feature cache
//
// Cache stores encoded features on disk keyed by (data set spec, backend,
// device preset, seed, framing, reservoir config, and the sensor model
// that synthesized the events when one did), written atomically;
// EncodeCached encodes only on a miss.
package lsm
