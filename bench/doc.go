// Package bench is where users get their answers: it calibrates the
// software twin to a chip, compares chip against model on the same
// experiment, reproduces the authors' tables (Paper) and reports
// performance (Perf).
//
// Everything here works through macro.Macro, so the chip may be the
// model, the virtual board or a real board; the model is the reference.
//
// Units: accuracies are fractions in the experiment reports and percent in
// the reproduction (PaperReport), beside the published percentages;
// throughputs per second of wall time (MVM/s, samples/s, requests/s), CPU
// time in µs; energies in J in experiment reports and nJ or pJ in the
// performance report, from the chip's ledger under its preset's energy
// constants (assumptions until a datasheet or a fit replaces them).
//
// Determinism: experiments draw every random number from internal/rng keyed
// by the seed, so accuracies are identical for any GOMAXPROCS; speeds are
// measurements of the machine and vary with it and its load (the CPU time
// per MVM does not depend on the load).
//
// Errors: one line naming the experiment and what failed. Data that is
// absent (real N-MNIST, FSDD) or a chip that cannot take a row (one macro
// for association) is not an error: the row says why it was skipped. A
// cancelled context stops any run with the context's error.
package bench
