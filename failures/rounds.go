package failures

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// RoundRange is the inclusive range of rounds Lo … Hi.
type RoundRange struct{ Lo, Hi int64 }

// RoundSet is a set of rounds as a list of inclusive ranges. The empty set
// means every round (a rule without rounds). Ranges may overlap and come in
// any order; Normalize sorts and merges them.
type RoundSet []RoundRange

// Rounds returns the set lo … hi (inclusive).
func Rounds(lo, hi int64) RoundSet { return RoundSet{{lo, hi}} }

// RoundList returns the set of the listed rounds.
func RoundList(rounds ...int64) RoundSet {
	s := make(RoundSet, len(rounds))
	for i, r := range rounds {
		s[i] = RoundRange{r, r}
	}
	return s
}

// All reports whether s is empty, that is, matches every round.
func (s RoundSet) All() bool { return len(s) == 0 }

// Contains reports whether round r is in s; the empty set contains every
// round.
func (s RoundSet) Contains(r int64) bool {
	if len(s) == 0 {
		return true
	}
	for _, rr := range s {
		if rr.Lo <= r && r <= rr.Hi {
			return true
		}
	}
	return false
}

// Normalize returns s sorted by Lo with overlapping and adjacent ranges
// merged; s is not modified.
func (s RoundSet) Normalize() RoundSet {
	if len(s) == 0 {
		return nil
	}
	out := slices.Clone(s)
	slices.SortFunc(out, func(a, b RoundRange) int {
		switch {
		case a.Lo < b.Lo:
			return -1
		case a.Lo > b.Lo:
			return 1
		}
		return 0
	})
	m := out[:1]
	for _, rr := range out[1:] {
		last := &m[len(m)-1]
		if last.Hi == math.MaxInt64 || rr.Lo <= last.Hi+1 {
			last.Hi = max(last.Hi, rr.Hi)
			continue
		}
		m = append(m, rr)
	}
	return m
}

// String returns s in the experiment syntax, e.g. [1, 3, "5-9"]; the empty
// set is "*".
func (s RoundSet) String() string {
	if len(s) == 0 {
		return "*"
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, rr := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		if rr.Lo == rr.Hi {
			b.WriteString(strconv.FormatInt(rr.Lo, 10))
		} else {
			fmt.Fprintf(&b, "%q", strconv.FormatInt(rr.Lo, 10)+"-"+strconv.FormatInt(rr.Hi, 10))
		}
	}
	b.WriteByte(']')
	return b.String()
}

// validate checks every range is non-empty and non-negative.
func (s RoundSet) validate() error {
	for i, rr := range s {
		switch {
		case rr.Lo < 0:
			return fieldErr(fmt.Sprintf("[%d]", i), fmt.Sprintf("round %d is negative (rounds are >= 0)", rr.Lo))
		case rr.Hi < rr.Lo:
			return fieldErr(fmt.Sprintf("[%d]", i), fmt.Sprintf("range %d-%d is empty (want a-b with a <= b)", rr.Lo, rr.Hi))
		}
	}
	return nil
}

const roundsAllowed = `(allowed: a round number >= 0, or a range "a-b" with 0 <= a <= b)`

// ParseRounds parses a round set written as a list whose items are round
// numbers (int, int64, or integral float64 as JSON decodes them) or strings
// holding a number or an inclusive range "a-b", e.g. [1, 3, "5-9"]. An
// empty list is the set of every round. The error is a *FieldError whose
// Field is the item index, e.g. "[2]".
func ParseRounds(items []any) (RoundSet, error) {
	s := make(RoundSet, 0, len(items))
	for i, it := range items {
		rr, err := parseRoundItem(it)
		if err != nil {
			return nil, fieldErr(fmt.Sprintf("[%d]", i), err.Error())
		}
		s = append(s, rr)
	}
	return s, nil
}

// ParseRoundSpec parses a round set written as text: comma-separated round
// numbers and inclusive ranges, e.g. "1, 3, 5-9". An empty or blank string,
// or "*", is the set of every round.
func ParseRoundSpec(text string) (RoundSet, error) {
	text = strings.TrimSpace(text)
	if text == "" || text == "*" {
		return nil, nil
	}
	parts := strings.Split(text, ",")
	s := make(RoundSet, 0, len(parts))
	for i, p := range parts {
		rr, err := parseRoundString(strings.TrimSpace(p))
		if err != nil {
			return nil, fieldErr(fmt.Sprintf("[%d]", i), err.Error())
		}
		s = append(s, rr)
	}
	return s, nil
}

func parseRoundItem(it any) (RoundRange, error) {
	switch v := it.(type) {
	case int64:
		return single(v)
	case int:
		return single(int64(v))
	case float64:
		if v != math.Trunc(v) || v < 0 || v > 1<<53 {
			return RoundRange{}, fmt.Errorf("invalid round %v %s", v, roundsAllowed)
		}
		return single(int64(v))
	case string:
		return parseRoundString(strings.TrimSpace(v))
	}
	return RoundRange{}, fmt.Errorf("invalid round of type %T %s", it, roundsAllowed)
}

func single(r int64) (RoundRange, error) {
	if r < 0 {
		return RoundRange{}, fmt.Errorf("invalid round %d %s", r, roundsAllowed)
	}
	return RoundRange{r, r}, nil
}

func parseRoundString(s string) (RoundRange, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	a, okA := parseRoundNumber(strings.TrimSpace(lo))
	if !isRange {
		if !okA {
			return RoundRange{}, fmt.Errorf("invalid round %q %s", s, roundsAllowed)
		}
		return RoundRange{a, a}, nil
	}
	b, okB := parseRoundNumber(strings.TrimSpace(hi))
	if !okA || !okB {
		return RoundRange{}, fmt.Errorf("invalid round range %q %s", s, roundsAllowed)
	}
	if b < a {
		return RoundRange{}, fmt.Errorf("invalid round range %q: start after end %s", s, roundsAllowed)
	}
	return RoundRange{a, b}, nil
}

// parseRoundNumber accepts decimal digits only (no sign).
func parseRoundNumber(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}
