package failures

// FieldError is a validation or parse error that names the offending field
// of a rule or schedule entry, so a configuration loader can attach the file
// position and the full key path. Field is relative to the value validated:
// "prob" for a rule, "[2].at" for the third entry of a list.
type FieldError struct {
	Field string
	Msg   string
}

// Error returns "field: msg".
func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

func fieldErr(field, msg string) *FieldError { return &FieldError{Field: field, Msg: msg} }

// within prefixes the field of err with prefix when err is a *FieldError
// ("[2]" + "prob" = "[2].prob").
func within(prefix string, err error) error {
	fe, ok := err.(*FieldError)
	if !ok {
		return err
	}
	f := prefix
	if fe.Field != "" {
		if fe.Field[0] == '[' {
			f += fe.Field
		} else {
			f += "." + fe.Field
		}
	}
	return &FieldError{Field: f, Msg: fe.Msg}
}
