package twins

import "math/big"

// Stirling returns S(m, p), the number of partitions of m elements into p
// non-empty buckets (Stirling numbers of the second kind).
func Stirling(m, p int) *big.Int {
	if m < 0 || p < 0 {
		return new(big.Int)
	}
	// row[k] = S(i, k), built row by row with S(i,k) = k·S(i−1,k) + S(i−1,k−1).
	row := make([]*big.Int, p+1)
	for k := range row {
		row[k] = new(big.Int)
	}
	row[0].SetInt64(1)
	for i := 1; i <= m; i++ {
		for k := min(i, p); k >= 1; k-- {
			t := new(big.Int).Mul(big.NewInt(int64(k)), row[k])
			row[k] = t.Add(t, row[k-1])
		}
		row[0].SetInt64(0)
	}
	return row[p]
}

// Partitions returns every partition of the processes 0 … m−1 into exactly
// p non-empty buckets, each bucket a bit set of processes, buckets ordered
// by their smallest process. The order is lexicographic over restricted
// growth strings (a[0] = 0, a[i] ≤ 1 + max(a[0..i−1])), so the partition
// with everyone in bucket 0 but the last processes comes first.
func Partitions(m, p int) [][]uint64 {
	if m < 1 || p < 1 || p > m || m > 64 {
		return nil
	}
	var out [][]uint64
	a := make([]int, m)
	var rec func(i, used int)
	rec = func(i, used int) {
		if m-i < p-used {
			return // not enough processes left to fill the buckets
		}
		if i == m {
			if used == p {
				part := make([]uint64, p)
				for j, b := range a {
					part[b] |= 1 << j
				}
				out = append(out, part)
			}
			return
		}
		for b := 0; b <= used && b < p; b++ {
			a[i] = b
			if b == used {
				rec(i+1, used+1)
			} else {
				rec(i+1, used)
			}
		}
	}
	rec(0, 0)
	return out
}
