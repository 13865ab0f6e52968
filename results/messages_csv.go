package results

// messagesHeader is the header of messages.csv. Shares are fractions of all
// messages and bytes sent.
func messagesHeader() []string {
	return []string{"kind", "sent", "delivered", "dropped", "bytes", "share_messages", "share_bytes"}
}

// WriteMessagesCSV writes messages.csv atomically, one row per kind, in the
// order given (Messages.Kinds gives them sorted by kind).
func WriteMessagesCSV(path string, kinds []KindCount) error {
	return writeMessagesCSV(nil, path, kinds)
}

// writeMessagesCSV is WriteMessagesCSV into the batch b (on its own if b is
// nil).
func writeMessagesCSV(b *Batch, path string, kinds []KindCount) error {
	return writeCSVTo(b, path, messagesHeader(), func(emit func(...string) error) error {
		for _, k := range kinds {
			err := emit(k.Kind, fmtUint(k.Sent), fmtUint(k.Delivered), fmtUint(k.Dropped),
				fmtUint(k.Bytes), formatFloat(float64(k.ShareMessages)), formatFloat(float64(k.ShareBytes)))
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadMessagesCSV reads a messages.csv written by WriteMessagesCSV.
func ReadMessagesCSV(path string) ([]KindCount, error) {
	c, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	if err := c.expectHeader(messagesHeader()); err != nil {
		return nil, err
	}
	out := make([]KindCount, len(c.rows))
	for i := range c.rows {
		p := c.parser(i)
		out[i] = KindCount{
			Kind:          p.str(0),
			Sent:          p.uint(1),
			Delivered:     p.uint(2),
			Dropped:       p.uint(3),
			Bytes:         p.uint(4),
			ShareMessages: Float(p.float(5)),
			ShareBytes:    Float(p.float(6)),
		}
		if p.err != nil {
			return nil, p.err
		}
	}
	return out, nil
}
