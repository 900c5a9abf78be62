// Package vboard is the virtual board: the board firmware (firmware.Handler
// with firmware.SimHAL over a macro.Model) served on a real
// pseudo-terminal, so host code reaches it through go.bug.st/serial
// exactly as it reaches a USB board. Tests start it in process; the CLI
// runs it as `rramtwin vboard`.
//
// A virtual board made from (preset, seed) is the same chip as
// macro.NewModel(preset, seed): it executes the same macro operations in
// the same order, so it returns the same ADC codes.
//
// Faults (Options.Faults, "flip=0.01,drop=0.001,dup=0.001,split,delay=1ms@0.01")
// are injected on the board's side of the link, seeded by Options.FaultSeed.
//
// Linux and macOS only (pseudo-terminals). The slave is put in raw mode
// before the first byte; the master is read through a non-blocking dup of
// its descriptor so that deadlines and Stop work (creack/pty opens it
// blocking).
package vboard
