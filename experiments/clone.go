package experiments

import "reflect"

// clone returns a deep copy of e: the copy shares no pointer, slice, map
// or interface value with e (values decoded into an any field included),
// so that changing one, as overrides and sweep points do, leaves the other
// as it was. It is what decoding e's text again would give, at a small part
// of the cost.
func (e *Experiment) clone() *Experiment {
	c := new(Experiment)
	deepCopy(reflect.ValueOf(c).Elem(), reflect.ValueOf(e).Elem())
	return c
}

// deepCopy sets dst, which must be settable and of src's type, to a deep
// copy of src. Nil pointers, slices, maps and interfaces stay nil, and
// empty ones empty. A struct's unexported fields are copied as they are:
// the experiment's types have none of their own, and those of the values
// TOML decodes (time.Time's location) are not changed in place.
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if !src.IsNil() {
			p := reflect.New(src.Type().Elem())
			deepCopy(p.Elem(), src.Elem())
			dst.Set(p)
		}
	case reflect.Interface:
		if !src.IsNil() {
			v := reflect.New(src.Elem().Type()).Elem()
			deepCopy(v, src.Elem())
			dst.Set(v)
		}
	case reflect.Slice:
		if !src.IsNil() {
			s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
			for i := range src.Len() {
				deepCopy(s.Index(i), src.Index(i))
			}
			dst.Set(s)
		}
	case reflect.Array:
		for i := range src.Len() {
			deepCopy(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if !src.IsNil() {
			m := reflect.MakeMapWithSize(src.Type(), src.Len())
			it := src.MapRange()
			for it.Next() {
				k := reflect.New(src.Type().Key()).Elem()
				deepCopy(k, it.Key())
				v := reflect.New(src.Type().Elem()).Elem()
				deepCopy(v, it.Value())
				m.SetMapIndex(k, v)
			}
			dst.Set(m)
		}
	case reflect.Struct:
		dst.Set(src)
		for i := range src.NumField() {
			if src.Type().Field(i).IsExported() {
				deepCopy(dst.Field(i), src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}
