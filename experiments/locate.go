package experiments

import (
	"strconv"
	"strings"
)

// keyLines maps key paths ("protocol.n", "workload[1].timeout") to the line
// that defines them. It understands the TOML that experiments use: table
// headers, arrays of tables, dotted and quoted keys; a key inside an inline
// table or a multi-line value is located at the line of its parent key.
type keyLines map[string]int

func locateKeys(src string) keyLines {
	kl := keyLines{}
	arrays := map[string]int{}
	table := ""
	depth := 0 // open brackets of a multi-line value
	for i, raw := range strings.Split(src, "\n") {
		line := strings.TrimSpace(stripComment(raw))
		if line == "" {
			continue
		}
		if depth > 0 {
			depth += bracketBalance(line)
			continue
		}
		switch {
		case strings.HasPrefix(line, "[["):
			name := normalizeKey(strings.TrimSuffix(strings.TrimPrefix(line, "[["), "]]"))
			idx := arrays[name]
			arrays[name] = idx + 1
			table = name + "[" + strconv.Itoa(idx) + "]"
			// A nested array resets the counters of its own sub-arrays.
			for k := range arrays {
				if strings.HasPrefix(k, table+".") {
					delete(arrays, k)
				}
			}
			kl.set(table, i+1)
		case strings.HasPrefix(line, "["):
			name := normalizeKey(strings.TrimSuffix(strings.TrimPrefix(line, "["), "]"))
			table = qualify(name, arrays)
			kl.set(table, i+1)
		default:
			eq := strings.Index(line, "=")
			if eq < 0 {
				continue
			}
			key := normalizeKey(line[:eq])
			path := key
			if table != "" {
				path = table + "." + key
			}
			kl.set(path, i+1)
			depth = bracketBalance(line[eq+1:])
			if depth < 0 {
				depth = 0
			}
		}
	}
	return kl
}

func (kl keyLines) set(path string, line int) {
	if _, ok := kl[path]; !ok {
		kl[path] = line
	}
}

// line returns the line of path, or of its nearest located ancestor; 0 if
// none is known.
func (kl keyLines) line(path string) int {
	for path != "" {
		if l, ok := kl[path]; ok {
			return l
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut < 0 {
			break
		}
		path = path[:cut]
	}
	return 0
}

// loose returns the first line of a key whose path equals path once array
// indices are ignored (for keys reported without indices); 0 if none.
func (kl keyLines) loose(path string) int {
	want := stripIndices(path)
	best := 0
	for p, l := range kl {
		if stripIndices(p) == want && (best == 0 || l < best) {
			best = l
		}
	}
	return best
}

// qualify turns a table header "workload.think" into "workload[k].think"
// when workload is an array of tables whose current element is k.
func qualify(name string, arrays map[string]int) string {
	parts := strings.Split(name, ".")
	out := ""
	for _, p := range parts {
		if out != "" {
			out += "."
		}
		out += p
		if n, ok := arrays[out]; ok && n > 0 {
			out += "[" + strconv.Itoa(n-1) + "]"
		}
	}
	return out
}

// normalizeKey removes quotes and spaces around dotted key parts. A quoted
// part containing dots (a sweep key) is kept whole.
func normalizeKey(k string) string {
	k = strings.TrimSpace(k)
	var parts []string
	for k != "" {
		k = strings.TrimSpace(k)
		if k[0] == '"' || k[0] == '\'' {
			end := strings.IndexByte(k[1:], k[0])
			if end < 0 {
				parts = append(parts, k[1:])
				break
			}
			parts = append(parts, k[1:end+1])
			k = strings.TrimSpace(k[end+2:])
			k = strings.TrimPrefix(k, ".")
			continue
		}
		dot := strings.IndexByte(k, '.')
		if dot < 0 {
			parts = append(parts, strings.TrimSpace(k))
			break
		}
		parts = append(parts, strings.TrimSpace(k[:dot]))
		k = k[dot+1:]
	}
	return strings.Join(parts, ".")
}

// scanCode calls fn with every byte of s that is outside a string literal,
// until fn returns false; it returns the index where it stopped (len(s) if
// it did not).
func scanCode(s string, fn func(c byte) bool) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case !fn(c):
			return i
		}
	}
	return len(s)
}

// stripComment removes a # comment that is not inside a string.
func stripComment(s string) string {
	return s[:scanCode(s, func(c byte) bool { return c != '#' })]
}

// bracketBalance counts [ and { minus ] and } outside strings.
func bracketBalance(s string) int {
	n := 0
	scanCode(s, func(c byte) bool {
		switch c {
		case '[', '{':
			n++
		case ']', '}':
			n--
		}
		return true
	})
	return n
}
