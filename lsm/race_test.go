//go:build race

package lsm

// raceEnabled: sync.Pool drops items at random under the race detector.
const raceEnabled = true
