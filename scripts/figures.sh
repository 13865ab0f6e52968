#!/usr/bin/env bash
# Re-makes every committed figure: runs the default experiment and every experiment of
# experiments/figures/ and experiments/convergence/, then copies the plots that docs/figures/
# shows under their committed names. Results are deterministic, so an unchanged simulator
# gives byte-identical PNGs.
#
#   scripts/figures.sh [OUT]     (OUT defaults to out/figures; the runs' results stay there)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/figures}
bin=$(mktemp -d)/byzsim
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" .

for exp in experiments/default.toml experiments/figures/*.toml experiments/convergence/*.toml; do
	start=$(date +%s%N)
	"$bin" run "$exp" -o "$out" -q
	ms=$((($(date +%s%N) - start) / 1000000))
	printf '%-45s %d.%03d s\n' "$exp" $((ms / 1000)) $((ms % 1000))
done

# committed name <- plot of an experiment's output directory
copy() { cp "$out/$2" "docs/figures/$1"; }
copy default-throughput.png                default/runs/0/plot-throughput.png
copy default-latency-cdf.png               default/runs/0/plot-latency-cdf.png
copy latency-vs-load.png                   latency-vs-load/plots/latency-vs-load.png
copy latency-vs-throughput.png             latency-vs-load/plots/latency-vs-throughput.png
copy throughput-vs-load.png                latency-vs-load/plots/throughput-vs-load.png
copy throughput-vs-n.png                   scaling-n/plots/throughput-vs-n.png
copy latency-vs-n.png                      scaling-n/plots/latency-vs-n.png
copy bytes-vs-n.png                        scaling-n/plots/bytes-vs-n.png
copy bftlist-request-time.png              bftlist-request-time/plots/bftlist-request-time.png
copy bftlist-request-time-mean.png         bftlist-request-time/plots/bftlist-request-time-mean.png
copy bftlist-shares.png                    bftlist-shares/plots/bftlist-shares.png
copy bftlist-view-change.png               bftlist-view-change/plots/view-change-vs-protocol.n.png
copy convergence-cdf.png                   convergence-cdf/plots/convergence-cdf.png
copy convergence-throughput.png            convergence-throughput/plots/throughput-comparison.png
copy convergence-median-vs-corrupted.png   convergence-vs-corrupted/plots/convergence-median-vs-transient_0_.random.png
copy convergence-fraction-vs-corrupted.png convergence-vs-corrupted/plots/converged-fraction-vs-transient_0_.random.png
copy convergence-safety-violations.png     convergence-vs-corrupted/plots/transient-safety-violations-vs-transient_0_.random.png
copy convergence-median-vs-n.png           convergence-vs-n/plots/convergence-median-vs-protocol.n.png
copy convergence-fraction-vs-n.png         convergence-vs-n/plots/converged-fraction-vs-protocol.n.png
copy hotstuff-latency-vs-load.png          hotstuff-vs-diembft-load/plots/hotstuff-latency-vs-load.png
copy hotstuff-throughput-vs-load.png       hotstuff-vs-diembft-load/plots/hotstuff-throughput-vs-load.png
copy hotstuff-latency-vs-n.png             hotstuff-vs-diembft-n/plots/hotstuff-latency-vs-n.png
copy hotstuff-latency-p99-vs-n.png         hotstuff-vs-diembft-n/plots/hotstuff-latency-p99-vs-n.png
copy hotstuff-throughput-vs-n.png          hotstuff-vs-diembft-saturated-n/plots/hotstuff-throughput-vs-n.png
echo "figures copied to docs/figures/"
