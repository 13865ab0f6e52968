package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/byzsim/byzsim/results"
)

// calibrateCmd measures this machine's costs of the operations byzsim's cost
// model charges, with Go's own crypto, and writes them as a [costs] table
// that an experiment includes with [costs] file = "FILE". It is the one
// place where byzsim reads the wall clock for a result.
func calibrateCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("calibrate", flag.ContinueOnError)
	out := fs.String("o", "", "write the [costs] table to `FILE` instead of standard output")
	per := fs.Duration("time", 100*time.Millisecond, "CPU time of one round of one operation (five rounds each; the median is kept)")
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("byzsim calibrate: unexpected argument %q (usage: byzsim calibrate [-o FILE] [-time D])", pos[0])
	}
	if *per <= 0 {
		return usageErrorf("byzsim calibrate: -time must be > 0")
	}
	text := formatCalibration(measureCosts(*per))
	if *out == "" {
		_, err := io.WriteString(stdout, text)
		return err
	}
	if err := results.WriteFileAtomic(*out, []byte(text)); err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	return nil
}

// calibration holds measured costs, in nanoseconds per operation.
type calibration struct {
	sign, verify, hash64 float64
	// perMessage is encoding and decoding a message without payload;
	// perByte is the extra cost per payload byte.
	perMessage, perByte float64
}

// measureCosts times each operation for five rounds of about d each and
// keeps the median round.
func measureCosts(d time.Duration) calibration {
	seed := sha256.Sum256([]byte("byzsim calibrate"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	digest := sha256.Sum256(seed[:])
	sig := ed25519.Sign(priv, digest[:])
	block := make([]byte, 64)
	var sink byte
	var c calibration
	c.sign = median(d, func() { sink ^= ed25519.Sign(priv, digest[:])[0] })
	c.verify = median(d, func() {
		if !ed25519.Verify(pub, digest[:], sig) {
			panic("calibrate: a valid signature did not verify")
		}
	})
	c.hash64 = median(d, func() {
		h := sha256.Sum256(block)
		sink ^= h[0]
		block[0] = sink
	})
	const big = 4096
	small := median(d, codecRound(0))
	large := median(d, codecRound(big))
	c.perMessage = small
	c.perByte = max(0, (large-small)/big)
	_ = sink
	return c
}

// codecRound returns one encode + decode of a message with a payload of
// size bytes: a header of kind, round, sender and a 32-byte digest, a
// length-prefixed payload, decoded into a fresh value whose payload is
// copied (as a decoder that does not alias its input buffer does).
func codecRound(size int) func() {
	type message struct {
		kind          uint8
		round, sender uint64
		digest        [32]byte
		payload       []byte
	}
	m := message{kind: 3, round: 12345, sender: 7, payload: make([]byte, size)}
	for i := range m.payload {
		m.payload[i] = byte(i)
	}
	var buf []byte
	return func() {
		buf = append(buf[:0], m.kind)
		buf = binary.BigEndian.AppendUint64(buf, m.round)
		buf = binary.BigEndian.AppendUint64(buf, m.sender)
		buf = append(buf, m.digest[:]...)
		buf = binary.AppendUvarint(buf, uint64(len(m.payload)))
		buf = append(buf, m.payload...)

		var d message
		d.kind = buf[0]
		d.round = binary.BigEndian.Uint64(buf[1:])
		d.sender = binary.BigEndian.Uint64(buf[9:])
		copy(d.digest[:], buf[17:49])
		n, k := binary.Uvarint(buf[49:])
		d.payload = append([]byte(nil), buf[49+k:49+k+int(n)]...)
		if d.round != m.round || len(d.payload) != len(m.payload) {
			panic("calibrate: message did not decode")
		}
	}
}

// median runs op in five rounds of about d each and returns the median
// time per call, in nanoseconds. The garbage collector is off meanwhile, so
// that its work is not charged to the operation.
func median(d time.Duration, op func()) float64 {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	var rounds []float64
	for range 5 {
		runtime.GC()
		rounds = append(rounds, timeOp(d, op))
	}
	slices.Sort(rounds)
	return rounds[len(rounds)/2]
}

// timeOp calls op in batches of growing size until a batch takes at least
// d, and returns the time per call of that batch, in nanoseconds: the
// process's CPU time where the system reports it (other processes on a
// shared machine do not count), else wall time.
func timeOp(d time.Duration, op func()) float64 {
	now := time.Now
	since := time.Since
	if haveCPUTime {
		now = func() time.Time { return time.Unix(0, int64(cpuTime())) }
		since = func(t time.Time) time.Duration { return cpuTime() - time.Duration(t.UnixNano()) }
	}
	for n := 1; ; n *= 2 {
		start := now()
		for range n {
			op()
		}
		el := since(start)
		if el >= d || n >= 1<<30 {
			return float64(el.Nanoseconds()) / float64(n)
		}
	}
}

// formatCalibration renders c as a [costs] table with comments saying where
// each value comes from.
func formatCalibration(c calibration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# byzsim calibrate: costs measured on this machine (%s/%s, %d CPUs, %s) with Go's crypto.\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	b.WriteString("# Include it in an experiment with [costs] file = \"this file\" (relative to the experiment);\n")
	b.WriteString("# keys of the experiment's own [costs] table override these. execute keeps the model's value.\n")
	b.WriteString("[costs]\n")
	b.WriteString("model = \"default\"\n")
	line := func(key string, ns float64, comment string) {
		fmt.Fprintf(&b, "%-24s # %s\n", fmt.Sprintf("%s = %q", key, formatNs(ns)), comment)
	}
	line("sign", c.sign, "crypto/ed25519 Sign of a 32-byte digest")
	line("verify", c.verify, "crypto/ed25519 Verify of a 32-byte digest")
	line("hash64", c.hash64, "crypto/sha256 Sum256 of 64 bytes")
	line("per_message", c.perMessage, "encode + decode of a message header (no system calls)")
	line("per_byte", c.perByte, fmt.Sprintf("encode + decode per payload byte (measured %.3f ns; the model counts whole nanoseconds)", c.perByte))
	return b.String()
}

// formatNs formats a duration of ns nanoseconds, rounded to the nearest
// nanosecond, as a TOML duration string ("850ns", "41.237us").
func formatNs(ns float64) string {
	n := int64(math.Round(ns))
	if n < 1000 {
		return strconv.FormatInt(n, 10) + "ns"
	}
	return strconv.FormatFloat(float64(n)/1000, 'f', -1, 64) + "us"
}
