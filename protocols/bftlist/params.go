package bftlist

import (
	"fmt"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Loop modes: how a module's loop paces its iterations.
const (
	// LoopBackToBack runs an iteration as soon as the previous one's
	// charged work is done, and sleeps throttle_sleep at a time while the
	// backlog to some peer exceeds queue_limit messages (the reference's
	// rate limiter).
	LoopBackToBack = "back_to_back"
	// LoopPeriodic runs an iteration every ve_interval, rep_interval or
	// pm_interval.
	LoopPeriodic = "periodic"
)

// Failure-detector modes.
const (
	FDBeat  = "beat"
	FDEvent = "event"
)

// paramSpecs lists the protocol's parameters.
func paramSpecs() []protocols.ParamSpec {
	us := sim.Microsecond
	return []protocols.ParamSpec{
		{Name: "self_stabilizing", Type: protocols.ParamBool, Default: true,
			Doc: "run view establishment and consolidation; false fixes the view at 0 (the reference's non-self-stabilizing mode)"},
		{Name: "loop_mode", Type: protocols.ParamString, Default: LoopPeriodic, Enum: []string{LoopPeriodic, LoopBackToBack},
			Doc: "periodic: each loop iterates every *_interval; back_to_back: as the reference, each loop iterates again once its charged work is done and sleeps throttle_sleep while the backlog to a peer exceeds queue_limit (see docs/bftlist.md)"},
		{Name: "queue_limit", Type: protocols.ParamInt, Default: int64(10), Min: 0, Max: 1 << 30,
			Doc: "back_to_back: a loop sleeps while more than this many messages to some peer are not yet handled by it (the reference's MAX_QUEUE_SIZE)"},
		{Name: "throttle_sleep", Type: protocols.ParamDuration, Default: 50 * sim.Millisecond,
			Doc: "back_to_back: one sleep of a throttled loop, after which it checks the backlog again (the reference's RUN_SLEEP)"},
		{Name: "ve_interval", Type: protocols.ParamDuration, Default: 50 * sim.Millisecond, Doc: "periodic: view-establishment loop period"},
		{Name: "rep_interval", Type: protocols.ParamDuration, Default: 50 * sim.Millisecond, Doc: "periodic: replication loop period"},
		{Name: "pm_interval", Type: protocols.ParamDuration, Default: 50 * sim.Millisecond, Doc: "periodic: primary-monitoring loop period"},
		{Name: "fd_interval", Type: protocols.ParamDuration, Default: 250 * sim.Millisecond, Doc: "pause of a data link between an acknowledged token and the next (FD_SLEEP)"},
		{Name: "datalink_timeout", Type: protocols.ParamDuration, Default: 5 * sim.Second, Doc: "data-link retransmission timeout of an unacknowledged token (FD_TIMEOUT)"},
		{Name: "datalink_cap", Type: protocols.ParamInt, Default: int64(1024), Min: 2, Max: 1 << 30, Doc: "data-link counters run modulo this bound"},
		{Name: "ve_cost", Type: protocols.ParamDuration, Default: 50 * us, Doc: "CPU time of one view-establishment iteration"},
		{Name: "rep_cost", Type: protocols.ParamDuration, Default: 200 * us, Doc: "fixed CPU time of one replication iteration"},
		{Name: "rep_entry_cost", Type: protocols.ParamDuration, Default: 200 * sim.Nanosecond, Doc: "replication CPU time per element held in the n structures (list, logs, queues)"},
		{Name: "pm_cost", Type: protocols.ParamDuration, Default: 20 * us, Doc: "CPU time of one primary-monitoring iteration"},
		{Name: "fd_cost", Type: protocols.ParamDuration, Default: 10 * us, Doc: "CPU time of handling one failure-detector token"},
		{Name: "sigma", Type: protocols.ParamInt, Default: int64(5), Min: 1, Max: 1000, Doc: "σ: pend_reqs and req_q hold σK requests, r_log 3σK, the sequence window is σK"},
		{Name: "beat_threshold", Type: protocols.ParamInt, Default: int64(0), Min: 0, Max: 1 << 30, Doc: "tokens without hearing from a replica before it leaves fd_set; 0: 50 for n ≤ 6, 250 above"},
		{Name: "cnt_threshold", Type: protocols.ParamInt, Default: int64(0), Min: 0, Max: 1 << 30, Doc: "primary tokens without progress before suspecting it; 0: 25 for n ≤ 6, 125 above"},
		{Name: "fd_mode", Type: protocols.ParamString, Default: FDBeat, Enum: []string{FDBeat, FDEvent},
			Doc: "beat: view establishment counts every replica; event: only those that returned the event-driven detector's token K times in its last round"},
		{Name: "efd_k", Type: protocols.ParamInt, Default: int64(5), Min: 1, Max: 1000, Doc: "event-driven detector: returns of a token that make a replica correct for a round"},
		{Name: "efd_timeout", Type: protocols.ParamDuration, Default: sim.Second, Doc: "event-driven detector: rebroadcast of an unfinished round's token"},
		{Name: "start_state", Type: protocols.ParamString, Default: "", Enum: []string{"", "rst", "mixed_views", "view_change"},
			Doc: "named start state applied at Start (see StartState): rst, mixed_views or view_change"},
		{Name: "force_view", Type: protocols.ParamInt, Default: int64(-1), Min: -1, Max: maxReplicas - 1,
			Doc: "−1: off; else replication, primary monitoring and the failure detector see this view with service allowed, whatever view establishment does (the reference's FORCE_VIEW + ALLOW_SERVICE test mode)"},
	}
}

// Params are a replica's parameters, decoded from protocols.Params.
type Params struct {
	// First what a delivery may read (a replica's state is laid out in
	// the order its hot paths read it; see Replica).
	SelfStabilizing bool
	ForceView       int64
	FDMode          string
	LinkCap         uint32
	FDCost          sim.Time
	CntThreshold    int
	BeatThreshold   int
	FDInterval      sim.Time
	LinkTimeout     sim.Time
	LoopMode        string
	QueueLimit      int
	ThrottleSleep   sim.Time
	VEInterval      sim.Time
	REPInterval     sim.Time
	PMInterval      sim.Time
	VECost          sim.Time
	REPCost         sim.Time
	REPEntryCost    sim.Time
	PMCost          sim.Time
	Sigma           int
	EFDK            int
	EFDTimeout      sim.Time
	StartState      string
}

// decodeParams fills p's missing entries with defaults and decodes them.
func decodeParams(p protocols.Params, n int) (Params, error) {
	all := protocols.Defaults(paramSpecs())
	for k, v := range p {
		if _, ok := all[k]; !ok {
			return Params{}, fmt.Errorf("bftlist: unknown parameter %q", k)
		}
		all[k] = v
	}
	var out Params
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("bftlist: %v", r)
			}
		}()
		out = Params{
			SelfStabilizing: all.Bool("self_stabilizing"),
			LoopMode:        all.String("loop_mode"),
			QueueLimit:      int(all.Int("queue_limit")),
			ThrottleSleep:   all.Duration("throttle_sleep"),
			VEInterval:      all.Duration("ve_interval"),
			REPInterval:     all.Duration("rep_interval"),
			PMInterval:      all.Duration("pm_interval"),
			FDInterval:      all.Duration("fd_interval"),
			LinkTimeout:     all.Duration("datalink_timeout"),
			LinkCap:         uint32(all.Int("datalink_cap")),
			VECost:          all.Duration("ve_cost"),
			REPCost:         all.Duration("rep_cost"),
			REPEntryCost:    all.Duration("rep_entry_cost"),
			PMCost:          all.Duration("pm_cost"),
			FDCost:          all.Duration("fd_cost"),
			Sigma:           int(all.Int("sigma")),
			BeatThreshold:   int(all.Int("beat_threshold")),
			CntThreshold:    int(all.Int("cnt_threshold")),
			FDMode:          all.String("fd_mode"),
			EFDK:            int(all.Int("efd_k")),
			EFDTimeout:      all.Duration("efd_timeout"),
			StartState:      all.String("start_state"),
			ForceView:       all.Int("force_view"),
		}
	}()
	if err != nil {
		return Params{}, err
	}
	if out.BeatThreshold == 0 {
		out.BeatThreshold = 50
		if n > 6 {
			out.BeatThreshold = 250
		}
	}
	if out.CntThreshold == 0 {
		out.CntThreshold = 25
		if n > 6 {
			out.CntThreshold = 125
		}
	}
	switch {
	case out.VEInterval <= 0:
		return Params{}, fmt.Errorf("bftlist: loop intervals must be > 0 (ve_interval is %v)", out.VEInterval)
	case out.REPInterval <= 0:
		return Params{}, fmt.Errorf("bftlist: loop intervals must be > 0 (rep_interval is %v)", out.REPInterval)
	case out.PMInterval <= 0:
		return Params{}, fmt.Errorf("bftlist: loop intervals must be > 0 (pm_interval is %v)", out.PMInterval)
	case out.FDInterval <= 0:
		return Params{}, fmt.Errorf("bftlist: loop intervals must be > 0 (fd_interval is %v)", out.FDInterval)
	case out.LinkTimeout <= 0:
		return Params{}, fmt.Errorf("bftlist: timeouts must be > 0 (datalink_timeout is %v)", out.LinkTimeout)
	case out.EFDTimeout <= 0:
		return Params{}, fmt.Errorf("bftlist: timeouts must be > 0 (efd_timeout is %v)", out.EFDTimeout)
	case out.LoopMode != LoopBackToBack && out.LoopMode != LoopPeriodic:
		return Params{}, fmt.Errorf("bftlist: loop_mode must be %q or %q", LoopBackToBack, LoopPeriodic)
	case out.LoopMode == LoopBackToBack && out.ThrottleSleep <= 0:
		return Params{}, fmt.Errorf("bftlist: throttle_sleep must be > 0")
	case out.LoopMode == LoopBackToBack && (out.VECost <= 0 || out.REPCost <= 0 || out.PMCost <= 0):
		// An iteration that charges nothing would run again at the same
		// instant, for ever: back-to-back loops need every iteration to
		// take virtual time.
		return Params{}, fmt.Errorf("bftlist: ve_cost, rep_cost and pm_cost must be > 0 with loop_mode %q (or use %q)", LoopBackToBack, LoopPeriodic)
	case out.QueueLimit < 0:
		return Params{}, fmt.Errorf("bftlist: queue_limit must be ≥ 0")
	case out.LinkCap < 2:
		return Params{}, fmt.Errorf("bftlist: datalink_cap must be ≥ 2")
	case out.Sigma < 1:
		return Params{}, fmt.Errorf("bftlist: sigma must be ≥ 1")
	case out.FDMode != FDBeat && out.FDMode != FDEvent:
		return Params{}, fmt.Errorf("bftlist: fd_mode must be %q or %q", FDBeat, FDEvent)
	case out.EFDK < 1:
		return Params{}, fmt.Errorf("bftlist: efd_k must be ≥ 1")
	case out.ForceView < -1 || out.ForceView >= int64(n):
		return Params{}, fmt.Errorf("bftlist: force_view %d is out of range (allowed: −1 for off, or 0 to %d)", out.ForceView, n-1)
	}
	return out, nil
}
