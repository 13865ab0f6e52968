#!/usr/bin/env bash
# Re-makes default.pgo, the CPU profile with which `go build` optimizes byzsim (profile-guided
# optimization: the go command uses default.pgo of the main package's directory by default).
# It runs the benchmark shapes of experiments/bench/ with --cpuprofile and merges the profiles:
# peer-256 (eight runs), peer-512, the peer-256 flood (three runs), DiemBFT n = 1,000 (5 s of
# virtual time) and BFTList n = 100 (3 s), so that each weighs about what it costs. Results do
# not depend on the profile; only how fast byzsim computes them. Takes a few seconds after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/byzsim" .
profile() {
	local name=$1
	shift
	"$tmp/byzsim" run "$@" -o "$tmp/out-$name" -q --cpuprofile "$tmp/$name.prof" >/dev/null
}
for i in 1 2 3 4 5 6 7 8; do profile "peer-256-$i" experiments/bench/peer-256.toml; done
profile peer-512 experiments/bench/peer-512.toml
for i in 1 2 3; do profile "flood-$i" experiments/bench/peer-256-flood.toml; done
profile diembft-n1000 experiments/bench/diembft-n1000.toml --no-report --set 'duration="5s"'
profile bftlist-n100 experiments/bench/bftlist-n100.toml --no-report --set 'duration="3s"'
go tool pprof -proto "$tmp"/*.prof >"$tmp/default.pgo"
mv "$tmp/default.pgo" default.pgo
echo "default.pgo: $(wc -c <default.pgo) bytes from $(ls "$tmp"/*.prof | wc -l) profiles"
