package experiments

import (
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/byzsim/byzsim/internal/tomltext"
)

// TextLimits bound a TOML file before the parser sees it.
type TextLimits struct {
	// MaxBytes bounds the file's size.
	MaxBytes int
	// MaxNesting bounds the nesting of arrays and inline tables.
	MaxNesting int
}

// DecodeStrict decodes a TOML file other than an experiment (a Twins
// file, say) with the experiment loader's rules: a file beyond the limits,
// a syntax error, a value of the wrong type or a key that v does not hold
// is an Errors naming the file, the line and the key; allowed lists the
// keys for the message about an unknown one. It returns the decoder's
// metadata and the file's Source, whose Locate places later problems at
// the line of their key.
func DecodeStrict(name string, data []byte, v any, lim TextLimits, allowed []string) (toml.MetaData, *Source, error) {
	if len(data) > lim.MaxBytes {
		line := 1 + strings.Count(string(data[:lim.MaxBytes]), "\n")
		return toml.MetaData{}, nil, Errors{{File: name, Line: line, Key: "(file size)", Msg: fmt.Sprintf("the file is %d bytes (allowed: at most %d)", len(data), lim.MaxBytes)}}
	}
	if line, beyond := tomltext.NestedBeyond(data, lim.MaxNesting); beyond {
		return toml.MetaData{}, nil, Errors{{File: name, Line: line, Key: "(nesting)", Msg: fmt.Sprintf("arrays and inline tables nested more than %d deep (allowed: at most %d)", lim.MaxNesting, lim.MaxNesting)}}
	}
	src := &Source{File: name, Text: string(data), lines: locateKeys(string(data))}
	md, err := toml.Decode(src.Text, v)
	if err != nil {
		return md, nil, src.decodeError(err)
	}
	var es Errors
	for _, k := range md.Undecoded() {
		es = append(es, &Error{Key: keyPath(k), Msg: "unknown key (allowed: " + strings.Join(allowed, ", ") + ")"})
	}
	if len(es) > 0 {
		return md, nil, src.locate(es)
	}
	return md, src, nil
}
