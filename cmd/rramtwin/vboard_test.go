//go:build linux || darwin

package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestVboardServesUntilCancelled: vboard prints its path first, serves the
// chip commands (refusals do not stop it) and returns nil on cancellation
// (SIGINT/SIGTERM in main).
func TestVboardServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"vboard", "-seed", "7"}, &out, &errb) }()
	var path string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if line, _, ok := strings.Cut(out.String(), "\n"); ok {
			path = line
			break
		}
	}
	if !strings.HasPrefix(path, "/dev/") {
		cancel()
		t.Fatalf("first line %q is not a device path", path)
	}
	if _, _, err := runCLI(t, "chip", "form", "-backend", path, "-voltage", "9", "-json"); err == nil {
		t.Error("forming at 9 V was not refused")
	}
	info, _, err := runCLI(t, "chip", "info", "-backend", path, "-json")
	if err != nil || !strings.Contains(info, `"rows": 512`) || !strings.Contains(info, `"firmware"`) {
		t.Errorf("chip info after a refusal: %v\n%s", err, info)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("vboard returned %v after cancellation, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("vboard did not stop after cancellation")
	}
}
