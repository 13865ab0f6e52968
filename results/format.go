package results

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/byzsim/byzsim/sim"
)

// floatDecimals is the number of decimals every float is written with.
const floatDecimals = 6

// Decimals of the exact forms of a sim.Time (nanoseconds).
const (
	secondDecimals = 9 // seconds: 1.000000001
	milliDecimals  = 6 // milliseconds: 0.000001
)

// pow10 returns 10^n for small n.
func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

// formatFloat writes f with strconv 'f' and floatDecimals decimals; NaN and
// infinities (undefined values) are written as the empty string.
func formatFloat(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return ""
	}
	return strconv.FormatFloat(f, 'f', floatDecimals, 64)
}

// parseFloat reads what formatFloat wrote; the empty string is NaN.
func parseFloat(s string) (float64, error) {
	if s == "" {
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// formatScaled writes v/10^decimals exactly, with all decimals:
// formatScaled(1500, 3) is "1.500".
func formatScaled(v int64, decimals int) string {
	return string(appendScaled(nil, v, decimals))
}

func appendScaled(b []byte, v int64, decimals int) []byte {
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = -u
	}
	p := pow10(decimals)
	b = strconv.AppendUint(b, u/p, 10)
	if decimals == 0 {
		return b
	}
	b = append(b, '.')
	var tmp [20]byte
	frac := strconv.AppendUint(tmp[:0], u%p, 10)
	for i := len(frac); i < decimals; i++ {
		b = append(b, '0')
	}
	return append(b, frac...)
}

// parseScaled reads a decimal number as an integer count of 10^-decimals
// units, exactly: parseScaled("1.5", 3) is 1500. More decimals than the
// scale are rounded half away from zero.
func parseScaled(s string, decimals int) (int64, error) {
	bad := func() (int64, error) { return 0, fmt.Errorf("invalid decimal %q", s) }
	str := s
	neg := false
	if strings.HasPrefix(str, "-") {
		neg, str = true, str[1:]
	}
	ip, fp, _ := strings.Cut(str, ".")
	if ip == "" && fp == "" {
		return bad()
	}
	if !digits(ip) || !digits(fp) {
		return bad()
	}
	var whole uint64
	if ip != "" {
		w, err := strconv.ParseUint(ip, 10, 63)
		if err != nil {
			return bad()
		}
		whole = w
	}
	var up uint64 // 1 to round up
	if len(fp) > decimals {
		if fp[decimals] >= '5' {
			up = 1
		}
		fp = fp[:decimals]
	}
	fp += strings.Repeat("0", decimals-len(fp))
	var frac uint64
	if fp != "" {
		frac, _ = strconv.ParseUint(fp, 10, 63)
	}
	p := pow10(decimals)
	if whole > (math.MaxInt64-frac-up)/p {
		return bad()
	}
	v := int64(whole*p + frac + up)
	if neg {
		v = -v
	}
	return v, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// formatSeconds writes t in seconds, exactly (9 decimals).
func formatSeconds(t sim.Time) string { return formatScaled(int64(t), secondDecimals) }

// parseSeconds reads what formatSeconds wrote.
func parseSeconds(s string) (sim.Time, error) {
	v, err := parseScaled(s, secondDecimals)
	return sim.Time(v), err
}

// formatMillis writes t in milliseconds, exactly (6 decimals).
func formatMillis(t sim.Time) string { return formatScaled(int64(t), milliDecimals) }

// parseMillis reads what formatMillis wrote.
func parseMillis(s string) (sim.Time, error) {
	v, err := parseScaled(s, milliDecimals)
	return sim.Time(v), err
}

// Float is a float64 written to JSON with a fixed format (strconv 'f', 6
// decimals). NaN and infinities, which stand for undefined values such as
// the latency of no request, are written as null and read back as NaN.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	s := formatFloat(float64(f))
	if s == "" {
		return []byte("null"), nil
	}
	return []byte(s), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("results: invalid number %s", b)
	}
	*f = Float(v)
	return nil
}

// Seconds is a virtual time written to JSON as an exact decimal number of
// seconds (9 decimals, so every nanosecond survives a round trip).
type Seconds sim.Time

// MarshalJSON implements json.Marshaler.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return appendScaled(nil, int64(s), secondDecimals), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *Seconds) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return errors.New("results: seconds must not be null")
	}
	v, err := parseSeconds(string(b))
	if err != nil {
		return fmt.Errorf("results: invalid seconds %s", b)
	}
	*s = Seconds(v)
	return nil
}

// Time returns s as a sim.Time.
func (s Seconds) Time() sim.Time { return sim.Time(s) }
