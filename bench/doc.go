// Package bench is where users get their answers: it calibrates the
// software twin to a chip, compares chip against model on the same
// experiment, and reports performance.
//
// Everything here works through macro.Macro, so the chip may be the
// model, the virtual board or a real board; the model is the reference.
package bench
