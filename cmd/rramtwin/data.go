package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/internal/atomicfile"
)

// dataSubs are the subcommands of "rramtwin data".
var dataSubs []dataSub

type dataSub struct {
	name, usage, summary string
	run                  func(ctx context.Context, e *env, args []string) error
}

func init() {
	dataSubs = []dataSub{
		{"stats", "SPEC [-json] [-seed N]", "summarise a dataset: n, classes, events, ON fraction, duration, active addresses", runDataStats},
		{"synth-nmnist", "-split train|test -n N [-offset K] -out DIR", "MNIST through the saccade camera, written in the N-MNIST layout", runDataSynthNMNIST},
		{"synth-audio", "-in SPEC -out FILE [-split auto|train|test]", "audio dataset through the cochlea, written as .rrev (or N-TIDIGITS .h5 with -tags hdf5)", runDataSynthAudio},
		{"show", "SPEC -i K -png FILE", "draw one sample: frames for a camera, a raster for a cochlea", runDataShow},
		{"get", "nmnist|fsdd -dir DIR", "download and unpack an official dataset archive", runDataGet},
	}
}

func runData(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		w := e.stdout
		var err error = usageError{"data: no subcommand given (want stats, synth-nmnist, synth-audio, show or get)"}
		if len(args) > 0 {
			w, err = e.stderr, errHelpShown
		}
		fmt.Fprintln(w, "usage: rramtwin data <subcommand> [flags]   (every subcommand takes -json and -seed)")
		fmt.Fprintln(w, "\nsubcommands:")
		for _, s := range dataSubs {
			fmt.Fprintf(w, "  %-13s %s\n", s.name, s.summary)
		}
		fmt.Fprintln(w, "\ndataset specs:")
		fmt.Fprintln(w, "  nmnist:DIR  mnist-saccade:train|test?n=N&offset=K  fsdd:DIR?speakers=a,b&index=5-49")
		fmt.Fprintln(w, "  events:FILE  ntidigits:FILE?split=train|test  shd:FILE   (the last two need -tags hdf5)")
		return err
	}
	for _, s := range dataSubs {
		if s.name == args[0] {
			return s.run(ctx, e, args[1:])
		}
	}
	return usageError{fmt.Sprintf("data: unknown subcommand %q (want stats, synth-nmnist, synth-audio, show or get)", args[0])}
}

func dataUsage(name string) string {
	for _, s := range dataSubs {
		if s.name == name {
			return s.usage
		}
	}
	return ""
}

// progressWriter returns stderr for progress lines, or nil in -json mode.
func progressWriter(e *env, c *common) *os.File {
	if c.json {
		return nil
	}
	if f, ok := e.stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return f
		}
	}
	return nil
}

func dataOptions(e *env, c *common) dataset.Options {
	opt := dataset.Options{Seed: c.seed}
	if p := progressWriter(e, c); p != nil {
		opt.Progress = p
	}
	return opt
}

func onePositional(name string, pos []string) (string, error) {
	if len(pos) != 1 {
		return "", usageError{fmt.Sprintf("data %s: want exactly one dataset SPEC, got %d arguments", name, len(pos))}
	}
	return pos[0], nil
}

func runDataStats(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "data stats", dataUsage("stats"))
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	spec, err := onePositional("stats", pos)
	if err != nil {
		return err
	}
	d, err := dataset.Open(spec, dataOptions(e, c))
	if err != nil {
		return err
	}
	st, _, err := dataset.ComputeStats(d)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(e.stdout, st)
	}
	w := e.stdout
	fmt.Fprintf(w, "spec             %s\n", spec)
	fmt.Fprintf(w, "n                %d\n", st.N)
	fmt.Fprintf(w, "classes          %d\n", st.Classes)
	fmt.Fprintf(w, "events           %.1f ± %.1f\n", st.EventsMean, st.EventsStd)
	if d.Shape().Kind == dataset.KindCamera {
		fmt.Fprintf(w, "ON fraction      %.4f\n", st.OnFraction)
	}
	fmt.Fprintf(w, "duration         %.1f ms\n", st.DurationMsMean)
	fmt.Fprintf(w, "active addresses %.1f\n", st.ActiveAddressesMean)
	return nil
}

func runDataSynthNMNIST(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "data synth-nmnist", dataUsage("synth-nmnist"))
	split := fs.String("split", "train", "MNIST split: train or test")
	n := fs.Int("n", -1, "number of images (default: the whole split)")
	offset := fs.Int("offset", 0, "first MNIST index (0-based)")
	out := fs.String("out", "", "output folder (N-MNIST layout <digit>/<NNNNN>.bin)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError{fmt.Sprintf("data synth-nmnist: unexpected argument %q", pos[0])}
	}
	if *out == "" {
		return usageError{"data synth-nmnist: -out DIR is required"}
	}
	if *split != "train" && *split != "test" {
		return usageError{fmt.Sprintf("data synth-nmnist: -split %q (want train or test)", *split)}
	}
	if *offset < 0 || *n == 0 || *n < -1 {
		return usageError{"data synth-nmnist: -n must be positive and -offset non-negative"}
	}
	opt := dataOptions(e, c)
	cam := dataset.NewSaccade(opt.Saccade, opt.Seed)
	f, err := dataset.SynthNMNIST(cam, *split, *offset, *n, *out, opt.Progress)
	if err != nil {
		return err
	}
	res := struct {
		Out     string `json:"out"`
		Split   string `json:"split"`
		N       int    `json:"n"`
		Offset  int    `json:"offset"`
		Seed    uint64 `json:"seed"`
		Saccade string `json:"saccade"`
	}{*out, *split, f.Len(), *offset, c.seed, cam.Config().Key()}
	if c.json {
		return printJSON(e.stdout, res)
	}
	_, err = fmt.Fprintf(e.stdout, "wrote %d samples to %s (seed %d)\n", res.N, res.Out, res.Seed)
	return err
}

func runDataSynthAudio(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "data synth-audio", dataUsage("synth-audio"))
	in := fs.String("in", "", "input dataset SPEC (e.g. fsdd:DIR)")
	out := fs.String("out", "", "output FILE: .h5/.hdf5 for the N-TIDIGITS layout (needs -tags hdf5), else the .rrev event format")
	split := fs.String("split", "auto", "N-TIDIGITS group for every sample: train, test, or auto (FSDD convention: index 0-4 test)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError{fmt.Sprintf("data synth-audio: unexpected argument %q", pos[0])}
	}
	if *in == "" || *out == "" {
		return usageError{"data synth-audio: -in SPEC and -out FILE are required"}
	}
	if *split != "auto" && *split != "train" && *split != "test" {
		return usageError{fmt.Sprintf("data synth-audio: -split %q (want auto, train or test)", *split)}
	}
	d, err := dataset.Open(*in, dataOptions(e, c))
	if err != nil {
		return err
	}
	samples := make([]dataset.Sample, d.Len())
	for i := range samples {
		if err := ctx.Err(); err != nil {
			return err
		}
		if samples[i], err = d.Sample(i); err != nil {
			return err
		}
	}
	ext := strings.ToLower(filepath.Ext(*out))
	format := "rrev"
	if ext == ".h5" || ext == ".hdf5" {
		format = "ntidigits-hdf5"
		groups := map[string][]dataset.Sample{}
		for _, s := range samples {
			g := *split
			if g == "auto" {
				g = "train"
				if s.Meta.Index < 5 {
					g = "test"
				}
			}
			groups[g] = append(groups[g], s)
		}
		err = dataset.WriteNTIDIGITS(*out, groups)
	} else {
		err = dataset.WriteEventsFile(*out, d.Shape(), d.Classes(), samples)
	}
	if err != nil {
		return err
	}
	total := 0
	for _, s := range samples {
		total += len(s.Events)
	}
	res := struct {
		Out    string `json:"out"`
		Format string `json:"format"`
		N      int    `json:"n"`
		Events int    `json:"events"`
		Seed   uint64 `json:"seed"`
	}{*out, format, len(samples), total, c.seed}
	if c.json {
		return printJSON(e.stdout, res)
	}
	_, err = fmt.Fprintf(e.stdout, "wrote %d samples (%d events) to %s as %s\n", res.N, res.Events, res.Out, res.Format)
	return err
}

func runDataShow(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "data show", dataUsage("show"))
	idx := fs.Int("i", 0, "sample index")
	out := fs.String("png", "", "output PNG file")
	frames := fs.Int("frames", 6, "time slices for a camera")
	scale := fs.Int("scale", 8, "pixels per sensor pixel")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	spec, err := onePositional("show", pos)
	if err != nil {
		return err
	}
	if *out == "" {
		return usageError{"data show: -png FILE is required"}
	}
	d, err := dataset.Open(spec, dataOptions(e, c))
	if err != nil {
		return err
	}
	if *idx < 0 || *idx >= d.Len() {
		return fmt.Errorf("data show: -i %d out of range [0,%d) for %s", *idx, d.Len(), spec)
	}
	s, err := d.Sample(*idx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	img := dataset.Render(s, d.Shape(), *frames, *scale)
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	if err := atomicfile.Write(*out, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
		return err
	}
	res := struct {
		PNG    string `json:"png"`
		Index  int    `json:"index"`
		Label  int    `json:"label"`
		Events int    `json:"events"`
		Source string `json:"source"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
	}{*out, *idx, s.Label, len(s.Events), s.Meta.Source, img.Bounds().Dx(), img.Bounds().Dy()}
	if c.json {
		return printJSON(e.stdout, res)
	}
	_, err = fmt.Fprintf(e.stdout, "sample %d (label %d, %d events) drawn to %s\n", res.Index, res.Label, res.Events, res.PNG)
	return err
}

func runDataGet(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "data get", dataUsage("get"))
	dir := fs.String("dir", "", "destination folder")
	base := fs.String("base-url", "", "override the archives' base URL (also $RRAMTWIN_DATA_URL)")
	sum := fs.String("sha256", "", "expected SHA-256: HEX for a one-archive dataset, or FILE=HEX,FILE=HEX")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"data get: want exactly one of " + strings.Join(dataset.DownloadNames(), ", ")}
	}
	if *dir == "" {
		return usageError{"data get: -dir DIR is required"}
	}
	opt := dataset.GetOptions{BaseURL: *base, SHA256: map[string]string{}}
	if *sum != "" {
		arch := dataset.Downloads[pos[0]].Archives
		for _, kv := range strings.Split(*sum, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				if len(arch) != 1 {
					return usageError{"data get: -sha256: this dataset has several archives; give FILE=HEX for each"}
				}
				k, v = arch[0].File, kv
			}
			opt.SHA256[k] = v
		}
	}
	if p := progressWriter(e, c); p != nil {
		opt.Progress = p
	}
	res, err := dataset.Get(ctx, pos[0], *dir, opt)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(e.stdout, res)
	}
	_, err = fmt.Fprintf(e.stdout, "%s: %d bytes, sha256 %s, unpacked to %s\n", res.Name, res.Bytes, res.SHA256, res.Dir)
	return err
}
