package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one subcommand: its name, a one-line summary and its body.
// run receives the subcommand's arguments (after the name).
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// commands is the table of subcommands, in the order help lists them.
// Each lives in its own file.
var commands []command

func init() {
	commands = []command{
		{"help", "list the subcommands, or show one subcommand's flags", runHelp},
		{"demo", "the main job: the LSM on synthetic N-MNIST in software, on the model and on a virtual board", runDemo},
		{"chip", "drive a macro: info, form, read, mac (model, virtual, auto or a board)", runChip},
		{"classify", "train and test the LSM classifier on event data (gauss, model or chip)", runClassify},
		{"associate", "zero-shot audio–vision association with contrastive heads", runAssociate},
		{"compare", "run one experiment on the software model and on a chip, side by side (-report DIR)", runCompare},
		{"calibrate", "measure a chip and fit a preset to it", runCalibrate},
		{"vboard", "serve a virtual board on a pseudo-terminal (prints its path)", runVboard},
		{"ports", "list serial ports and the boards on them", runPorts},
		{"paper", "reproduce the authors' tables (camera, audio, association; software vs chip) beside the published numbers", runPaper},
		{"bench", "performance report: MAC MVM/s, LSM encode samples/s, energy per inference, link round trips", runBench},
		{"version", "print the version of rramtwin and its macro model", runVersion},
		{"data", "event datasets: stats, synth-nmnist, synth-audio, show, get", runData},
	}
}

// env is what every subcommand gets: its output streams.
type env struct {
	stdout, stderr io.Writer
}

// usageError marks errors in how the command was called (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errHelpShown reports that -h printed the usage; main exits 0.
var errHelpShown = errors.New("help shown")

// run is the whole CLI; main only calls it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printCommands(stderr)
		return usageError{"no subcommand given (try \"rramtwin help\")"}
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" {
		name = "help"
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, e, args[1:])
		}
	}
	return usageError{fmt.Sprintf("unknown subcommand %q (try \"rramtwin help\")", name)}
}

func printCommands(w io.Writer) {
	fmt.Fprintln(w, "usage: rramtwin <subcommand> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "subcommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

func runHelp(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		printCommands(e.stdout)
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] && c.name != "help" {
			return c.run(ctx, &env{stdout: e.stdout, stderr: e.stdout}, []string{"-h"})
		}
	}
	return usageError{fmt.Sprintf("unknown subcommand %q", args[0])}
}

// common holds the flags every subcommand takes.
type common struct {
	json bool
	seed uint64
}

// flagSet is a subcommand's flags with the usage line shown for -h.
type flagSet struct {
	*flag.FlagSet
	usage  string
	stderr io.Writer
}

// newFlags makes a subcommand's flag set with the common -json and -seed.
func newFlags(e *env, name, usage string) (*flagSet, *common) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors itself, in one line
	fs.Usage = func() {}
	c := &common{}
	fs.BoolVar(&c.json, "json", false, "print the result as JSON")
	fs.Uint64Var(&c.seed, "seed", 1, "root random seed (a chip is a seed)")
	return &flagSet{fs, usage, e.stderr}, c
}

// parse parses args, turning flag errors into usage errors and -h into
// errHelpShown after printing the usage. Flags may follow positional
// arguments; the positional arguments are returned.
func parse(fs *flagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(fs.stderr, "usage: rramtwin %s %s\n", fs.Name(), fs.usage)
				fs.SetOutput(fs.stderr)
				fs.PrintDefaults()
				return nil, errHelpShown
			}
			return nil, usageError{fmt.Sprintf("%s: %s", fs.Name(), firstLine(err.Error()))}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
