package hotstuff

// Thresholds (DiemBFT's) for n replicas of which at most f are Byzantine,
// valid for every n ≥ 3f+1 (docs/diembft.md lists each with the rule it
// must satisfy and the test that checks it).

// Quorum returns the number of distinct signers of a QC or a TC:
// ⌈(n+f+1)/2⌉, the smallest q such that any two sets of q replicas
// intersect in at least f+1 replicas (2q − n ≥ f+1), hence in at least one
// correct replica. It is at most n − f exactly when n ≥ 3f+1, so the
// correct replicas alone form a quorum. At n = 3f+1 it is the paper's
// 2f+1; for larger n, 2f+1 is too small (at n = 6, f = 1 two disjoint
// halves of 3 would each certify).
func Quorum(n, f int) int { return (n + f + 2) / 2 }

// TimeoutAmplification returns how many distinct replicas' timeouts for a
// round at or above the current one make a replica time out too (Bracha):
// f+1, so that the set holds at least one correct replica's timeout and f
// Byzantine replicas cannot push correct ones out of a round; and f+1 ≤
// n − f, so once f+1 correct replicas time out every correct replica does,
// and their n − f ≥ Quorum(n, f) timeouts form a TC.
func TimeoutAmplification(f int) int { return f + 1 }

// smallQuorum is the deliberately wrong quorum of the planted bug
// bug_small_quorum: one less than Quorum(n, f) (at least 1). Two such
// quorums may intersect in f replicas or fewer, so f Byzantine replicas can
// make conflicting certificates, and for f ≤ 1 a network partition alone
// can (2 | 2 at n = 4, f = 1; 3 | 3 at n = 6, f = 1).
func smallQuorum(n, f int) int { return max(Quorum(n, f)-1, 1) }
