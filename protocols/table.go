package protocols

import (
	"bytes"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// MaxTableEntries bounds every array of a protocol table, so that a start
// state cannot ask for unbounded memory.
const MaxTableEntries = 1 << 16

// TableDecoder decodes a protocol's own tables of an experiment
// ([[start_state]], [[expect.state]]) into the protocol's Go structs,
// strictly, with the TOML library's primitive decoding: a struct field
// takes the key of its toml tag, a key no field takes is an error listing
// the allowed keys, a value of the wrong type is an error saying what is
// allowed. Every problem is recorded under its key path relative to the
// table ("ve.views[2]"); the experiment loader adds the file, the line and
// the table's own key. A field whose type implements TableUnmarshaler
// decodes its value itself (a value that is one thing or another: a
// replica's name or id, one value or one per replica, "*" or a list).
type TableDecoder struct {
	// N is the run's number of replicas (for ReplicaID, ReplicaSet and
	// PerReplica).
	N    int
	md   toml.MetaData
	errs KeyErrors
}

// TableValue is one value of a table, not decoded yet.
type TableValue struct{ p toml.Primitive }

// TableUnmarshaler is implemented by the types of fields that decode their
// own value; UnmarshalTable reports problems with d.Errorf under key and
// returns whether the value was good.
type TableUnmarshaler interface {
	UnmarshalTable(d *TableDecoder, key string, v TableValue) bool
}

// TableAllowed is implemented by field types that say what values they
// accept ("a replica: replica0 to replica5") in type errors.
type TableAllowed interface {
	TableAllowed(d *TableDecoder) string
}

// DecodeTable decodes raw, a protocol table as the experiment loader read
// it, into the struct v points to, for a run of n replicas. It returns the
// decoder, whose Errorf and Err the protocol uses for the checks it makes
// after decoding (ranges that depend on n, required keys).
func DecodeTable(n int, raw map[string]any, v any) *TableDecoder {
	d := &TableDecoder{N: n}
	var b bytes.Buffer
	var doc map[string]toml.Primitive
	if err := toml.NewEncoder(&b).Encode(raw); err != nil {
		d.Errorf("", "cannot read the table: %v", err)
		return d
	}
	md, err := toml.Decode(b.String(), &doc)
	if err != nil {
		d.Errorf("", "cannot read the table: %v", err)
		return d
	}
	d.md = md
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic("protocols: DecodeTable wants a pointer to a struct")
	}
	d.fields("", doc, rv.Elem())
	return d
}

// Err returns the problems found, nil when there are none.
func (d *TableDecoder) Err() error { return d.errs.Err() }

// OK reports whether no problem was found so far.
func (d *TableDecoder) OK() bool { return len(d.errs) == 0 }

// Errorf records a problem at key.
func (d *TableDecoder) Errorf(key, format string, args ...any) {
	d.errs.Add(key, format, args...)
}

// Raw returns the value as the TOML library decodes it: int64, float64,
// bool, string, a time, []any or map[string]any.
func (d *TableDecoder) Raw(v TableValue) any {
	var x any
	if err := d.md.PrimitiveDecode(v.p, &x); err != nil {
		return nil
	}
	return x
}

// Decode decodes v into what into points to, recording problems under key.
func (d *TableDecoder) Decode(key string, v TableValue, into any) bool {
	before := len(d.errs)
	d.value(key, v.p, reflect.ValueOf(into).Elem())
	return len(d.errs) == before
}

// JoinKey returns the key path of key in table.
func JoinKey(table, key string) string {
	if table == "" {
		return key
	}
	return table + "." + key
}

// IndexKey returns the key path of element i of the array at key.
func IndexKey(key string, i int) string { return key + "[" + strconv.Itoa(i) + "]" }

// fields decodes the members of a table into the fields of struct rv
// (the fields of an embedded struct are members of the table too).
func (d *TableDecoder) fields(key string, members map[string]toml.Primitive, rv reflect.Value) {
	names := tableFields(rv.Type())
	for _, k := range slices.Sorted(maps.Keys(members)) {
		f, ok := fieldByTag(rv.Type(), k)
		if !ok {
			d.Errorf(JoinKey(key, k), "unknown key (allowed: %s)", strings.Join(sortedCopy(names), ", "))
			continue
		}
		d.value(JoinKey(key, k), members[k], rv.FieldByIndex(f.Index))
	}
}

// tableFields returns the toml tags of t's fields, those of embedded
// structs included.
func tableFields(t reflect.Type) []string {
	var names []string
	for _, f := range reflect.VisibleFields(t) {
		if f.Anonymous {
			continue
		}
		if name := fieldTag(f); name != "" {
			names = append(names, name)
		}
	}
	return names
}

func fieldTag(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for _, f := range reflect.VisibleFields(t) {
		if !f.Anonymous && fieldTag(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

var (
	unmarshalerType = reflect.TypeFor[TableUnmarshaler]()
	primitiveType   = reflect.TypeFor[toml.Primitive]()
)

// value decodes p into rv.
func (d *TableDecoder) value(key string, p toml.Primitive, rv reflect.Value) {
	if rv.CanAddr() && rv.Addr().Type().Implements(unmarshalerType) {
		rv.Addr().Interface().(TableUnmarshaler).UnmarshalTable(d, key, TableValue{p})
		return
	}
	if rv.Type() == primitiveType {
		rv.Set(reflect.ValueOf(p))
		return
	}
	switch rv.Kind() {
	case reflect.Pointer:
		elem := reflect.New(rv.Type().Elem())
		before := len(d.errs)
		d.value(key, p, elem.Elem())
		if len(d.errs) == before {
			rv.Set(elem)
		}
	case reflect.Struct:
		var members map[string]toml.Primitive
		if !d.isTable(p) || d.md.PrimitiveDecode(p, &members) != nil {
			d.typeError(key, p, rv.Type())
			return
		}
		d.fields(key, members, rv)
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			panic(fmt.Sprintf("protocols: a table field of type %s", rv.Type()))
		}
		var members map[string]toml.Primitive
		if !d.isTable(p) || d.md.PrimitiveDecode(p, &members) != nil {
			d.typeError(key, p, rv.Type())
			return
		}
		m := reflect.MakeMapWithSize(rv.Type(), len(members))
		for _, k := range slices.Sorted(maps.Keys(members)) {
			elem := reflect.New(rv.Type().Elem()).Elem()
			d.value(JoinKey(key, k), members[k], elem)
			m.SetMapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()), elem)
		}
		rv.Set(m)
	case reflect.Slice:
		var elems []toml.Primitive
		if !d.isArray(p) || d.md.PrimitiveDecode(p, &elems) != nil {
			d.typeError(key, p, rv.Type())
			return
		}
		if len(elems) > MaxTableEntries {
			d.Errorf(key, "%d entries (allowed: at most %d)", len(elems), MaxTableEntries)
			return
		}
		s := reflect.MakeSlice(rv.Type(), len(elems), len(elems))
		for i, e := range elems {
			d.value(IndexKey(key, i), e, s.Index(i))
		}
		rv.Set(s)
	case reflect.Array:
		var elems []toml.Primitive
		if !d.isArray(p) || d.md.PrimitiveDecode(p, &elems) != nil || len(elems) != rv.Len() {
			d.typeError(key, p, rv.Type())
			return
		}
		for i, e := range elems {
			d.value(IndexKey(key, i), e, rv.Index(i))
		}
	default:
		d.scalar(key, p, rv)
	}
}

// isTable reports whether p is a table (the TOML library decodes any
// other value into a map as an empty one).
func (d *TableDecoder) isTable(p toml.Primitive) bool {
	_, ok := d.Raw(TableValue{p}).(map[string]any)
	return ok
}

// isArray reports whether p is an array (of values or of tables).
func (d *TableDecoder) isArray(p toml.Primitive) bool {
	switch d.Raw(TableValue{p}).(type) {
	case []any, []map[string]any:
		return true
	}
	return false
}

// scalar decodes an integer, boolean, float or string.
func (d *TableDecoder) scalar(key string, p toml.Primitive, rv reflect.Value) {
	x := d.Raw(TableValue{p})
	switch k := rv.Kind(); {
	case k >= reflect.Int && k <= reflect.Int64:
		i, ok := x.(int64)
		if !ok {
			break
		}
		if rv.OverflowInt(i) {
			d.Errorf(key, "%d is out of range (allowed: %s)", i, allowed(d, rv.Type()))
			return
		}
		rv.SetInt(i)
		return
	case k >= reflect.Uint && k <= reflect.Uint64:
		i, ok := x.(int64)
		if !ok {
			break
		}
		if i < 0 || rv.OverflowUint(uint64(i)) {
			d.Errorf(key, "%d is out of range (allowed: %s)", i, allowed(d, rv.Type()))
			return
		}
		rv.SetUint(uint64(i))
		return
	case k == reflect.Bool:
		if b, ok := x.(bool); ok {
			rv.SetBool(b)
			return
		}
	case k == reflect.String:
		if s, ok := x.(string); ok {
			rv.SetString(s)
			return
		}
	case k == reflect.Float32 || k == reflect.Float64:
		switch f := x.(type) {
		case float64:
			rv.SetFloat(f)
			return
		case int64:
			rv.SetFloat(float64(f))
			return
		}
	default:
		panic(fmt.Sprintf("protocols: a table field of type %s", rv.Type()))
	}
	d.typeError(key, p, rv.Type())
}

// typeError records that the value at key is not of type t.
func (d *TableDecoder) typeError(key string, p toml.Primitive, t reflect.Type) {
	d.BadValue(key, TableValue{p}, allowed(d, t))
}

// BadValue records that the value v at key is not what is allowed.
func (d *TableDecoder) BadValue(key string, v TableValue, allowed string) {
	x := d.Raw(v)
	d.Errorf(key, "%s is %s (allowed: %s)", DescribeValue(x), KindOf(x), allowed)
}

// allowed says what values of type t are allowed.
func allowed(d *TableDecoder, t reflect.Type) string {
	if a, ok := reflect.New(t).Interface().(TableAllowed); ok {
		return a.TableAllowed(d)
	}
	switch k := t.Kind(); {
	case k == reflect.Pointer:
		return allowed(d, t.Elem())
	case k >= reflect.Int && k <= reflect.Int64:
		lo := int64(-1) << (t.Bits() - 1)
		return fmt.Sprintf("an integer from %d to %d", lo, -(lo + 1))
	case k >= reflect.Uint && k <= reflect.Uint64:
		return fmt.Sprintf("an integer from 0 to %d", uint64(1)<<t.Bits()-1)
	case k == reflect.Bool:
		return "true or false"
	case k == reflect.String:
		return "a string"
	case k == reflect.Float32 || k == reflect.Float64:
		return "a number"
	case k == reflect.Struct:
		return "a table with keys " + strings.Join(sortedCopy(tableFields(t)), ", ")
	case k == reflect.Array:
		return fmt.Sprintf("an array of %d: each %s", t.Len(), allowed(d, t.Elem()))
	case k == reflect.Slice:
		return "an array: each " + allowed(d, t.Elem())
	case k == reflect.Map:
		return "a table: each value " + allowed(d, t.Elem())
	}
	return t.String()
}

// KindOf names the TOML kind of a decoded value: "an integer", "a table".
func KindOf(v any) string {
	switch v.(type) {
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	case nil:
		return "nothing"
	}
	return "a date or time"
}

// DescribeValue shows a decoded value in an error: strings quoted, arrays
// and tables as "value".
func DescribeValue(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case []any, []map[string]any, map[string]any:
		return "value"
	}
	return fmt.Sprint(v)
}

// ReplicaID is a replica id written "replicaN" or N, from 0 to the run's
// n − 1.
type ReplicaID int

// TableAllowed implements TableAllowed.
func (*ReplicaID) TableAllowed(d *TableDecoder) string {
	return fmt.Sprintf("replica0 to replica%d", d.N-1)
}

// UnmarshalTable implements TableUnmarshaler.
func (r *ReplicaID) UnmarshalTable(d *TableDecoder, key string, v TableValue) bool {
	switch x := d.Raw(v).(type) {
	case string:
		id, ok := ParseReplica(x, d.N)
		if !ok {
			d.Errorf(key, "%q is not a replica (allowed: %s)", x, r.TableAllowed(d))
			return false
		}
		*r = ReplicaID(id)
		return true
	case int64:
		if x < 0 || x >= int64(d.N) {
			d.Errorf(key, "%d is out of range (allowed: 0 to %d, or %s)", x, d.N-1, r.TableAllowed(d))
			return false
		}
		*r = ReplicaID(x)
		return true
	}
	d.BadValue(key, v, r.TableAllowed(d))
	return false
}

// ParseReplica reads "replicaN" with 0 ≤ N < n.
func ParseReplica(s string, n int) (int, bool) {
	digits, ok := strings.CutPrefix(s, "replica")
	id, err := strconv.Atoi(digits)
	if !ok || err != nil || "replica"+strconv.Itoa(id) != s || id < 0 || id >= n {
		return 0, false
	}
	return id, true
}

// ReplicaSet is a set of replicas written "*" (every replica) or as an
// array of replicas; Members[i] says whether replica i is in it.
type ReplicaSet struct {
	Members []bool
}

// TableAllowed implements TableAllowed.
func (*ReplicaSet) TableAllowed(d *TableDecoder) string {
	return fmt.Sprintf(`"*" or an array of replicas (replica0 to replica%d)`, d.N-1)
}

// UnmarshalTable implements TableUnmarshaler.
func (s *ReplicaSet) UnmarshalTable(d *TableDecoder, key string, v TableValue) bool {
	s.Members = make([]bool, d.N)
	if x, ok := d.Raw(v).(string); ok && x == "*" {
		for i := range s.Members {
			s.Members[i] = true
		}
		return true
	}
	if _, ok := d.Raw(v).([]any); !ok {
		d.BadValue(key, v, s.TableAllowed(d))
		return false
	}
	var ids []ReplicaID
	if !d.Decode(key, v, &ids) {
		return false
	}
	for _, id := range ids {
		s.Members[id] = true
	}
	return true
}

// IDs returns the members in increasing order.
func (s ReplicaSet) IDs() []int {
	var ids []int
	for i, in := range s.Members {
		if in {
			ids = append(ids, i)
		}
	}
	return ids
}

// PerReplica is a value for every replica of the run, written once for
// all of them or as an array of one value per replica. One says it was
// written once; Values has n entries either way.
type PerReplica[T any] struct {
	Values []T
	One    bool
}

// TableAllowed implements TableAllowed.
func (*PerReplica[T]) TableAllowed(d *TableDecoder) string {
	return fmt.Sprintf("%s, or an array of %d of them (one per replica)", allowed(d, reflect.TypeFor[T]()), d.N)
}

// UnmarshalTable implements TableUnmarshaler.
func (pr *PerReplica[T]) UnmarshalTable(d *TableDecoder, key string, v TableValue) bool {
	raw := d.Raw(v)
	pr.Values = make([]T, d.N)
	if isOne(reflect.TypeFor[T](), raw) {
		pr.One = true
		var x T
		if !d.Decode(key, v, &x) {
			return false
		}
		for i := range pr.Values {
			pr.Values[i] = x
		}
		return true
	}
	var entries int
	switch l := raw.(type) {
	case []any:
		entries = len(l)
	case []map[string]any:
		entries = len(l)
	default:
		d.BadValue(key, v, pr.TableAllowed(d))
		return false
	}
	if entries != d.N {
		d.Errorf(key, "%d entries, want one per replica (%d) or a single value for all", entries, d.N)
		return false
	}
	return d.Decode(key, v, &pr.Values)
}

// TableSingle is implemented by types whose single value may look like an
// array (PerReplica asks it whether a value is one of them or one per
// replica).
type TableSingle interface {
	TableSingle(raw any) bool
}

// isOne reports whether raw is one value of type t rather than an array
// of them: an array for an array type whose elements are not arrays, a
// table for a struct, anything but an array otherwise.
func isOne(t reflect.Type, raw any) bool {
	if s, ok := reflect.New(t).Interface().(TableSingle); ok {
		return s.TableSingle(raw)
	}
	l, isList := raw.([]any)
	switch t.Kind() {
	case reflect.Array, reflect.Slice:
		if !isList {
			return false
		}
		for _, x := range l {
			if _, nested := x.([]any); nested {
				return false
			}
		}
		return true
	case reflect.Struct, reflect.Map:
		_, ok := raw.(map[string]any)
		return ok
	}
	return !isList
}

// Wildcard is a value or "*", which stands for any value (in assertions).
type Wildcard[T any] struct {
	V   T
	Any bool
}

// TableAllowed implements TableAllowed.
func (*Wildcard[T]) TableAllowed(d *TableDecoder) string {
	return `"*" (any) or ` + allowed(d, reflect.TypeFor[T]())
}

// TableSingle implements TableSingle.
func (*Wildcard[T]) TableSingle(raw any) bool {
	return raw == "*" || isOne(reflect.TypeFor[T](), raw)
}

// UnmarshalTable implements TableUnmarshaler.
func (w *Wildcard[T]) UnmarshalTable(d *TableDecoder, key string, v TableValue) bool {
	if d.Raw(v) == "*" {
		w.Any = true
		return true
	}
	return d.Decode(key, v, &w.V)
}
