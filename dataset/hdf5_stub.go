//go:build !hdf5

package dataset

import "fmt"

// HDF5 reports whether this build reads and writes HDF5 (build tag hdf5).
const HDF5 = false

func openNTIDIGITS(file, split string) (Dataset, error) {
	return nil, fmt.Errorf("ntidigits:%s: this build has no HDF5 support (rebuild with -tags hdf5 and libhdf5-dev)", file)
}

func openSHD(file string) (Dataset, error) {
	return nil, fmt.Errorf("shd:%s: this build has no HDF5 support (rebuild with -tags hdf5 and libhdf5-dev)", file)
}

// WriteNTIDIGITS writes samples in the N-TIDIGITS HDF5 layout; this build
// has no HDF5 support.
func WriteNTIDIGITS(path string, groups map[string][]Sample) error {
	return fmt.Errorf("%s: this build has no HDF5 support (rebuild with -tags hdf5 and libhdf5-dev, or write .rrev)", path)
}
