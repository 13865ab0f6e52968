package batch

import (
	"encoding/json"
	"fmt"
	"strings"
)

// obj is a YAML mapping whose keys keep their order; list is a sequence.
// Scalars are string, int and bool.
type (
	obj []kv
	kv  struct {
		k string
		v any
	}
	list []any
)

// yamlText writes v as block-style YAML with every string double-quoted,
// so that no value is read as another type ("1" stays a string).
func yamlText(v obj) string {
	var b strings.Builder
	writeObj(&b, v, 0)
	return b.String()
}

func writeObj(b *strings.Builder, o obj, indent int) {
	pad := strings.Repeat(" ", indent)
	for _, e := range o {
		writeEntry(b, pad+e.k+":", e.v, indent)
	}
}

// writeEntry writes "head" followed by v: on the same line for a scalar
// or an empty collection, else on the lines below, indented.
func writeEntry(b *strings.Builder, head string, v any, indent int) {
	switch x := v.(type) {
	case obj:
		if len(x) == 0 {
			fmt.Fprintf(b, "%s {}\n", head)
			return
		}
		fmt.Fprintf(b, "%s\n", head)
		writeObj(b, x, indent+2)
	case list:
		if len(x) == 0 {
			fmt.Fprintf(b, "%s []\n", head)
			return
		}
		fmt.Fprintf(b, "%s\n", head)
		writeList(b, x, indent+2)
	default:
		fmt.Fprintf(b, "%s %s\n", head, scalar(v))
	}
}

func writeList(b *strings.Builder, l list, indent int) {
	pad := strings.Repeat(" ", indent)
	for _, item := range l {
		o, ok := item.(obj)
		if !ok || len(o) == 0 {
			if _, isColl := item.(list); isColl {
				panic("batch: YAML lists of lists are not written")
			}
			fmt.Fprintf(b, "%s- %s\n", pad, scalarOrEmpty(item))
			continue
		}
		writeEntry(b, pad+"- "+o[0].k+":", o[0].v, indent+2)
		writeObj(b, o[1:], indent+2)
	}
}

func scalarOrEmpty(v any) string {
	if o, ok := v.(obj); ok && len(o) == 0 {
		return "{}"
	}
	return scalar(v)
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		var b strings.Builder
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(false)
		_ = e.Encode(x) // a string always encodes
		return strings.TrimSuffix(b.String(), "\n")
	case int:
		return fmt.Sprint(x)
	case bool:
		return fmt.Sprint(x)
	}
	panic(fmt.Sprintf("batch: no YAML scalar for %T", v))
}
