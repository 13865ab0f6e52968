// Package tomltext inspects the raw text of a TOML file before it is
// parsed, so that a hostile file is refused before the parser allocates
// anything for it.
package tomltext

// NestedBeyond reports whether data nests arrays and inline tables more
// than limit deep, counting brackets and braces outside strings and
// comments, and if so the 1-based line where the nesting first exceeds
// limit. Table headers count as one level for the line they stand on.
// Single-line strings end at their line's end; multi-line strings are
// scanned like plain text, which can only overcount.
func NestedBeyond(data []byte, limit int) (line int, beyond bool) {
	depth, line := 0, 1
	var quote byte
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '\n':
			line++
			if quote == '\'' || quote == '"' && !(i >= 3 && string(data[i-3:i]) == `"""`) {
				quote = 0
			}
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '{':
			depth++
			if depth > limit {
				return line, true
			}
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return 0, false
}
