package bftlist

// eventFD is the event-driven failure detector (the reference's
// failure_detector branch): a replica broadcasts a token; every replica
// returns a token to whoever sent it; the owner counts the returns of its
// current token per replica; a round ends when the replicas that returned
// it K times make, with the owner, n−f replicas. Those replicas are the
// round's correct set, which view establishment then counts in its witness
// predicates. Tokens are bounded counters; an unfinished round rebroadcasts
// its token after a timeout.
//
// The reference ended a round at n−2f returns. The witness predicates need
// n−f echoes from the correct set, so a correct set of n−2f others and the
// owner (n−2f+1 < n−f when f ≥ 2) never lets view establishment run, and
// with f = 0 the n−1 others never reach n−2f = n: no view was ever
// established then. n−f (owner included) is what the witness predicates
// need, and the n−f correct replicas alone reach it.
type eventFD struct {
	r           *Replica
	token       uint32
	counters    []int
	round       uint64 // rounds completed
	lastCorrect idset
	// atK counts the other replicas whose counter reached K (the size of
	// correct()), kept as counters grow so that a token costs O(1).
	atK int
}

func newEventFD(r *Replica) eventFD {
	return eventFD{r: r, counters: make([]int, r.n), lastCorrect: full(r.n)}
}

func (e *eventFD) broadcast() {
	r := e.r
	m := &EFDToken{Owner: int32(r.id), Token: e.token}
	for j := 0; j < r.n; j++ {
		if j != r.id {
			r.send(j, m)
		}
	}
	r.setLoop(loopEFD, r.p.EFDTimeout)
}

// recount sets atK from the counters (after they were set wholesale).
func (e *eventFD) recount() {
	e.atK = 0
	for k, c := range e.counters {
		if k != e.r.id && c >= e.r.p.EFDK {
			e.atK++
		}
	}
}

func (e *eventFD) correct() idset {
	var s idset
	for k, c := range e.counters {
		if k != e.r.id && c >= e.r.p.EFDK {
			s.put(k)
		}
	}
	return s
}

// onToken handles a token from j.
func (e *eventFD) onToken(j int, m *EFDToken) {
	r := e.r
	if m.Owner < 0 || int(m.Owner) >= r.n {
		return
	}
	if int(m.Owner) == r.id {
		if m.Token != e.token {
			return // a leftover of an earlier round
		}
		if e.counters[j] < 1<<30 {
			e.counters[j]++
			if e.counters[j] == r.p.EFDK && j != r.id {
				e.atK++
			}
		}
		// The owner and the others that returned the token K times: n−f
		// replicas, reachable by the correct ones alone, enough for the
		// witness predicates' n−f echoes among them.
		if e.atK+1 >= r.n-r.f {
			e.lastCorrect = e.correct()
			e.round++
			clear(e.counters)
			e.atK = 0
			e.token = (e.token + 1) % r.p.LinkCap
			e.broadcast()
			return
		}
	}
	r.env.Charge(r.p.FDCost)
	r.send(j, m)
}
