package dataset

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testZip makes an N-MNIST-like Train.zip holding two .bin files.
func testZip(t *testing.T, top string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	ev, _ := EncodeNMNIST(nil, []Event{{T: 1, X: 1, Y: 1, P: 1}, {T: 2, X: 2, Y: 2, P: 0}})
	for _, name := range []string{top + "/0/00002.bin", top + "/7/00001.bin"} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(ev)
	}
	// Some padding so that resuming has something to skip.
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: top + "/README.txt", Method: zip.Store})
	w.Write(bytes.Repeat([]byte("n-mnist "), 4000))
	zw.Close()
	return b.Bytes()
}

func testTarGz(t *testing.T) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	wav := EncodeWAV(tone(300, 8000, 0.1))
	tw.WriteHeader(&tar.Header{Name: "free-spoken-digit-dataset-1.0.10/recordings/", Typeflag: tar.TypeDir, Mode: 0o755})
	for _, n := range []string{"3_theo_0.wav", "4_theo_1.wav"} {
		tw.WriteHeader(&tar.Header{Name: "free-spoken-digit-dataset-1.0.10/recordings/" + n, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(wav))})
		tw.Write(wav)
	}
	tw.Close()
	zw.Close()
	return b.Bytes()
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// archiveServer serves files by path with Range support and records the
// Range headers it saw; failAfter > 0 cuts the first full response short.
type archiveServer struct {
	mu        sync.Mutex
	files     map[string][]byte
	ranges    []string
	failAfter int
	ignoreRng bool
}

func (s *archiveServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b, ok := s.files[r.URL.Path]
	s.ranges = append(s.ranges, r.Header.Get("Range"))
	cut := s.failAfter
	s.failAfter = 0
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if cut > 0 {
		// Promise everything, deliver a prefix, then drop the connection.
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		w.Write(b[:cut])
		w.(http.Flusher).Flush()
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
		return
	}
	if s.ignoreRng {
		r.Header.Del("Range")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

// withDownloads swaps the download table for the test.
func withDownloads(t *testing.T, m map[string]Download) {
	old := Downloads
	Downloads = m
	t.Cleanup(func() { Downloads = old })
}

func TestGetNMNISTLikeZip(t *testing.T) {
	train, test := testZip(t, "Train"), testZip(t, "Test")
	srv := &archiveServer{files: map[string][]byte{"/f/train": train, "/f/test": test}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	withDownloads(t, map[string]Download{"nmnist": {BaseURL: "https://invalid.example/", Archives: []Archive{
		{Path: "f/train", File: "Train.zip", SHA256: sha(train), Format: "zip"},
		{Path: "f/test", File: "Test.zip", SHA256: sha(test), Format: "zip"},
	}}})
	dir := t.TempDir()
	var progress bytes.Buffer
	res, err := Get(context.Background(), "nmnist", dir, GetOptions{BaseURL: ts.URL + "/", Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if res.Archives["Train.zip"] != sha(train) || res.Bytes != int64(len(train)+len(test)) {
		t.Errorf("result %+v", res)
	}
	if !strings.Contains(progress.String(), "Train.zip") {
		t.Errorf("no progress: %q", progress.String())
	}
	d, err := Open("nmnist:"+dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 2 {
		t.Errorf("%d samples unpacked", d.Len())
	}
	if _, err := os.Stat(filepath.Join(dir, "Test", "7", "00001.bin")); err != nil {
		t.Error(err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

func TestGetResumesAndRestarts(t *testing.T) {
	arch := testTarGz(t)
	srv := &archiveServer{files: map[string][]byte{"/fsdd.tgz": arch}, failAfter: len(arch) / 2}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	withDownloads(t, map[string]Download{"fsdd": {BaseURL: ts.URL, Archives: []Archive{
		{Path: "fsdd.tgz", File: "fsdd.tar.gz", SHA256: sha(arch), Format: "tar.gz", Strip: 1},
	}}})
	dir := t.TempDir()
	if _, err := Get(context.Background(), "fsdd", dir, GetOptions{}); err == nil || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("cut connection: err = %v, want an interrupted download", err)
	}
	part := filepath.Join(dir, ".rramtwin-get", "fsdd.tar.gz.part")
	st, err := os.Stat(part)
	if err != nil || st.Size() == 0 || st.Size() >= int64(len(arch)) {
		t.Fatalf("partial file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "recordings")); err == nil {
		t.Fatal("half a download was unpacked")
	}
	res, err := Get(context.Background(), "fsdd", dir, GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed || srv.ranges[len(srv.ranges)-1] != "bytes="+strconv.Itoa(int(st.Size()))+"-" {
		t.Errorf("not resumed: ranges %q", srv.ranges)
	}
	d, err := Open("fsdd:"+filepath.Join(dir, "recordings"), Options{})
	if err != nil || d.Len() != 2 {
		t.Fatalf("unpacked set: %v", err)
	}

	// A corrupt partial file: the resumed download fails its checksum,
	// is thrown away and fetched again from the start.
	dir2 := t.TempDir()
	os.MkdirAll(filepath.Join(dir2, ".rramtwin-get"), 0o755)
	os.WriteFile(filepath.Join(dir2, ".rramtwin-get", "fsdd.tar.gz.part"), bytes.Repeat([]byte{0xee}, 100), 0o644)
	srv.ranges = nil
	if _, err := Get(context.Background(), "fsdd", dir2, GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(srv.ranges) != 2 || srv.ranges[0] != "bytes=100-" || srv.ranges[1] != "" {
		t.Errorf("ranges %q, want a resume then a restart", srv.ranges)
	}
	// A server that ignores Range: the download restarts from zero.
	dir3 := t.TempDir()
	os.MkdirAll(filepath.Join(dir3, ".rramtwin-get"), 0o755)
	os.WriteFile(filepath.Join(dir3, ".rramtwin-get", "fsdd.tar.gz.part"), arch[:50], 0o644)
	srv.ignoreRng = true
	if res, err := Get(context.Background(), "fsdd", dir3, GetOptions{}); err != nil || res.Resumed {
		t.Fatalf("ignored Range: %v, resumed %v", err, res != nil && res.Resumed)
	}
}

func TestGetBadChecksum(t *testing.T) {
	arch := testTarGz(t)
	ts := httptest.NewServer(&archiveServer{files: map[string][]byte{"/a.tgz": arch}})
	defer ts.Close()
	withDownloads(t, map[string]Download{"fsdd": {BaseURL: ts.URL, Archives: []Archive{
		{Path: "a.tgz", File: "a.tar.gz", Format: "tar.gz", Strip: 1},
	}}})
	dir := t.TempDir()
	_, err := Get(context.Background(), "fsdd", dir, GetOptions{SHA256: map[string]string{"a.tar.gz": strings.Repeat("0", 64)}})
	if err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("err = %v, want a checksum error", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "recordings")); err == nil {
		t.Error("unverified archive was unpacked")
	}
	if _, err := Get(context.Background(), "imagenet", dir, GetOptions{}); err == nil {
		t.Error("unknown dataset: no error")
	}
	// The MD5 published upstream is checked too.
	withDownloads(t, map[string]Download{"fsdd": {BaseURL: ts.URL, Archives: []Archive{
		{Path: "a.tgz", File: "a.tar.gz", MD5: strings.Repeat("1", 32), Format: "tar.gz", Strip: 1},
	}}})
	if _, err := Get(context.Background(), "fsdd", t.TempDir(), GetOptions{}); err == nil || !strings.Contains(err.Error(), "md5") {
		t.Errorf("bad md5: err = %v", err)
	}
}

func TestSafeJoinRejectsEscapes(t *testing.T) {
	if _, _, err := safeJoin("/r", "a/../../etc/passwd", 0); err != nil {
		// path.Clean folds the dots under the root, which is also safe.
		t.Log(err)
	}
	p, ok, err := safeJoin("/r", "../../etc/passwd", 0)
	if err != nil || !ok || p != filepath.Join("/r", "etc", "passwd") {
		t.Errorf("got %s %v %v, want it kept under the root", p, ok, err)
	}
	if _, ok, _ := safeJoin("/r", "top", 1); ok {
		t.Error("stripped entry kept")
	}
}
