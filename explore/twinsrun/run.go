package twinsrun

import (
	"fmt"
	"math/rand/v2"

	"github.com/byzsim/byzsim/failures/twins"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Properties a run checks.
const (
	PropCertified = "P1" // at most one block certified per round
	PropChain     = "P2" // committed blocks form one chain
	PropProgress  = "P3" // after GST every correct replica commits a block of a round ≥ GST
	PropLatency   = "P4" // the protocol's commit bound (protocols.CommitBound) after GST
	PropNoQuorum  = "NQ" // no QC in a round before GST without a quorum bucket
)

// PropertyText describes a property for the settings' protocol (P4 states
// its commit bound).
func (s *Settings) PropertyText(prop string) string {
	switch prop {
	case PropCertified:
		return "at most one block is certified per round"
	case PropChain:
		return "blocks committed by correct replicas form one chain"
	case PropProgress:
		return "after GST every correct replica commits a block of a later round"
	case PropLatency:
		leaders, bound, ok := s.commitBound()
		if !ok {
			return "the protocol's commit bound (it declares none)"
		}
		rounds := "r"
		for k := 1; k < leaders; k++ {
			rounds += fmt.Sprintf(", r+%d", k)
		}
		return fmt.Sprintf("with correct leaders for %s after GST, every correct replica commits r's block within %s of the first correct replica entering r", rounds, s.deltas(bound))
	case PropNoQuorum:
		return "no QC is formed in a round without a bucket holding a quorum"
	}
	return prop
}

// commitBound is the protocol's commit bound for a Twins run: the
// consecutive correct leaders it needs and the bound; ok is false when the
// protocol declares none.
func (s *Settings) commitBound() (leaders int, bound sim.Time, ok bool) {
	cb := s.Protocol.CommitBound
	if cb == nil {
		return 0, 0, false
	}
	p, err := s.params()
	if err != nil {
		return 0, 0, false
	}
	return cb.Leaders, cb.Within(p), true
}

// deltas writes a duration as a multiple of Δ ("7Δ") when it is one, else
// as a duration.
func (s *Settings) deltas(d sim.Time) string {
	if s.Delta > 0 && d%s.Delta == 0 {
		return fmt.Sprintf("%dΔ", d/s.Delta)
	}
	return d.String()
}

// Violation is one property found violated in a run.
type Violation struct {
	Property string             `json:"property"`
	Round    int64              `json:"round"`
	At       sim.Time           `json:"at_ns"`
	Procs    []int              `json:"processes"`
	Blocks   []protocols.Digest `json:"blocks,omitempty"`
	Detail   string             `json:"detail"`
}

// Result is the outcome of one scenario.
type Result struct {
	Index int64
	// Violations lists at most one violation per property, in the order
	// found.
	Violations []Violation
	// Liveness is set when P3 and P4 were checked (GST came and no safety
	// property was violated).
	Liveness bool
	// End is why the run ended: "done", "stalled", "violation" or "cap".
	End    string
	Events uint64
	// Rounds is the lowest round reached by a correct replica.
	Rounds int64
}

// Failed reports whether the run violated a property.
func (r *Result) Failed() bool { return len(r.Violations) > 0 }

// Has reports whether the run violated property prop.
func (r *Result) Has(prop string) bool {
	for _, v := range r.Violations {
		if v.Property == prop {
			return true
		}
	}
	return false
}

// Runner runs scenarios one at a time, reusing its buffers. A Runner is
// not safe for concurrent use; run one per goroutine.
type Runner struct {
	s      Settings
	params protocols.Params
	// quorum is the protocol's correct quorum (also with a planted bug
	// that shrinks it, which NQ must catch): a bucket holding fewer
	// identities cannot certify, since two quorums share ≥ f+1 replicas.
	quorum   int
	classify func(sim.Message) protocols.MessageClass
	// span is the number of consecutive correct leaders P4 needs; bound
	// is P4's bound, 0 when the protocol declares none.
	span  int
	bound sim.Time
	reqs  [][]*protocols.Request // per process, shared read-only
	tab   table

	// per run
	w        *sim.World
	procs    []proc
	res      Result
	found    uint8 // bit per property already found
	cert     []certRec
	heights  []commitRec
	enter    []sim.Time // first entry of a correct replica per round; −1 none
	atGST    sim.Time   // when the last correct replica reached GST; −1 not yet
	nAtGST   int
	changed  sim.Time // last round change of any process
	gstRound int64    // the first round after GST
	openAt   sim.Time // when GST came; −1 not yet
	tickFn   func()
	leads    []int
	lowRound int64
}

type certRec struct {
	digest protocols.Digest
	proc   int
	set    bool
}

type commitRec struct {
	digest protocols.Digest
	round  int64
	proc   int
	set    bool
}

// NewRunner returns a runner for the settings, which must be valid.
func NewRunner(s Settings) (*Runner, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	params, err := s.params()
	if err != nil {
		return nil, err
	}
	rn := &Runner{s: s, params: params, quorum: s.Protocol.Twins.Quorum(s.N, s.F), classify: s.Protocol.Twins.Classify, span: 3}
	if leaders, bound, ok := s.commitBound(); ok {
		rn.span, rn.bound = leaders, bound
	}
	// A replica of the protocol must take a leader schedule and preloaded
	// requests.
	r, err := s.Protocol.New(protocols.Config{ID: 0, N: s.N, F: s.F, Params: params, Seed: s.Seed})
	if err != nil {
		return nil, fmt.Errorf("twins: %s replica: %w", s.Protocol.Name, err)
	}
	if _, ok := r.(protocols.LeaderScheduler); !ok {
		return nil, fmt.Errorf("twins: %s replicas do not implement protocols.LeaderScheduler", s.Protocol.Name)
	}
	if _, ok := r.(protocols.Preloader); !ok {
		return nil, fmt.Errorf("twins: %s replicas do not implement protocols.Preloader", s.Protocol.Name)
	}
	m := s.N + s.T
	rn.procs = make([]proc, m)
	rn.reqs = make([][]*protocols.Request, m)
	rn.tickFn = rn.tick
	return rn, nil
}

// preload returns the transactions of process p: count requests of a
// client of its own, so twins propose different blocks.
func (rn *Runner) preload(p, count int) []*protocols.Request {
	if len(rn.reqs[p]) < count {
		reqs := make([]*protocols.Request, count)
		for k := range reqs {
			reqs[k] = &protocols.Request{Client: sim.NodeID(1<<20 + p), ID: uint64(k + 1), Op: protocols.OpAppend, Value: int64(k + 1)}
		}
		rn.reqs[p] = reqs
	}
	return rn.reqs[p][:count]
}

// Run executes one validated scenario.
func (rn *Runner) Run(sc *twins.Scenario) (Result, error) {
	s := &rn.s
	rn.tab.compile(sc, s.N, s.T, rn.quorum)
	tab := &rn.tab
	m := s.N + s.T
	rn.res = Result{Index: sc.Index}
	rn.found = 0
	rn.cert = rn.cert[:0]
	rn.heights = rn.heights[:0]
	rn.enter = rn.enter[:0]
	rn.atGST, rn.nAtGST, rn.changed, rn.lowRound = -1, 0, 0, 0
	rn.gstRound, rn.openAt = int64(rn.tab.gst), -1
	w := sim.NewWorld(sim.Config{Seed: s.Seed, Replicas: m})
	rn.w = w
	w.Network().SetDefault(sim.Link{Delay: sim.Constant{D: s.Delay}, Channel: sim.Reliable})
	// Each process needs one transaction per round its identity may lead
	// (block_size is 1; a block that does not commit gives its transaction
	// back), plus a margin.
	leads := rn.leads[:0]
	for p := 0; p < s.N; p++ {
		leads = append(leads, 2)
	}
	for r := int64(0); r < int64(tab.rounds)+8; r++ {
		leads[tab.leaderOf(r)]++
	}
	rn.leads = leads
	leaders := tab.leaderOf
	for p := 0; p < m; p++ {
		id := twins.Identity(p, s.N)
		txns := leads[id]
		r, err := s.Protocol.New(protocols.Config{ID: sim.NodeID(id), N: s.N, F: s.F, Params: rn.params, Seed: s.Seed})
		if err != nil {
			return Result{}, fmt.Errorf("twins: replica %d: %w", id, err)
		}
		r.(protocols.LeaderScheduler).SetLeaderTable(leaders)
		r.(protocols.Preloader).Preload(rn.preload(p, txns)...)
		pr := &rn.procs[p]
		*pr = proc{rn: rn, p: p, id: sim.NodeID(id), r: r, correct: id >= s.T, commits: pr.commits[:0]}
		w.AddNode(pr, 0)
	}
	rn.noteEnter(0, 0)
	if s.T == s.N || tab.gst == 0 {
		rn.atGST, rn.nAtGST = 0, s.N-s.T
		tab.open, rn.openAt = true, 0
	}
	rt := s.RoundTimer()
	w.At(rt, rn.tickFn)
	limit := sim.Time(tab.rounds+6) * 2 * (rt + 2*s.Delta)
	why := w.Run(limit)
	switch why {
	case "until", "idle":
		why = "cap"
	}
	rn.res.End = why
	rn.res.Events = w.Stats().Events
	rn.res.Rounds = rn.lowRound
	rn.checkLiveness()
	for p := range rn.procs {
		rn.procs[p].r = nil
	}
	rn.w = nil
	return rn.res, nil
}

// tick watches for a stall: when no process changed round for three round
// timers, GST comes now if it has not yet (the schedule stalled, so its GST
// round would never come); after GST, a stall ends the run.
func (rn *Runner) tick() {
	rt := rn.s.RoundTimer()
	if rn.w.Now()-rn.changed >= 3*rt {
		if rn.tab.open {
			rn.w.Stop("stalled")
			return
		}
		rn.forceGST()
	}
	rn.w.After(rt, rn.tickFn)
}

// forceGST opens the network: GST starts in the round after the highest
// round of a correct replica.
func (rn *Runner) forceGST() {
	rn.tab.open = true
	rn.openAt = rn.w.Now()
	rn.changed = rn.w.Now()
	high := int64(0)
	for i := range rn.procs {
		if q := &rn.procs[i]; q.correct {
			high = max(high, q.round)
			q.atGST = false
		}
	}
	rn.gstRound = high + 1
	rn.nAtGST = 0
}

func (rn *Runner) violate(v Violation) {
	bit := uint8(1) << propBit(v.Property)
	if rn.found&bit != 0 {
		return
	}
	rn.found |= bit
	rn.res.Violations = append(rn.res.Violations, v)
	if v.Property != PropLatency && v.Property != PropProgress {
		rn.w.Stop("violation")
	}
}

func propBit(p string) int {
	switch p {
	case PropCertified:
		return 0
	case PropChain:
		return 1
	case PropProgress:
		return 2
	case PropLatency:
		return 3
	}
	return 4
}

func (rn *Runner) onCertified(p int, c protocols.Certified, at sim.Time) {
	r := c.Round
	if r < 0 {
		return
	}
	if !rn.tab.open && int(r) < rn.tab.rounds && rn.tab.quorumless[r] {
		rn.violate(Violation{Property: PropNoQuorum, Round: r, At: at, Procs: []int{p}, Blocks: []protocols.Digest{c.Digest},
			Detail: fmt.Sprintf("%s learned a QC for block %x of round %d, but no bucket of round %d holds %d identities", rn.name(p), uint64(c.Digest), r, r, rn.quorum)})
	}
	for int64(len(rn.cert)) <= r {
		rn.cert = append(rn.cert, certRec{})
	}
	rec := &rn.cert[r]
	switch {
	case !rec.set:
		*rec = certRec{digest: c.Digest, proc: p, set: true}
	case rec.digest != c.Digest:
		rn.violate(Violation{Property: PropCertified, Round: r, At: at, Procs: []int{rec.proc, p}, Blocks: []protocols.Digest{rec.digest, c.Digest},
			Detail: fmt.Sprintf("two blocks certified in round %d: %x (QC learned by %s) and %x (QC learned by %s)", r, uint64(rec.digest), rn.name(rec.proc), uint64(c.Digest), rn.name(p))})
	}
}

func (rn *Runner) onCommit(p int, c protocols.Commit, at sim.Time) {
	pr := &rn.procs[p]
	for int64(len(pr.commits)) <= c.Round {
		pr.commits = append(pr.commits, -1)
	}
	if c.Round >= 0 && pr.commits[c.Round] < 0 {
		pr.commits[c.Round] = at
	}
	if c.Round > pr.maxCommit {
		pr.maxCommit = c.Round
		rn.checkDone()
	}
	h := c.Height
	for int64(len(rn.heights)) <= h {
		rn.heights = append(rn.heights, commitRec{})
	}
	rec := &rn.heights[h]
	switch {
	case !rec.set:
		*rec = commitRec{digest: c.Digest, round: c.Round, proc: p, set: true}
	case rec.digest != c.Digest:
		rn.violate(Violation{Property: PropChain, Round: c.Round, At: at, Procs: []int{rec.proc, p}, Blocks: []protocols.Digest{rec.digest, c.Digest},
			Detail: fmt.Sprintf("conflicting commits at height %d: %s committed block %x of round %d, %s committed block %x of round %d", h, rn.name(rec.proc), uint64(rec.digest), rec.round, rn.name(p), uint64(c.Digest), c.Round)})
	}
}

func (rn *Runner) onRound(p int, round int64, at sim.Time) {
	rn.changed = at
	pr := &rn.procs[p]
	pr.round = round
	if !pr.correct {
		return
	}
	rn.noteEnter(round, at)
	if !rn.tab.open && round >= rn.gstRound {
		rn.tab.open = true
		rn.openAt = at
	}
	if !pr.atGST && round >= rn.gstRound {
		pr.atGST = true
		rn.nAtGST++
		if rn.nAtGST == rn.s.N-rn.s.T {
			rn.atGST = at
		}
	}
	low := int64(-1)
	for i := range rn.procs {
		q := &rn.procs[i]
		if q.correct && (low < 0 || q.round < low) {
			low = q.round
		}
	}
	rn.lowRound = low
	rn.checkDone()
}

// lastChecked is the last round whose commit P4 checks.
func (rn *Runner) lastChecked() int64 {
	return max(int64(rn.tab.rounds), rn.gstRound+int64(rn.span)) - 1
}

// checkDone ends the run once every correct replica is two rounds past the
// last round P4 checks and has committed a block of that round or later.
func (rn *Runner) checkDone() {
	target := rn.lastChecked()
	if !rn.tab.open || rn.lowRound < target+2 {
		return
	}
	for i := range rn.procs {
		if q := &rn.procs[i]; q.correct && q.maxCommit < target {
			return
		}
	}
	rn.w.Stop("done")
}

func (rn *Runner) noteEnter(round int64, at sim.Time) {
	for int64(len(rn.enter)) <= round {
		rn.enter = append(rn.enter, -1)
	}
	if rn.enter[round] < 0 {
		rn.enter[round] = at
	}
}

// checkLiveness checks P3 and P4 when every round before GST had a quorum
// bucket.
func (rn *Runner) checkLiveness() {
	tab := &rn.tab
	if !tab.open || rn.found&(1<<0|1<<1|1<<4) != 0 {
		return
	}
	rn.res.Liveness = true
	gst := rn.gstRound
	for p := range rn.procs {
		pr := &rn.procs[p]
		if pr.correct && pr.maxCommit < gst {
			rn.violate(Violation{Property: PropProgress, Round: gst, At: rn.w.Now(), Procs: []int{p},
				Detail: fmt.Sprintf("%s committed no block of a round ≥ %d (GST) by the end of the run (%s, its round %d, highest committed round %d)", rn.name(p), gst, rn.res.End, pr.round, pr.maxCommit)})
			break
		}
	}
	if rn.atGST < 0 || rn.bound <= 0 {
		return
	}
	bound := rn.bound
	for r := gst; r <= rn.lastChecked(); r++ {
		if r >= int64(len(rn.enter)) || rn.enter[r] < 0 || rn.enter[r] < rn.atGST+rn.s.Delta {
			continue
		}
		correct := true
		for k := 0; k < rn.span; k++ {
			correct = correct && tab.correctLeader(r+int64(k))
		}
		if !correct {
			continue
		}
		e := rn.enter[r]
		for p := range rn.procs {
			pr := &rn.procs[p]
			if !pr.correct {
				continue
			}
			var at sim.Time = -1
			if r < int64(len(pr.commits)) {
				at = pr.commits[r]
			}
			if at < 0 || at > e+bound {
				what := "never committed it"
				if at >= 0 {
					what = fmt.Sprintf("committed it at %v, %v after", at, at-e)
				}
				rn.violate(Violation{Property: PropLatency, Round: r, At: e + bound, Procs: []int{p},
					Detail: fmt.Sprintf("the first correct replica entered round %d at %v (leaders of rounds %d–%d correct); %s %s (bound %s = %v)", r, e, r, r+int64(rn.span)-1, rn.name(p), what, rn.s.deltas(bound), bound)})
				return
			}
		}
	}
}

// name names process p: "replica2", or "replica0'" for a twin.
func (rn *Runner) name(p int) string {
	if p >= rn.s.N {
		return fmt.Sprintf("replica%d'", p-rn.s.N)
	}
	return fmt.Sprintf("replica%d", p)
}

// proc is one process: a replica with an identity (shared with its
// twin, if any). It is the replica's sim.Env and the world's sim.Node: it
// translates identities to processes and filters sends by the scenario.
type proc struct {
	rn        *Runner
	p         int
	id        sim.NodeID
	r         protocols.Replica
	env       sim.Env
	correct   bool
	round     int64
	atGST     bool
	maxCommit int64
	commits   []sim.Time // per round: first commit of that round's block; −1 none
}

var (
	_ sim.Node = (*proc)(nil)
	_ sim.Env  = (*proc)(nil)
)

// Start implements sim.Node.
func (pr *proc) Start(env sim.Env) {
	pr.env = env
	pr.maxCommit = -1
	pr.r.Start(pr)
}

// Deliver implements sim.Node: the replica sees the sender's identity.
func (pr *proc) Deliver(from sim.NodeID, msg sim.Message) {
	pr.r.Deliver(sim.NodeID(twins.Identity(int(from), pr.rn.s.N)), msg)
}

// Fire implements sim.Node.
func (pr *proc) Fire(t sim.Timer) { pr.r.Fire(t) }

// Now implements sim.Env.
func (pr *proc) Now() sim.Time { return pr.env.Now() }

// ID implements sim.Env: the identity.
func (pr *proc) ID() sim.NodeID { return pr.id }

// Replicas implements sim.Env: the identities.
func (pr *proc) Replicas() int { return pr.rn.s.N }

// classBit is the drop bit of a message class.
func classBit(c protocols.MessageClass) uint8 {
	switch c {
	case protocols.ClassProposal:
		return bitProposal
	case protocols.ClassVote:
		return bitVote
	case protocols.ClassTimeout:
		return bitTimeout
	}
	return bitOther
}

// Send implements sim.Env: to an identity, i.e. to both processes of a
// twinned replica; messages to anything else (client replies) go nowhere.
func (pr *proc) Send(to sim.NodeID, msg sim.Message) {
	n := pr.rn.s.N
	if to < 0 || int(to) >= n {
		return
	}
	round, bit := pr.r.Round(), classBit(pr.rn.classify(msg))
	tab := &pr.rn.tab
	if tab.allowed(round, pr.p, int(to), bit) {
		pr.env.Send(to, msg)
	}
	if int(to) < pr.rn.s.T {
		if q := n + int(to); tab.allowed(round, pr.p, q, bit) {
			pr.env.Send(sim.NodeID(q), msg)
		}
	}
}

// Broadcast implements sim.Env: to every process.
func (pr *proc) Broadcast(msg sim.Message) {
	round, bit := pr.r.Round(), classBit(pr.rn.classify(msg))
	tab := &pr.rn.tab
	for q := 0; q < tab.m; q++ {
		if tab.allowed(round, pr.p, q, bit) {
			pr.env.Send(sim.NodeID(q), msg)
		}
	}
}

// SetTimer implements sim.Env.
func (pr *proc) SetTimer(d sim.Time, kind int, data int64) sim.TimerID {
	return pr.env.SetTimer(d, kind, data)
}

// CancelTimer implements sim.Env.
func (pr *proc) CancelTimer(id sim.TimerID) { pr.env.CancelTimer(id) }

// Rand implements sim.Env.
func (pr *proc) Rand() *rand.Rand { return pr.env.Rand() }

// Charge implements sim.Env.
func (pr *proc) Charge(d sim.Time) { pr.env.Charge(d) }

// Observe implements sim.Env: observations feed the property checks.
func (pr *proc) Observe(o sim.Observation) {
	switch o := o.(type) {
	case protocols.Certified:
		pr.rn.onCertified(pr.p, o, pr.env.Now())
	case protocols.Commit:
		if pr.correct {
			pr.rn.onCommit(pr.p, o, pr.env.Now())
		}
	case protocols.RoundChange:
		pr.rn.onRound(pr.p, o.Round, pr.env.Now())
	}
}
