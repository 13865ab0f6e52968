package protocols

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/byzsim/byzsim/sim"
)

// Codec encodes a protocol's messages to bytes and decodes them back, for
// live mode's real sockets. Decode reads untrusted bytes: it never panics,
// bounds every length it reads by the bytes left and by MaxMessage, and
// rejects trailing bytes.
type Codec interface {
	// Append appends msg's encoding to buf; a message the codec does not
	// know is an error.
	Append(buf []byte, msg sim.Message) ([]byte, error)
	// Decode decodes one message.
	Decode(data []byte) (sim.Message, error)
}

// MaxMessage is the largest encoded message in bytes a decoder accepts.
const MaxMessage = 16 << 20

// MaxPayload is the largest request payload in bytes on the wire.
const MaxPayload = 1 << 20

// Wire tags of the client vocabulary. A protocol's codec tags its own
// messages from TagProtocol on.
const (
	TagRequest  byte = 1
	TagReply    byte = 2
	TagProtocol byte = 16
)

// ErrShort reports a message that ends before its fields do.
var ErrShort = errors.New("message truncated")

// Writer appends little-endian fields to a byte slice.
type Writer struct{ B []byte }

// U8 appends one byte.
func (w *Writer) U8(v uint8) { w.B = append(w.B, v) }

// Bool appends a boolean as one byte.
func (w *Writer) Bool(v bool) {
	if v {
		w.U8(1)
	} else {
		w.U8(0)
	}
}

// U32 appends a 32-bit unsigned integer.
func (w *Writer) U32(v uint32) { w.B = binary.LittleEndian.AppendUint32(w.B, v) }

// U64 appends a 64-bit unsigned integer.
func (w *Writer) U64(v uint64) { w.B = binary.LittleEndian.AppendUint64(w.B, v) }

// I64 appends a 64-bit signed integer.
func (w *Writer) I64(v int64) { w.U64(uint64(v)) }

// Node appends a node id.
func (w *Writer) Node(id sim.NodeID) { w.U32(uint32(id)) }

// Len appends a length or count.
func (w *Writer) Len(n int) { w.U32(uint32(n)) }

// Bytes appends raw bytes.
func (w *Writer) Bytes(b []byte) { w.B = append(w.B, b...) }

// Zeros appends n zero bytes (a request's opaque body).
func (w *Writer) Zeros(n int) {
	for ; n > 0; n-- {
		w.B = append(w.B, 0)
	}
}

// Reader reads the fields a Writer wrote from untrusted bytes. The first
// error sticks: later reads return zero values, so a decoder checks Err
// once at the end (or before allocating by a count it read).
type Reader struct {
	B   []byte
	err error
}

// NewReader returns a reader of data.
func NewReader(data []byte) *Reader {
	r := &Reader{B: data}
	if len(data) > MaxMessage {
		r.err = fmt.Errorf("message of %d bytes exceeds the %d-byte limit", len(data), MaxMessage)
	}
	return r
}

// Err returns the first error.
func (r *Reader) Err() error { return r.err }

// Fail records err unless an error is already recorded.
func (r *Reader) Fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *Reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.B) {
		r.err = ErrShort
		return nil
	}
	b := r.B[:n]
	r.B = r.B[n:]
	return b
}

// U8 reads one byte.
func (r *Reader) U8() uint8 {
	b := r.take(1)
	if b == nil {
		return 0
	}
	return b[0]
}

// Bool reads a boolean; a byte other than 0 or 1 is an error.
func (r *Reader) Bool() bool {
	v := r.U8()
	if v > 1 {
		r.Fail(fmt.Errorf("bad boolean %d", v))
	}
	return v == 1
}

// U32 reads a 32-bit unsigned integer.
func (r *Reader) U32() uint32 {
	b := r.take(4)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

// U64 reads a 64-bit unsigned integer.
func (r *Reader) U64() uint64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// I64 reads a 64-bit signed integer.
func (r *Reader) I64() int64 { return int64(r.U64()) }

// Node reads a node id.
func (r *Reader) Node() sim.NodeID { return sim.NodeID(int32(r.U32())) }

// Len reads a count of elements of at least min bytes each: a count the
// remaining bytes cannot hold is an error, so a decoder never allocates
// more than the message's size warrants.
func (r *Reader) Len(min int) int {
	n := r.U32() // compared as read: int(n) is negative above 2^31 where an int has 32 bits
	if r.err != nil {
		return 0
	}
	if min < 1 {
		min = 1
	}
	if uint64(n) > uint64(len(r.B)/min) {
		r.Fail(fmt.Errorf("count %d exceeds what the %d remaining bytes can hold", n, len(r.B)))
		return 0
	}
	return int(n)
}

// Bytes reads n raw bytes.
func (r *Reader) Bytes(n int) []byte { return r.take(n) }

// Skip skips n bytes.
func (r *Reader) Skip(n int) { r.take(n) }

// End reports the first error, or an error if bytes are left over.
func (r *Reader) End() error {
	if r.err == nil && len(r.B) > 0 {
		r.err = fmt.Errorf("%d trailing bytes", len(r.B))
	}
	return r.err
}

// AppendClient appends the encoding of a client message (a Request or a
// Reply); ok is false for any other message.
func AppendClient(buf []byte, msg sim.Message) (out []byte, ok bool, err error) {
	w := Writer{B: buf}
	switch m := msg.(type) {
	case *Request:
		w.U8(TagRequest)
		if err := w.request(m); err != nil {
			return buf, true, err
		}
	case *Reply:
		w.U8(TagReply)
		w.Node(m.Client)
		w.U64(m.ID)
		w.Node(m.Replica)
		w.U64(uint64(m.Result))
	default:
		return buf, false, nil
	}
	return w.B, true, nil
}

// Request appends one request (used inside protocol messages too).
func (w *Writer) Request(q *Request) error { return w.request(q) }

func (w *Writer) request(q *Request) error {
	if q.Payload < 0 || q.Payload > MaxPayload {
		return fmt.Errorf("request payload of %d bytes is outside 0 to %d", q.Payload, MaxPayload)
	}
	w.Node(q.Client)
	w.U64(q.ID)
	w.U8(uint8(q.Op))
	w.I64(q.Value)
	w.Len(q.Payload)
	w.Zeros(q.Payload)
	return nil
}

// Request reads one request.
func (r *Reader) Request() *Request {
	q := &Request{Client: r.Node(), ID: r.U64(), Op: Op(r.U8()), Value: r.I64()}
	if q.Op > OpNoop {
		r.Fail(fmt.Errorf("bad op %d", q.Op))
	}
	q.Payload = r.Len(1)
	if q.Payload > MaxPayload {
		r.Fail(fmt.Errorf("request payload of %d bytes exceeds %d", q.Payload, MaxPayload))
	}
	r.Skip(q.Payload)
	if r.err != nil {
		return nil
	}
	return q
}

// RequestMinSize is the smallest encoded request, for Reader.Len.
const RequestMinSize = 4 + 8 + 1 + 8 + 4

// DecodeClient decodes a client message whose tag is data[0]; ok is false
// when the tag is not a client message's.
func DecodeClient(data []byte) (msg sim.Message, ok bool, err error) {
	if len(data) == 0 {
		return nil, true, ErrShort
	}
	r := NewReader(data[1:])
	switch data[0] {
	case TagRequest:
		q := r.Request()
		if err := r.End(); err != nil {
			return nil, true, fmt.Errorf("request: %w", err)
		}
		return q, true, nil
	case TagReply:
		m := &Reply{Client: r.Node(), ID: r.U64(), Replica: r.Node(), Result: Digest(r.U64())}
		if err := r.End(); err != nil {
			return nil, true, fmt.Errorf("reply: %w", err)
		}
		return m, true, nil
	}
	return nil, false, nil
}

// WireCodec is the codec of a protocol's replicas and their clients: client
// messages first, then the protocol's own.
type WireCodec struct{ Proto Codec }

// Append implements Codec.
func (c WireCodec) Append(buf []byte, msg sim.Message) ([]byte, error) {
	out, ok, err := AppendClient(buf, msg)
	if ok {
		return out, err
	}
	return c.Proto.Append(buf, msg)
}

// Decode implements Codec.
func (c WireCodec) Decode(data []byte) (sim.Message, error) {
	msg, ok, err := DecodeClient(data)
	if ok {
		return msg, err
	}
	return c.Proto.Decode(data)
}
