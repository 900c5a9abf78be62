// Package firmware is the board side of the link: the protocol Handler, the
// HAL interface it drives, the safety interlocks and the replay cache, and
// SimHAL, which puts any macro.Macro behind the HAL (the virtual board).
//
// A Handler is fed the bytes that arrive from the link, in pieces of any
// size, and writes one reply frame per request to its writer. Before any
// request reaches the HAL it passes the interlocks, each refusing with a
// protocol status and a Reject naming the field and its limits:
//
//   - addresses: macro, rows and columns inside the chip, non-empty;
//   - forming: voltage 1 mV..MaxFormMV, compliance present and within
//     [MinComplianceNA, MaxComplianceNA], width 0 (default) or within
//     [MinWidthNS, MaxWidthNS];
//   - configure: read voltage ≤ MaxReadMV, ADC bits −1 (ideal) or 0..16,
//     ADC range ≤ MaxADCRangeNA;
//   - sizes: exact payload lengths, batches and uploads within the staging
//     and result buffers, offsets contiguous;
//   - order: MAC, LSM runs, programming and calibration only on formed
//     cells, staged data present, no array command while a job is queued;
//   - unknown commands and reserved flags.
//
// Limits come from Config.Limits (defaults: forming ≤ 5.0 V, compliance
// 1–500 µA, width 10 ns–1 ms, read ≤ 0.5 V), tightened by the chip's own.
//
// Replay cache: every reply except hello's is kept, keyed by (seq,
// command, request CRC), in a ring of Config.ReplaySlots. A repeated
// request gets the cached reply byte for byte and is never executed again
// (forming, SET and RESET pulses are not idempotent). A hello with a new
// host nonce clears the cache. Executed counts executions per command.
//
// Jobs (form, program, calibrate) are queued by their request and run by
// Poll, which the board's main loop calls between Feeds; there is one job
// slot and one result slot.
//
// Concurrency and allocation: a Handler has no goroutines, is not safe for
// concurrent use, allocates every buffer in NewHandler and nothing in Feed
// or Poll (the HAL may allocate; SimHAL reuses its buffers). The handler
// files use no fmt or reflection; SimHAL (built for !tinygo) imports macro.
//
// firmware/mcu is the TinyGo entry point for a microcontroller: it binds
// machine.Serial to a Handler (built only with a TinyGo toolchain).
//
// Determinism: the handler adds no randomness; with SimHAL the board
// returns exactly what the macro returns for the same calls, converted to
// wire units.
package firmware
