package twins

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sort"
	"strings"
)

// Message types a drop can name; "*" matches every message (sync included).
const (
	MsgProposal = "proposal"
	MsgVote     = "vote"
	MsgTimeout  = "timeout"
	MsgAny      = "*"
)

// msgTypes lists the drop message types in enumeration order.
var msgTypes = []string{MsgProposal, MsgVote, MsgTimeout, MsgAny}

// Format names the scenario file format in its header line.
const Format = "byzsim-twins/1"

// MaxProcesses bounds n + t (processes are bits of a uint64 and Stirling
// enumeration is exponential anyway).
const MaxProcesses = 32

// MaxRounds bounds the rounds of a scenario read from a file.
const MaxRounds = 4096

// Drop drops every message of type Msg from process Src to process Dst.
type Drop struct {
	Src int    `json:"src"`
	Dst int    `json:"dst"`
	Msg string `json:"msg"`
}

// Round is one round of a scenario.
type Round struct {
	// Leader is the identity (replica id) that leads the round.
	Leader int `json:"leader"`
	// Partition lists the buckets, each the processes in it.
	Partition [][]int `json:"partition"`
	// Drops are drops inside buckets.
	Drops []Drop `json:"drops,omitempty"`
}

// Scenario is one Twins test case.
type Scenario struct {
	// Index is the scenario's position among the generated ones.
	Index int64 `json:"index"`
	// GST is the index of the first GST round: rounds from GST on have one
	// bucket with every process, no drops and correct leaders.
	GST int `json:"gst"`
	// Rounds is the leader, partition and drops of each round.
	Rounds []Round `json:"rounds"`
}

// Header is the first line of a scenario file: the system the scenarios
// are for, and the executor settings needed to replay them exactly.
type Header struct {
	Format string `json:"format"`
	// Protocol names the protocol under test; empty means the default
	// protocol of the byzsim build (files written before protocols were
	// named ran that one).
	Protocol string `json:"protocol,omitempty"`
	N        int    `json:"n"`
	F        int    `json:"f"`
	T        int    `json:"t"`
	// Executor settings (the executor validates them).
	Delta       string   `json:"delta"`
	Delay       string   `json:"delay"`
	TimerFactor int      `json:"timer_factor"`
	Seed        uint64   `json:"seed"`
	Bugs        []string `json:"bugs,omitempty"`
}

// Validate checks the header's system: 1 ≤ n, 0 ≤ t ≤ f, 3f < n, n+t ≤
// MaxProcesses.
func (h *Header) Validate() error {
	switch {
	case h.Format != Format:
		return fmt.Errorf("format: want %q, got %q", Format, h.Format)
	case h.N < 1:
		return fmt.Errorf("n: must be ≥ 1, got %d", h.N)
	case h.F < 0 || 3*h.F >= h.N:
		return fmt.Errorf("f: must satisfy 0 ≤ f and 3f < n = %d, got %d", h.N, h.F)
	case h.T < 0 || h.T > h.F:
		return fmt.Errorf("t: must be in [0, f = %d], got %d", h.F, h.T)
	case h.N+h.T > MaxProcesses:
		return fmt.Errorf("n + t: must be ≤ %d, got %d", MaxProcesses, h.N+h.T)
	}
	return nil
}

// Identity returns the replica id of process p of a system with n replicas.
func Identity(p, n int) int {
	if p >= n {
		return p - n
	}
	return p
}

// Validate checks a scenario for a system of n replicas, t of them
// twinned: every process in exactly one bucket of every round, leaders in
// range, drops inside a bucket and of a known type, and GST rounds with a
// single bucket, no drops and a correct leader. The error names the field.
func (s *Scenario) Validate(n, t int) error {
	m := n + t
	if len(s.Rounds) == 0 || len(s.Rounds) > MaxRounds {
		return fmt.Errorf("rounds: want 1 … %d rounds, got %d", MaxRounds, len(s.Rounds))
	}
	if s.GST < 0 || s.GST > len(s.Rounds) {
		return fmt.Errorf("gst: must be in [0, %d] (the number of rounds), got %d", len(s.Rounds), s.GST)
	}
	for i, r := range s.Rounds {
		key := fmt.Sprintf("rounds[%d]", i)
		if r.Leader < 0 || r.Leader >= n {
			return fmt.Errorf("%s.leader: must be a replica in [0, %d], got %d", key, n-1, r.Leader)
		}
		bucket := make([]int, m)
		for j := range bucket {
			bucket[j] = -1
		}
		for b, procs := range r.Partition {
			if len(procs) == 0 {
				return fmt.Errorf("%s.partition[%d]: empty bucket", key, b)
			}
			for _, p := range procs {
				if p < 0 || p >= m {
					return fmt.Errorf("%s.partition[%d]: process %d out of range [0, %d]", key, b, p, m-1)
				}
				if bucket[p] >= 0 {
					return fmt.Errorf("%s.partition[%d]: process %d is also in bucket %d", key, b, p, bucket[p])
				}
				bucket[p] = b
			}
		}
		for p, b := range bucket {
			if b < 0 {
				return fmt.Errorf("%s.partition: process %d is in no bucket", key, p)
			}
		}
		for j, d := range r.Drops {
			dk := fmt.Sprintf("%s.drops[%d]", key, j)
			switch {
			case d.Src < 0 || d.Src >= m || d.Dst < 0 || d.Dst >= m:
				return fmt.Errorf("%s: processes must be in [0, %d], got src %d dst %d", dk, m-1, d.Src, d.Dst)
			case d.Src == d.Dst:
				return fmt.Errorf("%s: src and dst must differ, got %d", dk, d.Src)
			case bucket[d.Src] != bucket[d.Dst]:
				return fmt.Errorf("%s: processes %d and %d are in different buckets (a drop is inside a bucket)", dk, d.Src, d.Dst)
			case msgIndex(d.Msg) < 0:
				return fmt.Errorf("%s.msg: unknown message type %q (allowed: %s)", dk, d.Msg, strings.Join(msgTypes, ", "))
			}
		}
		if i >= s.GST {
			switch {
			case len(r.Partition) != 1:
				return fmt.Errorf("%s.partition: a GST round (≥ gst = %d) has one bucket with every process, got %d buckets", key, s.GST, len(r.Partition))
			case len(r.Drops) != 0:
				return fmt.Errorf("%s.drops: a GST round (≥ gst = %d) has no drops", key, s.GST)
			case r.Leader < t:
				return fmt.Errorf("%s.leader: a GST round (≥ gst = %d) has a correct leader (≥ %d), got twinned replica %d", key, s.GST, t, r.Leader)
			}
		}
	}
	return nil
}

func msgIndex(msg string) int {
	for i, m := range msgTypes {
		if m == msg {
			return i
		}
	}
	return -1
}

// Masks returns the round's buckets as bit sets of processes.
func (r *Round) Masks() []uint64 {
	out := make([]uint64, len(r.Partition))
	for b, procs := range r.Partition {
		for _, p := range procs {
			out[b] |= 1 << p
		}
	}
	return out
}

// HasQuorum reports whether some bucket of the round holds at least q
// distinct identities (a replica and its twin count once).
func (r *Round) HasQuorum(n, q int) bool {
	for _, mask := range r.Masks() {
		if identities(mask, n) >= q {
			return true
		}
	}
	return false
}

// identities counts the distinct identities of a bucket.
func identities(mask uint64, n int) int {
	low := mask & (1<<n - 1)
	return bits.OnesCount64(low | mask>>n)
}

// Writer writes a scenario file: a header line, then one scenario a line.
type Writer struct {
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
}

// NewWriter writes the header to w and returns a Writer for scenarios.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	sw := &Writer{w: bufio.NewWriter(w)}
	sw.enc = json.NewEncoder(&sw.buf)
	h.Format = Format
	if err := sw.line(h); err != nil {
		return nil, err
	}
	return sw, nil
}

func (sw *Writer) line(v any) error {
	sw.buf.Reset()
	if err := sw.enc.Encode(v); err != nil {
		return fmt.Errorf("twins: encoding: %w", err)
	}
	_, err := sw.w.Write(sw.buf.Bytes())
	return err
}

// Write writes one scenario line.
func (sw *Writer) Write(s *Scenario) error { return sw.line(s) }

// Flush flushes buffered lines.
func (sw *Writer) Flush() error { return sw.w.Flush() }

// FileError is a problem in a scenario file, located by line.
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Bounds of a scenario file, so that replaying a hostile file cannot
// exhaust memory: one line, the whole file, and the number of scenarios.
const (
	maxLine          = 16 << 20
	MaxScenarioBytes = 256 << 20
	MaxScenarios     = 1 << 20
)

// ReadScenarios reads a scenario file (name is used in errors): the header
// line and every scenario, each validated. An empty line ends nothing and
// is skipped; anything else that is not valid is a *FileError.
func ReadScenarios(r io.Reader, name string) (Header, []Scenario, error) {
	return readScenarios(r, name, MaxScenarioBytes, MaxScenarios)
}

// readScenarios is ReadScenarios with the file's bounds as parameters.
func readScenarios(r io.Reader, name string, maxBytes, maxScenarios int) (Header, []Scenario, error) {
	var h Header
	var out []Scenario
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	line, seenHeader, size := 0, false, 0
	for sc.Scan() {
		line++
		size += len(sc.Bytes()) + 1
		if size > maxBytes {
			return h, nil, &FileError{name, line, fmt.Sprintf("the file is larger than %d bytes (allowed: at most %d bytes)", maxBytes, maxBytes)}
		}
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if !seenHeader {
			if err := decodeStrict(text, &h); err != nil {
				return h, nil, &FileError{name, line, "header: " + err.Error()}
			}
			if err := h.Validate(); err != nil {
				return h, nil, &FileError{name, line, "header: " + err.Error()}
			}
			seenHeader = true
			continue
		}
		if len(out) == maxScenarios {
			return h, nil, &FileError{name, line, fmt.Sprintf("more than %d scenarios (allowed: at most %d per file)", maxScenarios, maxScenarios)}
		}
		var s Scenario
		if err := decodeStrict(text, &s); err != nil {
			return h, nil, &FileError{name, line, "scenario: " + err.Error()}
		}
		if err := s.Validate(h.N, h.T); err != nil {
			return h, nil, &FileError{name, line, err.Error()}
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return h, nil, &FileError{name, line + 1, "reading: " + err.Error()}
	}
	if !seenHeader {
		return h, nil, &FileError{name, 1, "empty file: want a header line {\"format\": \"" + Format + "\", ...}"}
	}
	return h, out, nil
}

// decodeStrict decodes one JSON value, rejecting unknown fields and
// trailing data.
func decodeStrict(text []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// fullRound returns a GST round: one bucket of all m processes.
func fullRound(leader, m int) Round {
	all := make([]int, m)
	for i := range all {
		all[i] = i
	}
	return Round{Leader: leader, Partition: [][]int{all}}
}

// sortedProcs lists the processes of a mask in increasing order.
func sortedProcs(mask uint64) []int {
	var out []int
	for mask != 0 {
		p := bits.TrailingZeros64(mask)
		out = append(out, p)
		mask &^= 1 << p
	}
	sort.Ints(out)
	return out
}
