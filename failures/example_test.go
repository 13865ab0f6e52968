package failures_test

import (
	"fmt"

	"github.com/byzsim/byzsim/failures"
	"github.com/byzsim/byzsim/protocols/prototest"
)

// A rule as an experiment file writes it: votes from replica2 and replica3
// to the leader are lost in round 3 (the reference's vote_drop scenario,
// for replica2).
func ExampleRule() {
	src, _ := failures.ParseEndpoint("replica2")
	dest, _ := failures.ParseEndpoint("leader")
	rounds, _ := failures.ParseRounds([]any{int64(3)})
	r := failures.Rule{Src: src, Dest: dest, Msg: "vote", Rounds: rounds, Prob: 1, Type: failures.Loss}
	fmt.Println(r)
	fmt.Println(r.Validate(prototest.Protocol(), 4))

	r.Msg = "prop"
	fmt.Println(r.Validate(prototest.Protocol(), 4))
	// Output:
	// loss src=replica2 dest=leader msg=vote rounds=[3] prob=1
	// <nil>
	// msg: unknown message kind "prop" (allowed: proposal, vote, timeout, request, reply, *)
}

func ExampleParseRounds() {
	set, err := failures.ParseRounds([]any{int64(1), int64(3), "5-9"})
	fmt.Println(set, err, set.Contains(7), set.Contains(4))
	_, err = failures.ParseRounds([]any{int64(1), "9-5"})
	fmt.Println(err)
	// Output:
	// [1, 3, "5-9"] <nil> true false
	// [1]: invalid round range "9-5": start after end (allowed: a round number >= 0, or a range "a-b" with 0 <= a <= b)
}
