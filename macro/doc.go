// Package macro is the 256 Kb RRAM macro as a chip that host code programs
// against: the Macro interface every backend implements, the software model
// built on crossbar, the mapping of signed matrices onto cells, device
// presets and the energy/latency ledger.
//
// Units: conductance µS, voltage V, current A, time s, energy aJ (integers)
// in the ledger and J in results.
package macro
