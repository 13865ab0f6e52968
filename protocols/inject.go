package protocols

import (
	"fmt"
	"strings"
)

// StartStateDecoder decodes one start-state table of an experiment (the
// table without its replica selection) into a protocol-specific value that
// the protocol's replicas accept through StartStater. clients is the number
// of client nodes of the run. A decoder decodes raw into its own Go struct
// with DecodeTable and reports problems as KeyErrors, which the experiment
// loader turns into file:line:key errors.
type StartStateDecoder func(n, f, clients int, raw map[string]any) (any, error)

// StartStater is implemented by replicas that accept start states decoded
// by their protocol's StartStateDecoder. States are added before Start and
// applied at Start in the order they were added, so a later one overrides
// what an earlier one set.
type StartStater interface {
	AddStartState(s any) error
}

// ExpectDecoder decodes one table of protocol-specific assertions on a
// replica's final state. The returned function reports, for one correct
// replica, every assertion that does not hold (nothing when all hold).
type ExpectDecoder func(n, f int, raw map[string]any) (func(r Replica) []string, error)

// KeyError is a problem with one key of a protocol-specific table; Key is
// relative to the table ("ve.views[2]").
type KeyError struct {
	Key string
	Msg string
}

func (e *KeyError) Error() string {
	if e.Key == "" {
		return e.Msg
	}
	return e.Key + ": " + e.Msg
}

// KeyErrors collects the problems of one table.
type KeyErrors []*KeyError

func (es KeyErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Add records a problem at key.
func (es *KeyErrors) Add(key, format string, args ...any) {
	*es = append(*es, &KeyError{Key: key, Msg: fmt.Sprintf(format, args...)})
}

// Err returns es as an error, or nil when it holds nothing.
func (es KeyErrors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
