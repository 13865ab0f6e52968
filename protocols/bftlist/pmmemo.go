package bftlist

// candMemo remembers primary monitoring's candidates (what supChange reads
// of the records) across iterations: in a quiet run no record moves
// between two iterations, and gathering them reads all n records.
//
// The answer depends on every record's Prim and need-change set. A peer's
// record is written only when a new message of that peer is taken (take),
// when the state is cleaned (clean) and when it is corrupted (corruptPM);
// each of those forgets the memo. Own's record is also written in place
// (the iteration, a view change, a start state), so its primary and
// need-change set are part of the key instead.
type candMemo struct {
	valid bool
	prim  int64 // own's primary when c was gathered
	set   idset // own's need-change set when c was gathered
	c     needCandidates
}

// memoCandidates is candidates, gathered again only when a record they
// were gathered from may have changed.
func (pm *primMon) memoCandidates() needCandidates {
	me := &pm.vcm[pm.r.id]
	if m := &pm.cm; m.valid && m.prim == me.Prim && m.set == me.NeedChgSet {
		return m.c
	}
	c := pm.candidates()
	pm.cm = candMemo{valid: true, prim: me.Prim, set: me.NeedChgSet, c: c}
	return c
}

// take is receive, forgetting the candidates when the message is not the
// one whose record vcm[j] holds (receive copies it then).
func (pm *primMon) take(j int, m *PMMsg) {
	if m != pm.got[j] {
		pm.cm.valid = false
	}
	pm.receive(j, m)
}

// clean is cleanState, forgetting the candidates (every record is
// written).
func (pm *primMon) clean() {
	pm.cleanState()
	pm.cm.valid = false
}
