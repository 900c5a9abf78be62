package dataset

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedData returns ../shared/data/<rel> relative to the repository, or
// skips the test if it is absent (fails under CI=true).
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("real data %s missing under CI: %v", p, err)
		}
		t.Skipf("real data %s absent: %v", p, err)
	}
	return p
}

// mnistOrSkip loads an MNIST split or skips when the module cache lacks it.
func mnistOrSkip(t testing.TB, split string) *MNIST {
	t.Helper()
	m, err := LoadMNIST(split)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return m
}

// isolateCache points the synthesized-set cache at a fresh temporary folder.
func isolateCache(t *testing.T) string {
	d := t.TempDir()
	t.Setenv("RRAMTWIN_CACHE", d)
	return d
}
