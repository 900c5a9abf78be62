package bench

import (
	"context"
	"strings"
	"testing"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/macro"
)

const fsddDir = "../../shared/data/fsdd/recordings"

func tinyPaperConfig(t *testing.T) PaperConfig {
	cache := t.TempDir()
	return PaperConfig{
		TrainN: 30, TestN: 20, Epochs: 1,
		OpenData: func(spec string) (dataset.Dataset, error) {
			return dataset.Open(spec, dataset.Options{CacheDir: cache})
		},
	}
}

func TestPaperSkipsWhatIsAbsent(t *testing.T) {
	cfg := tinyPaperConfig(t)
	cfg.NMNISTDir = t.TempDir() + "/nonesuch"
	cfg.ChipAbsent = "no chip in this test"
	r, err := Paper(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 8 || r.Chip != "" || r.ChipAbsent != "no chip in this test" {
		t.Fatalf("rows %d, chip %q (%q)", len(r.Rows), r.Chip, r.ChipAbsent)
	}
	if c := r.Rows[0]; !c.Software.Done() || c.Software.TestN != 20 || c.Chip.Skipped != "no chip in this test" {
		t.Errorf("camera row: %+v", c)
	}
	if c := r.Rows[1]; !strings.Contains(c.Software.Skipped, "real N-MNIST not found at") || c.Chip.Skipped != c.Software.Skipped {
		t.Errorf("real N-MNIST row: %+v", c)
	}
	for _, c := range r.Rows[2:] {
		if c.Software.Skipped != "no FSDD folder given" || c.Chip.Skipped != c.Software.Skipped {
			t.Errorf("%s: %+v", c.Task, c)
		}
	}
}

func TestPaperAssociationNeedsTwoMacros(t *testing.T) {
	needFSDD(t)
	cfg := tinyPaperConfig(t)
	cfg.FSDDDir, cfg.FSDDIndex, cfg.HoldOut = fsddDir, "0-1", "george"
	testN := 20 // 10 digits × 2 recordings of the held-out speaker
	if testing.Short() {
		cfg.FSDDIndex, testN = "0-0", 10
	}
	opened := 0
	cfg.Chip = func(ctx context.Context) (Backend, func(), error) {
		p, err := macro.LoadPreset("lin2025-40nm")
		if err != nil {
			return Backend{}, nil, err
		}
		m, err := macro.NewModel(p, 1)
		opened++
		return Backend{Name: "model", Preset: p.Name, Chip: m}, func() {}, err
	}
	r, err := Paper(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// One look at the chip, then a fresh chip for each of camera, audio,
	// audio + VTLP and the two associations (the real N-MNIST row has no
	// folder).
	if opened != 6 {
		t.Errorf("chip opened %d times, want 6", opened)
	}
	audio := r.Rows[2]
	if !audio.Software.Done() || !audio.Chip.Done() || !strings.Contains(audio.Data, "speakers=jackson,lucas,theo,yweweler&index="+cfg.FSDDIndex+" → ") ||
		!strings.HasSuffix(audio.Data, "speakers=george&index="+cfg.FSDDIndex) || audio.Software.TestN != testN {
		t.Errorf("audio row: %+v", audio)
	}
	if v := r.Rows[3]; !v.Software.Done() || !v.Chip.Done() || v.Data != audio.Data || v.Beyond == "" || v.Software.TestN != testN {
		t.Errorf("audio + VTLP row: %+v", v)
	}
	for i, row := range r.Rows[4:] {
		if (i >= 2) != (row.Beyond != "") {
			t.Errorf("%s: beyond the paper %q", row.Task, row.Beyond)
		}
		if !row.Software.Done() || row.Software.TestN < 1 {
			t.Errorf("%s on gauss: %+v", row.Task, row.Software)
		}
		if !strings.Contains(row.Chip.Skipped, "association needs 2 macros") {
			t.Errorf("%s on a 1-macro chip: %+v", row.Task, row.Chip)
		}
	}
	cfg.HoldOut, cfg.Chip = "nobody", nil
	r, err = Paper(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Rows[2].Software.Skipped, `no speaker "nobody"`) {
		t.Errorf("unknown speaker: %+v", r.Rows[2])
	}
}
