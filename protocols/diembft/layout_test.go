package diembft

import (
	"reflect"
	"testing"
	"unsafe"
)

// TestReplicaLayout: the fields a proposal's delivery reads lie within
// seven cache lines of the replica, the second to the eighth, and those a
// client request's delivery reads within the first three of them (a
// Replica is allocated on its own, its address a multiple of 64).
func TestReplicaLayout(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is planned for 64-bit words")
	}
	// A request's delivery: its receipt and signature charges, the
	// mempool, the replies' client bound, then afterInput's checks (the
	// rearm, the sync, the leader of the round).
	request := map[string]bool{
		"costs": true, "env": true, "mempool": true, "n": true, "id": true, "newRoundEvent": true, "syncing": true,
		"pm": true, "elect.Election.leaders": true, "elect.Election.Table": true, "elect.Election.n": true,
		"elect.Election.roundsPerLeader": true, "elect.Election.memoKey": true, "elect.Election.memoLeader": true,
	}
	hot := map[string]bool{
		"elect.Election.leaders": true, "elect.Election.Table": true, "elect.Election.n": true,
		"elect.Election.roundsPerLeader": true, "elect.Election.reputation": true,
		"elect.Election.memoKey": true, "elect.Election.memoLeader": true,
		"env": true, "pm": true, "ledger": true,
		"tree.votes": true, "tree.highQC": true, "tree.highCommitQC": true, "tree.certs": true, "tree.opened": true,
		"mempool": true, "id": true, "newRoundEvent": true, "syncing": true, "n": true, "quorum": true,
		"safety": true, "costs": true, "votes": true, "conduct.out": true, "conduct.S": true,
		"keys.self": true, "keys.real": true, "keys.n": true, "keys.base": true, "keys.fingerprint": true,
		"s.bugs": true, "s.newRoundOnly": true, "s.roundTimer": true, "s.blockSize": true, "s.futureRounds": true,
	}
	found := map[string]bool{}
	var visit func(typ reflect.Type, base uintptr, prefix string)
	visit = func(typ reflect.Type, base uintptr, prefix string) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, off := prefix+f.Name, base+f.Offset
			if hot[name] {
				found[name] = true
				if end := off + f.Type.Size(); off < 64 || end > 8*64 {
					t.Errorf("%s at bytes %d to %d, outside the replica's lines 1 to 7 (bytes 64 to 512)", name, off, end)
				} else if request[name] && end > 4*64 {
					t.Errorf("%s at bytes %d to %d, outside the replica's lines 1 to 3 (bytes 64 to 256), which a request's delivery reads", name, off, end)
				}
				continue
			}
			if f.Type.Kind() == reflect.Struct && (name == "elect" || name == "elect.Election" || name == "tree" || name == "conduct" || name == "keys" || name == "s") {
				visit(f.Type, off, name+".")
			}
		}
	}
	visit(reflect.TypeOf(Replica{}), 0, "")
	for name := range hot {
		if !found[name] {
			t.Errorf("no field %s", name)
		}
	}
}
