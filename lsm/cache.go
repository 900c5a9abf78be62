package lsm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rramtwin/rramtwin/internal/atomicfile"
)

// CacheKey identifies a set of features: everything that changes them.
type CacheKey struct {
	Spec    string `json:"spec"`    // data set spec, e.g. "mnist-saccade:train"
	Backend string `json:"backend"` // "gauss", "model", ...
	Preset  string `json:"preset"`  // device preset ("" for gauss)
	Seed    uint64 `json:"seed"`
	Framing string `json:"framing"` // framing description, e.g. fmt.Sprintf("%+v", framer)
	Config  Config `json:"config"`
	// Sensor names the sensor model that synthesized the events, when one
	// did (say the cochlea's parameters), so a changed sensor never reuses
	// stale features.
	Sensor string `json:"sensor,omitempty"`
}

// ID is the key's file name stem: hex SHA-256 of its JSON.
func (k CacheKey) ID() string {
	sum := sha256.Sum256(k.json())
	return hex.EncodeToString(sum[:16])
}

func (k CacheKey) json() []byte {
	b, err := json.Marshal(k)
	if err != nil {
		panic("lsm: marshalling a cache key: " + err.Error()) // plain struct: cannot fail
	}
	return b
}

// Cache stores features on disk under Dir, one file per key, written
// atomically (temporary file + rename), so concurrent runs never see a
// partial file.
type Cache struct {
	Dir string
}

const cacheMagic = "RRTLSMF1"

func (c Cache) path(k CacheKey) string { return filepath.Join(c.Dir, k.ID()+".lsmf") }

// Load returns the features stored under k, or nil and no error when there
// are none (or the file belongs to another key).
func (c Cache) Load(k CacheKey) (*Features, error) {
	p := c.path(k)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lsm: feature cache: %w", err)
	}
	f, key, err := decodeFeatures(b)
	if err != nil {
		return nil, fmt.Errorf("lsm: feature cache %s: %w", p, err)
	}
	if !bytes.Equal(key, k.json()) {
		return nil, nil
	}
	return f, nil
}

func decodeFeatures(b []byte) (*Features, []byte, error) {
	r := bytes.NewReader(b)
	var magic [8]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil || string(magic[:]) != cacheMagic {
		return nil, nil, errors.New("not a feature file")
	}
	var hdr struct{ KeyLen, N, Dim uint64 }
	if err := binary.Read(r, binary.LittleEndian, &hdr); err != nil {
		return nil, nil, errors.New("truncated header")
	}
	if hdr.KeyLen > uint64(r.Len()) || hdr.Dim > maxDim || hdr.N > uint64(r.Len()) {
		return nil, nil, errors.New("corrupt header")
	}
	key := make([]byte, hdr.KeyLen)
	io.ReadFull(r, key)
	if uint64(r.Len()) != 4*hdr.N*hdr.Dim {
		return nil, nil, fmt.Errorf("payload %d bytes, want %d", r.Len(), 4*hdr.N*hdr.Dim)
	}
	f := &Features{N: int(hdr.N), Dim: int(hdr.Dim), Counts: make([]int32, hdr.N*hdr.Dim)}
	rest := b[len(b)-r.Len():]
	for i := range f.Counts {
		f.Counts[i] = int32(binary.LittleEndian.Uint32(rest[4*i:]))
	}
	return f, key, nil
}

// Store writes f under k atomically, creating Dir if needed.
func (c Cache) Store(k CacheKey, f *Features) error {
	err := atomicfile.Write(c.path(k), func(w io.Writer) error {
		key := k.json()
		io.WriteString(w, cacheMagic)
		binary.Write(w, binary.LittleEndian, [3]uint64{uint64(len(key)), uint64(f.N), uint64(f.Dim)})
		w.Write(key)
		var b [4]byte
		for _, v := range f.Counts {
			binary.LittleEndian.PutUint32(b[:], uint32(v))
			if _, err := w.Write(b[:]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("lsm: feature cache: %w", err)
	}
	return nil
}

// EncodeCached returns the cached features for k, or encodes src and stores
// them. A nil cache always encodes. hit reports a cache hit.
func EncodeCached(ctx context.Context, c *Cache, k CacheKey, enc Encoder, src Source, opt BatchOptions) (f *Features, hit bool, err error) {
	if c != nil {
		if f, err = c.Load(k); err != nil {
			return nil, false, err
		}
		if f != nil && f.N == src.Len() && f.Dim == enc.Config().Features() {
			return f, true, nil
		}
	}
	if f, err = EncodeBatch(ctx, enc, src, opt); err != nil {
		return nil, false, err
	}
	if c != nil {
		if err := c.Store(k, f); err != nil {
			return nil, false, err
		}
	}
	return f, false, nil
}
