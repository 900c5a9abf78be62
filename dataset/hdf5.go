//go:build hdf5

package dataset

/*
#cgo pkg-config: hdf5
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>

static void rr_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
static hid_t rr_double(void) { return H5T_NATIVE_DOUBLE; }
static hid_t rr_int64(void) { return H5T_NATIVE_INT64; }
static hid_t rr_uint8(void) { return H5T_NATIVE_UINT8; }
static hid_t rr_c_s1(void) { return H5T_C_S1; }

// rr_len returns the number of elements of a 1-D dataset, or -1.
static long long rr_len(hid_t ds) {
	hid_t sp = H5Dget_space(ds);
	if (sp < 0) return -1;
	int nd = H5Sget_simple_extent_ndims(sp);
	hsize_t dims[8];
	long long n = -1;
	if (nd == 1 && H5Sget_simple_extent_dims(sp, dims, NULL) == 1) n = (long long)dims[0];
	if (nd == 0) n = 1;
	H5Sclose(sp);
	return n;
}

static int rr_exists(hid_t loc, const char *path) {
	return H5Lexists(loc, path, H5P_DEFAULT) > 0 && H5Oexists_by_name(loc, path, H5P_DEFAULT) > 0;
}

// rr_read reads a whole 1-D numeric dataset converted to mtype into buf.
static int rr_read(hid_t f, const char *path, hid_t mtype, void *buf) {
	hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
	if (ds < 0) return -1;
	herr_t e = H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
	H5Dclose(ds);
	return e < 0 ? -2 : 0;
}

// rr_class returns the type class of a dataset (H5T_INTEGER, H5T_FLOAT, ...).
static int rr_class(hid_t f, const char *path, int *is_vlen_str, size_t *size) {
	hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
	if (ds < 0) return -1;
	hid_t t = H5Dget_type(ds);
	int c = H5Tget_class(t);
	*is_vlen_str = (c == H5T_STRING) && H5Tis_variable_str(t) > 0;
	*size = H5Tget_size(t);
	H5Tclose(t);
	H5Dclose(ds);
	return c;
}

// rr_read_strings reads a 1-D string dataset into n fixed slots of width w
// (each NUL-terminated, truncated to w-1 bytes).
static int rr_read_strings(hid_t f, const char *path, long long n, char *out, size_t w) {
	hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
	if (ds < 0) return -1;
	hid_t ft = H5Dget_type(ds);
	int rc = 0;
	if (H5Tis_variable_str(ft) > 0) {
		hid_t mt = H5Tcopy(H5T_C_S1);
		H5Tset_size(mt, H5T_VARIABLE);
		char **p = calloc(n, sizeof(char *));
		if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, p) < 0) rc = -2;
		else {
			for (long long i = 0; i < n; i++) {
				if (p[i]) { strncpy(out + i * w, p[i], w - 1); out[i * w + w - 1] = 0; }
			}
			hid_t sp = H5Dget_space(ds);
			H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, p);
			H5Sclose(sp);
		}
		free(p);
		H5Tclose(mt);
	} else {
		size_t fw = H5Tget_size(ft);
		hid_t mt = H5Tcopy(H5T_C_S1);
		H5Tset_size(mt, fw);
		H5Tset_strpad(mt, H5T_STR_NULLPAD);
		char *tmp = calloc(n, fw);
		if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, tmp) < 0) rc = -2;
		else {
			for (long long i = 0; i < n; i++) {
				size_t k = fw < w - 1 ? fw : w - 1;
				memcpy(out + i * w, tmp + i * fw, k);
				out[i * w + k] = 0;
			}
		}
		free(tmp);
		H5Tclose(mt);
	}
	H5Tclose(ft);
	H5Dclose(ds);
	return rc;
}

// rr_vlen_row reads row i of a 1-D variable-length dataset as doubles.
// *out is malloc'ed (free with free()), *n its length.
static int rr_vlen_row(hid_t f, const char *path, long long i, double **out, size_t *n) {
	hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
	if (ds < 0) return -1;
	hid_t ft = H5Dget_type(ds);
	if (H5Tget_class(ft) != H5T_VLEN) { H5Tclose(ft); H5Dclose(ds); return -3; }
	H5Tclose(ft);
	hid_t fsp = H5Dget_space(ds);
	hsize_t start = (hsize_t)i, count = 1;
	H5Sselect_hyperslab(fsp, H5S_SELECT_SET, &start, NULL, &count, NULL);
	hid_t msp = H5Screate_simple(1, &count, NULL);
	hid_t mt = H5Tvlen_create(H5T_NATIVE_DOUBLE);
	hvl_t v;
	int rc = 0;
	if (H5Dread(ds, mt, msp, fsp, H5P_DEFAULT, &v) < 0) rc = -2;
	else {
		*n = v.len;
		*out = malloc(v.len * sizeof(double) + 1);
		memcpy(*out, v.p, v.len * sizeof(double));
		H5Dvlen_reclaim(mt, msp, H5P_DEFAULT, &v);
	}
	H5Tclose(mt);
	H5Sclose(msp);
	H5Sclose(fsp);
	H5Dclose(ds);
	return rc;
}

static hid_t rr_create_file(const char *path) {
	return H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
}

static hid_t rr_open_file(const char *path) {
	return H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
}

static hid_t rr_group(hid_t loc, const char *name) {
	return H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

// rr_write writes n elements of mtype from buf as a new 1-D dataset of ftype.
static int rr_write(hid_t loc, const char *name, hid_t ftype, hid_t mtype, long long n, const void *buf) {
	hsize_t d = (hsize_t)n;
	hid_t sp = H5Screate_simple(1, &d, NULL);
	hid_t ds = H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	int rc = 0;
	if (ds < 0) rc = -1;
	else if (n > 0 && H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) rc = -2;
	if (ds >= 0) H5Dclose(ds);
	H5Sclose(sp);
	return rc;
}

// rr_write_strings writes n fixed-length strings of width w (h5py's S<w>).
static int rr_write_strings(hid_t loc, const char *name, long long n, size_t w, const char *buf) {
	hid_t t = H5Tcopy(H5T_C_S1);
	H5Tset_size(t, w);
	H5Tset_strpad(t, H5T_STR_NULLPAD);
	int rc = rr_write(loc, name, t, t, n, buf);
	H5Tclose(t);
	return rc;
}

// rr_write_vlen writes n variable-length rows (lens[i] elements starting at
// data + offs[i]) of doubles stored as ftype sequences.
static int rr_write_vlen(hid_t loc, const char *name, hid_t ftype, long long n, const double *data, const long long *offs, const long long *lens) {
	hvl_t *v = calloc(n ? n : 1, sizeof(hvl_t));
	for (long long i = 0; i < n; i++) { v[i].len = lens[i]; v[i].p = (void *)(data + offs[i]); }
	hid_t ft = H5Tvlen_create(ftype);
	hid_t mt = H5Tvlen_create(H5T_NATIVE_DOUBLE);
	int rc = rr_write(loc, name, ft, mt, n, v);
	H5Tclose(ft);
	H5Tclose(mt);
	free(v);
	return rc;
}
*/
import "C"

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/rramtwin/rramtwin/internal/atomicfile"
)

// HDF5 reports whether this build reads and writes HDF5 (build tag hdf5).
const HDF5 = true

// h5mu serialises every libhdf5 call: the Debian build is not thread-safe.
var h5mu sync.Mutex

func init() { C.rr_quiet() }

type h5file struct {
	id   C.hid_t
	path string
}

func h5open(path string) (*h5file, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	C.rr_quiet() // the error-printing switch is per thread
	cs := C.CString(path)
	defer C.free(unsafe.Pointer(cs))
	id := C.rr_open_file(cs)
	if id < 0 {
		return nil, fmt.Errorf("%s: not an HDF5 file libhdf5 can open", path)
	}
	return &h5file{id, path}, nil
}

func (f *h5file) close() { C.H5Fclose(f.id) }

func (f *h5file) exists(key string) bool {
	// Check each prefix: H5Lexists fails on a missing intermediate group.
	parts := strings.Split(strings.Trim(key, "/"), "/")
	for i := range parts {
		cs := C.CString(strings.Join(parts[:i+1], "/"))
		ok := C.rr_exists(f.id, cs) != 0
		C.free(unsafe.Pointer(cs))
		if !ok {
			return false
		}
	}
	return true
}

func (f *h5file) missing(key string) error {
	return fmt.Errorf("%s: HDF5 key /%s: missing", f.path, strings.TrimPrefix(key, "/"))
}

func (f *h5file) length(key string) (int, error) {
	if !f.exists(key) {
		return 0, f.missing(key)
	}
	cs := C.CString(key)
	defer C.free(unsafe.Pointer(cs))
	ds := C.H5Dopen2(f.id, cs, C.H5P_DEFAULT)
	if ds < 0 {
		return 0, fmt.Errorf("%s: HDF5 key /%s: not a dataset", f.path, key)
	}
	defer C.H5Dclose(ds)
	n := int(C.rr_len(ds))
	if n < 0 {
		return 0, fmt.Errorf("%s: HDF5 key /%s: not a 1-D dataset", f.path, key)
	}
	return n, nil
}

// floats reads a whole 1-D numeric dataset as float64.
func (f *h5file) floats(key string) ([]float64, error) {
	n, err := f.length(key)
	if err != nil {
		return nil, err
	}
	cs := C.CString(key)
	defer C.free(unsafe.Pointer(cs))
	var vs C.int
	var sz C.size_t
	if c := C.rr_class(f.id, cs, &vs, &sz); c != C.H5T_INTEGER && c != C.H5T_FLOAT {
		return nil, fmt.Errorf("%s: HDF5 key /%s: not numeric", f.path, key)
	}
	out := make([]float64, n+1)
	if C.rr_read(f.id, cs, C.rr_double(), unsafe.Pointer(&out[0])) != 0 {
		return nil, fmt.Errorf("%s: HDF5 key /%s: read failed", f.path, key)
	}
	return out[:n], nil
}

// strings reads a 1-D string dataset (fixed or variable length).
func (f *h5file) strings(key string) ([]string, error) {
	n, err := f.length(key)
	if err != nil {
		return nil, err
	}
	cs := C.CString(key)
	defer C.free(unsafe.Pointer(cs))
	var vs C.int
	var sz C.size_t
	if c := C.rr_class(f.id, cs, &vs, &sz); c != C.H5T_STRING {
		return nil, fmt.Errorf("%s: HDF5 key /%s: not strings", f.path, key)
	}
	const w = 256
	buf := make([]byte, (n+1)*w)
	if C.rr_read_strings(f.id, cs, C.longlong(n), (*C.char)(unsafe.Pointer(&buf[0])), w) != 0 {
		return nil, fmt.Errorf("%s: HDF5 key /%s: read failed", f.path, key)
	}
	out := make([]string, n)
	for i := range out {
		s := buf[i*w : (i+1)*w]
		if k := slices.Index(s, 0); k >= 0 {
			s = s[:k]
		}
		out[i] = strings.TrimRight(string(s), " ")
	}
	return out, nil
}

// vlenRow reads row i of a variable-length dataset as float64.
func (f *h5file) vlenRow(key string, i int) ([]float64, error) {
	if !f.exists(key) {
		return nil, f.missing(key)
	}
	cs := C.CString(key)
	defer C.free(unsafe.Pointer(cs))
	var p *C.double
	var n C.size_t
	switch C.rr_vlen_row(f.id, cs, C.longlong(i), &p, &n) {
	case 0:
	case -3:
		return nil, fmt.Errorf("%s: HDF5 key /%s: not a variable-length dataset", f.path, key)
	default:
		return nil, fmt.Errorf("%s: HDF5 key /%s: row %d: read failed", f.path, key, i)
	}
	defer C.free(unsafe.Pointer(p))
	return slices.Clone(unsafe.Slice((*float64)(unsafe.Pointer(p)), int(n))), nil
}

// NTIDIGITS is an N-TIDIGITS HDF5 file (or one in its layout): keys in
// <split>_labels, one array per key in <split>_addresses/ (channels 0..63)
// and <split>_timestamps/ (seconds). Only single-digit utterances (the last
// '-' field of the key has one character) are served; "o" and "z" both map
// to digit 0. Samples are read on demand.
type NTIDIGITS struct {
	Path   string
	Split  string
	keys   []string
	labels []int
}

// OpenNTIDIGITS indexes split "train" or "test" of an N-TIDIGITS file.
func OpenNTIDIGITS(path, split string) (*NTIDIGITS, error) {
	h5mu.Lock()
	defer h5mu.Unlock()
	f, err := h5open(path)
	if err != nil {
		return nil, fmt.Errorf("ntidigits: %w", err)
	}
	defer f.close()
	keys, err := f.strings(split + "_labels")
	if err != nil {
		return nil, err
	}
	d := &NTIDIGITS{Path: path, Split: split}
	for _, k := range keys {
		l, ok := ntidigitsLabel(k)
		if !ok {
			continue
		}
		d.keys = append(d.keys, k)
		d.labels = append(d.labels, l)
	}
	if len(d.keys) == 0 {
		return nil, fmt.Errorf("%s: /%s_labels lists no single-digit utterances", path, split)
	}
	return d, nil
}

// validNTIDIGITSKey reports whether k looks like "<who>-...-<digits>"
// with digits from 0-9, o and z, and no path separators.
func validNTIDIGITSKey(k string) bool {
	i := strings.LastIndexByte(k, '-')
	if i <= 0 || i == len(k)-1 || strings.ContainsAny(k, "/. ") {
		return false
	}
	for _, c := range k[i+1:] {
		if !(c >= '0' && c <= '9' || c == 'o' || c == 'z') {
			return false
		}
	}
	return true
}

// ntidigitsLabel maps a key's last field to a digit ("o" and "z" → 0).
func ntidigitsLabel(key string) (int, bool) {
	i := strings.LastIndexByte(key, '-')
	last := key[i+1:]
	if len(last) != 1 {
		return 0, false
	}
	switch c := last[0]; {
	case c == 'o' || c == 'z' || c == 'O' || c == 'Z':
		return 0, true
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	}
	return 0, false
}

func (d *NTIDIGITS) Len() int        { return len(d.keys) }
func (d *NTIDIGITS) Label(i int) int { return d.labels[i] }
func (d *NTIDIGITS) Classes() int    { return 10 }
func (d *NTIDIGITS) Shape() Shape    { return Shape{64, 1, KindCochlea} }

// Key returns sample i's key.
func (d *NTIDIGITS) Key(i int) string { return d.keys[i] }

// Sample reads utterance i: timestamps (seconds → µs, rounded) and
// channel addresses, which must agree in length, lie in 0..63 and be in
// time order.
func (d *NTIDIGITS) Sample(i int) (Sample, error) {
	if i < 0 || i >= len(d.keys) {
		return Sample{}, fmt.Errorf("ntidigits: sample %d out of range [0,%d)", i, len(d.keys))
	}
	h5mu.Lock()
	f, err := h5open(d.Path)
	if err != nil {
		h5mu.Unlock()
		return Sample{}, fmt.Errorf("ntidigits: %w", err)
	}
	k := d.keys[i]
	ts, err := f.floats(d.Split + "_timestamps/" + k)
	var addr []float64
	if err == nil {
		addr, err = f.floats(d.Split + "_addresses/" + k)
	}
	f.close()
	h5mu.Unlock()
	if err != nil {
		return Sample{}, err
	}
	ev, err := eventsFromColumns(ts, addr, 64, d.Path, "/"+d.Split+"_addresses/"+k)
	if err != nil {
		return Sample{}, err
	}
	return Sample{Events: ev, Label: d.labels[i], Meta: Meta{Source: d.Path, Key: k, Index: i}}, nil
}

// eventsFromColumns turns times in seconds and channel numbers into events.
func eventsFromColumns(ts, addr []float64, channels int, path, key string) ([]Event, error) {
	if len(ts) != len(addr) {
		return nil, fmt.Errorf("%s: HDF5 key %s: %d addresses for %d timestamps", path, key, len(addr), len(ts))
	}
	ev := make([]Event, len(ts))
	for j := range ts {
		a := addr[j]
		if !(a >= 0 && a < float64(channels)) || a != float64(int(a)) {
			return nil, fmt.Errorf("%s: HDF5 key %s: element %d: channel %v outside 0..%d", path, key, j, a, channels-1)
		}
		t := ts[j] * 1e6
		if !(t >= 0 && t < 1e15) {
			return nil, fmt.Errorf("%s: HDF5 key %s: element %d: time %v s invalid", path, key, j, ts[j])
		}
		ev[j] = Event{T: int64(t + 0.5), X: uint16(a), P: 1}
		if j > 0 && ev[j].T < ev[j-1].T {
			return nil, fmt.Errorf("%s: HDF5 key %s: element %d: time goes backwards", path, key, j)
		}
	}
	return ev, nil
}

// WriteNTIDIGITS writes samples in the N-TIDIGITS layout: for each group
// ("train", "test") a <group>_labels list of keys (fixed-length strings,
// as h5py writes them) and one uint8 address array and one float64
// timestamp array (seconds) per key. A sample's key is its Meta.Key if it
// ends in "-<digit>", else "synth-<index>-a-<label>". The file is written
// to a temporary name and renamed.
func WriteNTIDIGITS(path string, groups map[string][]Sample) error {
	return atomicfile.WritePath(path, func(tmp string) error { return writeNTIDIGITS(tmp, groups) })
}

func writeNTIDIGITS(path string, groups map[string][]Sample) error {
	h5mu.Lock()
	defer h5mu.Unlock()
	cs := C.CString(path)
	defer C.free(unsafe.Pointer(cs))
	C.rr_quiet()
	f := C.rr_create_file(cs)
	if f < 0 {
		return fmt.Errorf("cannot create HDF5 file")
	}
	defer C.H5Fclose(f)
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	slices.Sort(names)
	for _, g := range names {
		ss := groups[g]
		keys := make([]string, len(ss))
		seen := map[string]bool{}
		w := 1
		for i, s := range ss {
			k := s.Meta.Key
			if !validNTIDIGITSKey(k) {
				k = "synth-" + strconv.Itoa(s.Meta.Index) + "-a-" + strconv.Itoa(s.Label)
			}
			if l, ok := ntidigitsLabel(k); ok && l != s.Label {
				k += "-" + strconv.Itoa(s.Label)
			}
			for base, n := k, 2; seen[k]; n++ {
				i := strings.LastIndexByte(base, '-')
				k = base[:i] + "-dup" + strconv.Itoa(n) + base[i:]
			}
			seen[k] = true
			keys[i] = k
			w = max(w, len(k))
		}
		buf := make([]byte, len(keys)*w+1)
		for i, k := range keys {
			copy(buf[i*w:], k)
		}
		name := C.CString(g + "_labels")
		rc := C.rr_write_strings(f, name, C.longlong(len(keys)), C.size_t(w), (*C.char)(unsafe.Pointer(&buf[0])))
		C.free(unsafe.Pointer(name))
		if rc != 0 {
			return fmt.Errorf("writing /%s_labels failed", g)
		}
		for _, kind := range []string{"_addresses", "_timestamps"} {
			gn := C.CString(g + kind)
			gid := C.rr_group(f, gn)
			C.free(unsafe.Pointer(gn))
			if gid < 0 {
				return fmt.Errorf("creating /%s%s failed", g, kind)
			}
			for i, s := range ss {
				n := len(s.Events)
				kn := C.CString(keys[i])
				if kind == "_addresses" {
					a := make([]uint8, n+1)
					for j, e := range s.Events {
						if e.X > 255 {
							C.free(unsafe.Pointer(kn))
							C.H5Gclose(gid)
							return fmt.Errorf("sample %q: channel %d does not fit uint8", keys[i], e.X)
						}
						a[j] = uint8(e.X)
					}
					rc = C.rr_write(gid, kn, C.rr_uint8(), C.rr_uint8(), C.longlong(n), unsafe.Pointer(&a[0]))
				} else {
					t := make([]float64, n+1)
					for j, e := range s.Events {
						t[j] = float64(e.T) / 1e6
					}
					rc = C.rr_write(gid, kn, C.rr_double(), C.rr_double(), C.longlong(n), unsafe.Pointer(&t[0]))
				}
				C.free(unsafe.Pointer(kn))
				if rc != 0 {
					C.H5Gclose(gid)
					return fmt.Errorf("writing /%s%s/%s failed", g, kind, keys[i])
				}
			}
			C.H5Gclose(gid)
		}
	}
	return nil
}

// SHD is a Spiking Heidelberg Digits file (or one in its layout):
// variable-length rows spikes/times (seconds) and spikes/units (channels
// 0..699), and labels (0..19: English 0–9, German 0–9; Label returns the
// digit, label mod 10, and Classes is 10). Samples are read on demand.
type SHD struct {
	Path   string
	labels []int
	raw    []int
}

// OpenSHD indexes an SHD file.
func OpenSHD(path string) (*SHD, error) {
	h5mu.Lock()
	defer h5mu.Unlock()
	f, err := h5open(path)
	if err != nil {
		return nil, fmt.Errorf("shd: %w", err)
	}
	defer f.close()
	lab, err := f.floats("labels")
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"spikes/times", "spikes/units"} {
		n, err := f.length(key)
		if err != nil {
			return nil, err
		}
		if n != len(lab) {
			return nil, fmt.Errorf("%s: HDF5 key /%s: %d rows for %d labels", path, key, n, len(lab))
		}
	}
	if len(lab) == 0 {
		return nil, fmt.Errorf("%s: HDF5 key /labels: empty", path)
	}
	d := &SHD{Path: path}
	for i, l := range lab {
		if l < 0 || l >= 20 || l != float64(int(l)) {
			return nil, fmt.Errorf("%s: HDF5 key /labels: element %d: label %v outside 0..19", path, i, l)
		}
		d.raw = append(d.raw, int(l))
		d.labels = append(d.labels, int(l)%10)
	}
	return d, nil
}

// SHDChannels is the number of SHD cochlea channels.
const SHDChannels = 700

func (d *SHD) Len() int        { return len(d.labels) }
func (d *SHD) Label(i int) int { return d.labels[i] }
func (d *SHD) Classes() int    { return 10 }
func (d *SHD) Shape() Shape    { return Shape{SHDChannels, 1, KindCochlea} }

// RawLabel returns the file's label 0..19 (≥ 10: German).
func (d *SHD) RawLabel(i int) int { return d.raw[i] }

// Sample reads row i.
func (d *SHD) Sample(i int) (Sample, error) {
	if i < 0 || i >= len(d.labels) {
		return Sample{}, fmt.Errorf("shd: sample %d out of range [0,%d)", i, len(d.labels))
	}
	h5mu.Lock()
	f, err := h5open(d.Path)
	if err != nil {
		h5mu.Unlock()
		return Sample{}, fmt.Errorf("shd: %w", err)
	}
	ts, err := f.vlenRow("spikes/times", i)
	var units []float64
	if err == nil {
		units, err = f.vlenRow("spikes/units", i)
	}
	f.close()
	h5mu.Unlock()
	if err != nil {
		return Sample{}, err
	}
	ev, err := eventsFromColumns(ts, units, SHDChannels, d.Path, fmt.Sprintf("/spikes/units[%d]", i))
	if err != nil {
		return Sample{}, err
	}
	return Sample{Events: ev, Label: d.labels[i], Meta: Meta{Source: d.Path, Index: i}}, nil
}

// WriteSHD writes samples in the SHD layout (spikes/times as float32
// seconds and spikes/units as uint16, variable-length rows, labels uint16),
// atomically. A sample's label is written as is (0..19).
func WriteSHD(path string, samples []Sample) error {
	return atomicfile.WritePath(path, func(tmp string) error { return writeSHD(tmp, samples) })
}

func writeSHD(path string, samples []Sample) error {
	h5mu.Lock()
	defer h5mu.Unlock()
	cs := C.CString(path)
	defer C.free(unsafe.Pointer(cs))
	C.rr_quiet()
	f := C.rr_create_file(cs)
	if f < 0 {
		return fmt.Errorf("cannot create HDF5 file")
	}
	defer C.H5Fclose(f)
	n := len(samples)
	var times, units []float64
	offs := make([]int64, n+1)
	lens := make([]int64, n+1)
	labels := make([]int64, n+1)
	for i, s := range samples {
		offs[i] = int64(len(times))
		lens[i] = int64(len(s.Events))
		labels[i] = int64(s.Label)
		for _, e := range s.Events {
			times = append(times, float64(e.T)/1e6)
			units = append(units, float64(e.X))
		}
	}
	times = append(times, 0)
	units = append(units, 0)
	sg := C.CString("spikes")
	g := C.rr_group(f, sg)
	C.free(unsafe.Pointer(sg))
	if g < 0 {
		return fmt.Errorf("creating /spikes failed")
	}
	defer C.H5Gclose(g)
	for _, c := range []struct {
		name string
		ft   C.hid_t
		data []float64
	}{{"times", C.H5T_IEEE_F32LE, times}, {"units", C.H5T_STD_U16LE, units}} {
		nm := C.CString(c.name)
		rc := C.rr_write_vlen(g, nm, c.ft, C.longlong(n), (*C.double)(unsafe.Pointer(&c.data[0])),
			(*C.longlong)(unsafe.Pointer(&offs[0])), (*C.longlong)(unsafe.Pointer(&lens[0])))
		C.free(unsafe.Pointer(nm))
		if rc != 0 {
			return fmt.Errorf("writing /spikes/%s failed", c.name)
		}
	}
	ln := C.CString("labels")
	defer C.free(unsafe.Pointer(ln))
	if C.rr_write(f, ln, C.H5T_STD_U16LE, C.rr_int64(), C.longlong(n), unsafe.Pointer(&labels[0])) != 0 {
		return fmt.Errorf("writing /labels failed")
	}
	return nil
}

func openNTIDIGITS(file, split string) (Dataset, error) { return OpenNTIDIGITS(file, split) }
func openSHD(file string) (Dataset, error)              { return OpenSHD(file) }
