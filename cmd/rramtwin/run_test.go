package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// runCLI runs the CLI in process and returns stdout, stderr and the error.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

func TestHelpListsEverySubcommand(t *testing.T) {
	out, _, err := runCLI(t, "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		if !strings.Contains(out, "  "+c.name+" ") || !strings.Contains(out, c.summary) {
			t.Errorf("help does not list %q with its summary:\n%s", c.name, out)
		}
	}
}

func TestUnknownSubcommandIsUsageError(t *testing.T) {
	_, _, err := runCLI(t, "frobnicate")
	var u usageError
	if !errors.As(err, &u) {
		t.Fatalf("err = %v, want a usage error", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
}

func TestBadFlagIsOneLineUsageError(t *testing.T) {
	_, stderr, err := runCLI(t, "version", "-bogus")
	var u usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "-bogus") {
		t.Fatalf("err = %v, want a usage error naming -bogus", err)
	}
	if stderr != "" {
		t.Errorf("flag package wrote to stderr: %q", stderr)
	}
}

func TestEverySubcommandTakesJSONAndSeed(t *testing.T) {
	for _, c := range commands {
		if c.name == "help" {
			continue
		}
		_, stderr, err := runCLI(t, c.name, "-h")
		if !errors.Is(err, errHelpShown) {
			t.Errorf("%s -h: err = %v", c.name, err)
		}
		if !strings.Contains(stderr, "-json") || !strings.Contains(stderr, "-seed") {
			t.Errorf("%s -h does not list -json and -seed:\n%s", c.name, stderr)
		}
	}
}

func TestVersionJSON(t *testing.T) {
	out, _, err := runCLI(t, "version", "-json", "-seed", "9")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"seed": 9`) || !strings.Contains(out, `"version": "`+version+`"`) {
		t.Errorf("unexpected JSON:\n%s", out)
	}
}
