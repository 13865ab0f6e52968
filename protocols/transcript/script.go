package transcript

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// separator divides a command from its expected output.
const separator = "----"

// step is one command of a transcript with its expected output.
type step struct {
	// lead holds the comment and blank lines before the command, verbatim.
	lead []string
	// line is the command's line number in the file (1-based).
	line    int
	command string
	// output is the expected output, one entry per line.
	output []string
}

// script is a parsed transcript file.
type script struct {
	name  string
	steps []step
	// tail holds the comment and blank lines after the last step.
	tail []string
}

// parse reads a transcript: comment ("#") and blank lines, then a command
// line, a line "----" and the expected output up to the next blank line or
// the end of the file. Errors name the file and line.
func parse(name string, r io.Reader) (*script, error) {
	s := &script{name: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var lead []string
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		if line == "" || strings.HasPrefix(line, "#") {
			lead = append(lead, line)
			continue
		}
		if line == separator {
			return nil, fmt.Errorf("%s:%d: %q without a command before it", name, n, separator)
		}
		st := step{lead: lead, line: n, command: line}
		lead = nil
		if !sc.Scan() {
			return nil, fmt.Errorf("%s:%d: command %q is not followed by a line %q", name, n, line, separator)
		}
		n++
		if strings.TrimRight(sc.Text(), " \t\r") != separator {
			return nil, fmt.Errorf("%s:%d: want %q after the command on line %d, found %q", name, n, separator, st.line, sc.Text())
		}
		for sc.Scan() {
			n++
			out := strings.TrimRight(sc.Text(), " \t\r")
			if out == "" {
				break
			}
			st.output = append(st.output, out)
		}
		s.steps = append(s.steps, st)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s.tail = lead
	return s, nil
}

// format writes the script in its canonical form with the given outputs
// (outputs[i] is step i's output): each step's lead lines, command,
// separator and output, then one blank line.
func (s *script) format(outputs [][]string) string {
	var b strings.Builder
	for i, st := range s.steps {
		lead := st.lead
		if i > 0 {
			// The blank line ending the previous output is written below.
			lead = trimLeadingBlank(lead)
		}
		for _, l := range lead {
			b.WriteString(l)
			b.WriteByte('\n')
		}
		b.WriteString(st.command)
		b.WriteByte('\n')
		b.WriteString(separator)
		b.WriteByte('\n')
		for _, l := range outputs[i] {
			b.WriteString(l)
			b.WriteByte('\n')
		}
		if i < len(s.steps)-1 || len(trimLeadingBlank(s.tail)) > 0 {
			b.WriteByte('\n')
		}
	}
	for _, l := range trimLeadingBlank(s.tail) {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

func trimLeadingBlank(lines []string) []string {
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	return lines
}
