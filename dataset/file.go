package dataset

import (
	"fmt"
	"io"

	"github.com/rramtwin/rramtwin/internal/atomicfile"
)

// writeFileAtomic writes b to path through a temporary file in the same
// folder and a rename, so readers never see a partial file.
func writeFileAtomic(path string, b []byte) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
