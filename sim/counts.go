package sim

// KindCount is what a World counted of the messages of one kind.
type KindCount struct {
	Kind string
	// Sent counts the messages handed to the network (self-sends
	// included, as in Stats), Bytes the sum of their sizes.
	Sent, Bytes uint64
	// Delivered counts the messages handed to a node, Dropped those
	// dropped (faults, loss, partitions, crashes).
	Delivered, Dropped uint64
}

// DropCount counts the messages dropped for one reason and their bytes.
type DropCount struct {
	Reason       string
	Count, Bytes uint64
}

// kindCount returns the counters of the kind numbered k in the network's
// KindIndex.
func (w *World) kindCount(k int) *KindCount {
	if uint(k) < uint(len(w.kindCounts)) {
		return &w.kindCounts[k] // k is in range: no bounds check
	}
	return w.growKindCounts(k)
}

// growKindCounts makes counters up to kind k and returns k's.
func (w *World) growKindCounts(k int) *KindCount {
	for len(w.kindCounts) <= k {
		w.kindCounts = append(w.kindCounts, KindCount{Kind: w.net.kinds.Kind(len(w.kindCounts))})
	}
	return &w.kindCounts[k]
}

// countDrop counts a dropped message of kind k.
func (w *World) countDrop(msg Message, k int, why string) {
	w.kindCount(k).Dropped++
	size := uint64(msg.Size())
	for i := range w.dropCounts {
		if d := &w.dropCounts[i]; d.Reason == why {
			d.Count++
			d.Bytes += size
			return
		}
	}
	w.dropCounts = append(w.dropCounts, DropCount{Reason: why, Count: 1, Bytes: size})
}

// MessageCounts returns, by kind, the messages sent, delivered and dropped
// and the bytes sent so far, in the order the kinds were first sent (kinds
// only named by Network.SetKindChannel are left out), and the drops by
// reason, in the order the reasons first occurred. The World counts them
// whether or not a Tracer is installed, at the points where it calls the
// Tracer's Sent, Delivered and Dropped.
func (w *World) MessageCounts() ([]KindCount, []DropCount) {
	var kinds []KindCount
	for _, c := range w.kindCounts {
		if c.Sent != 0 || c.Delivered != 0 || c.Dropped != 0 {
			kinds = append(kinds, c)
		}
	}
	return kinds, append([]DropCount(nil), w.dropCounts...)
}
