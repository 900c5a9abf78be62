package firmware

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rramtwin/rramtwin/protocol"
)

var update = flag.Bool("update", false, "rewrite the worked frames in docs/PROTOCOL.md")

const docPath = "../docs/PROTOCOL.md"

// hexLines renders b as hex, 16 bytes a line, continuation lines indented.
func hexLines(b []byte, indent string) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 16 {
		if i > 0 {
			sb.WriteString("\n" + indent)
		}
		for j := i; j < min(i+16, len(b)); j++ {
			if j > i {
				sb.WriteByte(' ')
			}
			fmt.Fprintf(&sb, "%02x", b[j])
		}
	}
	if len(b) == 0 {
		sb.WriteString("(none)")
	}
	return sb.String()
}

// render describes one wire frame.
func render(sb *strings.Builder, wire []byte) {
	var buf [protocol.MaxEncoded]byte
	f, err := protocol.DecodeFrame(buf[:], wire)
	if err != nil {
		panic(err)
	}
	raw, _ := protocol.DecodeCOBS(nil, wire[:len(wire)-1])
	dir := "host → board"
	if f.Flags&protocol.FlagReply != 0 {
		dir = "board → host"
	}
	st := ""
	if f.Flags&protocol.FlagReply != 0 {
		st = ", status " + protocol.Status(f.Payload[0]).String()
	}
	fmt.Fprintf(sb, "%s: %v, seq %d, %d payload bytes%s\n", dir, f.Command, f.Seq, f.Length, st)
	fmt.Fprintf(sb, "  header   %s\n", hexLines(raw[:protocol.HeaderLen], ""))
	fmt.Fprintf(sb, "  payload  %s\n", hexLines(f.Payload, "           "))
	fmt.Fprintf(sb, "  crc      %s\n", hexLines(raw[len(raw)-2:], ""))
	fmt.Fprintf(sb, "  wire     %s\n", hexLines(wire, "           "))
}

// docFrames runs the worked exchanges against a handler and renders them.
func docFrames(t *testing.T) string {
	r := newRig(t, Config{BoardNonce: 0x1234})
	var sb strings.Builder
	// exchange sends one request; note describes it given the reply body.
	exchange := func(title string, note func(body []byte) string, cmd protocol.Command, payload []byte, poll bool) {
		req := r.frame(cmd, payload)
		r.out.Reset()
		if err := r.h.Feed(req); err != nil {
			t.Fatal(err)
		}
		if poll {
			r.h.Poll()
		}
		reply := bytes.Clone(r.out.Bytes())
		var buf [protocol.MaxEncoded]byte
		f, err := protocol.DecodeFrame(buf[:], reply)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sb, "#### %s\n\n%s\n\n```\n", title, note(f.Payload[1:]))
		render(&sb, req)
		sb.WriteString("\n")
		render(&sb, reply)
		sb.WriteString("```\n\n")
	}
	fixed := func(s string) func([]byte) string { return func([]byte) string { return s } }
	exchange("Hello", fixed("Host nonce 0x0000002a. The reply: version 1, 1 macro of 32 × 24, 8-bit ADC, "+
		"read 200 mV (00c8), max payload 1024, capabilities 0x030d, board nonce 0x1234, the limits "+
		"(4500 mV and 300 µA are this chip's own, tighter than the firmware's), buffers, then the texts."),
		protocol.CmdHello, protocol.HelloRequest{Version: 1, HostNonce: 42}.Append(nil), false)
	form := protocol.FormRequest{Region: protocol.Region{Row0: 0, Row1: 4, Col0: 0, Col1: 4},
		Pulse: protocol.FormPulse{VoltageMV: 3500, WidthNS: 1000, ComplianceNA: 100000}}
	exchange("Form", fixed("Rows 0:4 × cols 0:4 of macro 0, 3.5 V (0dac), 1 µs (000003e8), 100 µA (000186a0). "+
		"The reply queues job 1 (state 1) of 16 cells."), protocol.CmdForm, form.Append(nil), true)
	exchange("Form progress", func(b []byte) string {
		var jr protocol.JobReply
		_ = jr.Decode(b)
		s := protocol.UnpackFormSummary(jr.Summary)
		return fmt.Sprintf("The board ran the job from its main loop: state %d (%v), status %v, %d/%d cells; "+
			"summary: %d cells, %d newly formed, %d already formed, energy %d aJ.", jr.State, jr.State, jr.Status,
			jr.Done, jr.Total, s.Cells, s.Formed, s.AlreadyFormed, s.EnergyAJ)
	}, protocol.CmdJob, protocol.JobRequest{Job: 1}.Append(nil), false)
	bad := form
	bad.Pulse.VoltageMV = 9000
	exchange("Form refused", fixed("9 V is over the 4.5 V limit: status 0x06 (voltage), field 0x07 (voltage, mV), "+
		"value 9000, allowed 1..4500. Nothing touched the array."), protocol.CmdForm, bad.Append(nil), true)
	read := protocol.ReadRequest{Region: protocol.Region{Row0: 0, Row1: 2, Col0: 0, Col1: 4}, Count: 4}
	chunkNote := func(b []byte) string {
		var c protocol.ResultChunk
		_ = c.Decode(b)
		var vals []string
		for k := range int(c.Count) {
			e := c.Data[k*c.Kind.ElemSize():]
			switch c.Kind {
			case protocol.ResultConductance:
				vals = append(vals, fmt.Sprintf("%.2f µS", protocol.MicroSiemens(int64(protocol.Be16(e)))))
			default:
				vals = append(vals, fmt.Sprint(int32(protocol.Be32(e))))
			}
		}
		return fmt.Sprintf("The reply: result %d, kind %d (%v), total %d, offset %d, count %d: %s.",
			c.Result, c.Kind, c.Kind, c.Total, c.Offset, c.Count, strings.Join(vals, ", "))
	}
	exchange("Chunked read (first chunk)", func(b []byte) string {
		return "Read rows 0:2 × cols 0:4 (8 cells), at most 4 elements per chunk. " + chunkNote(b)
	}, protocol.CmdRead, read.Append(nil), false)
	exchange("Chunked read (next chunk)", func(b []byte) string {
		return "Fetch result 1 from element 4 (count 0: as many as fit). " + chunkNote(b)
	}, protocol.CmdResult,
		protocol.ResultRequest{Result: 1, Offset: 4}.Append(nil), false)
	reg := protocol.Region{Row0: 0, Row1: 4, Col0: 0, Col1: 4}
	vals := []uint8{1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1}
	in := protocol.PackBits(nil, vals)
	exchange("MAC batch: stage inputs", fixed("4 binary vectors over 4 rows = 16 bits = 2 bytes (0x31, 0xf7: "+
		"LSB first). The first byte is staged with load at offset 0; the reply says 1 byte is staged."),
		protocol.CmdLoad, protocol.Load{Offset: 0, Data: in[:1]}.Append(nil), false)
	exchange("MAC batch: run", func(b []byte) string {
		return "Region rows 0:4 × cols 0:4, bits 1, no flags, n 4, staged 1, inline 0xf7; the 16 outputs " +
			"are 4 vectors × 4 columns, vector-major. " + chunkNote(b)
	}, protocol.CmdMAC, protocol.MACRequest{Region: reg, Bits: 1, N: 4, Staged: 1, Inline: in[1:]}.Append(nil), false)
	return sb.String()
}

// TestProtocolDoc checks that the worked frames in docs/PROTOCOL.md are
// exactly what the code produces (go test -run TestProtocolDoc -update
// rewrites them).
func TestProtocolDoc(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	const open, close = "<!-- frames -->\n", "<!-- /frames -->"
	i, j := bytes.Index(doc, []byte(open)), bytes.Index(doc, []byte(close))
	if i < 0 || j < i {
		t.Fatalf("%s: no %q … %q section", docPath, open, close)
	}
	want := docFrames(t)
	got := string(doc[i+len(open) : j])
	if got == want {
		return
	}
	if !*update {
		t.Fatalf("%s: worked frames are stale; run go test ./firmware -run TestProtocolDoc -update", docPath)
	}
	out := append(append(append([]byte(nil), doc[:i+len(open)]...), want...), doc[j:]...)
	tmp, err := os.CreateTemp(filepath.Dir(docPath), ".PROTOCOL.md.*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmp.Write(out); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), docPath); err != nil {
		t.Fatal(err)
	}
}
