package crossbar

import (
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed presets/*.json
var presetFS embed.FS

// PresetNames lists the shipped presets, sorted.
func PresetNames() []string {
	ents, err := presetFS.ReadDir("presets")
	if err != nil {
		panic("crossbar: " + err.Error()) // embedded at build time
	}
	var names []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Preset returns the named preset, decoded strictly and validated.
func Preset(name string) (Params, error) {
	b, err := presetFS.ReadFile("presets/" + name + ".json")
	if err != nil || strings.ContainsAny(name, "/\\") {
		return Params{}, fmt.Errorf("%w %q (have %s)", ErrUnknown, name, strings.Join(PresetNames(), ", "))
	}
	p, err := DecodeParams(bytes.NewReader(b))
	if err != nil {
		return Params{}, fmt.Errorf("crossbar: preset %s: %w", name, err)
	}
	if p.Name != name {
		return Params{}, fmt.Errorf("crossbar: preset file %s.json names itself %q", name, p.Name)
	}
	return p, nil
}

// MustPreset is Preset for the shipped names in tests and examples; it
// panics on an unknown name.
func MustPreset(name string) Params {
	p, err := Preset(name)
	if err != nil {
		panic(err.Error())
	}
	return p
}
