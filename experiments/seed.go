package experiments

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Seed is an unsigned 64-bit seed. In TOML it is an integer from 0 to
// 2^63−1 (the largest integer TOML can hold), or a string of decimal
// digits for any value up to 2^64−1, so every seed byzsim prints can be
// pasted back. A negative seed is an error. Seed 0 means the default, 1.
type Seed uint64

// UnmarshalTOML implements toml.Unmarshaler.
func (s *Seed) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case int64:
		if x < 0 {
			return fmt.Errorf("%d is negative (allowed: 0 to %d; write seeds above %d as strings, e.g. \"%d\")", x, uint64(math.MaxUint64), int64(math.MaxInt64), uint64(math.MaxUint64))
		}
		*s = Seed(x)
		return nil
	case string:
		n, err := ParseSeed(x)
		if err != nil {
			return err
		}
		*s = Seed(n)
		return nil
	}
	return fmt.Errorf("want an integer or a string of digits, got %s", describe(v))
}

// MarshalTOML implements toml.Marshaler: an integer when TOML can hold it,
// else a string.
func (s Seed) MarshalTOML() ([]byte, error) {
	if uint64(s) > math.MaxInt64 {
		return []byte(`"` + strconv.FormatUint(uint64(s), 10) + `"`), nil
	}
	return []byte(strconv.FormatUint(uint64(s), 10)), nil
}

// ParseSeed parses a seed written in decimal: 0 to 2^64−1.
func ParseSeed(text string) (uint64, error) {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("seed %q is negative (allowed: 0 to %d)", text, uint64(math.MaxUint64))
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("seed %q is not a decimal number from 0 to %d", text, uint64(math.MaxUint64))
	}
	return n, nil
}
