#!/usr/bin/env bash
# Measures lwf validate: the Go benchmarks (full validation against the
# yaml.v3 floor, in-process), then the command end to end on every corpus
# shape against the floor program (bench/floor), and on one file — all in
# one run, so that the ratios compare like with like. The figures go to
# BENCHMARKS.md by hand; nothing here asserts speed. RUNS and ONE_RUNS set
# the runs per measurement; SKIP_GO=1 skips the Go benchmarks of the bench
# corpus, SHAPES=1 adds those of every shape (in-process, minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-5}
runs=${RUNS:-11}
one_runs=${ONE_RUNS:-21}
if [ -z "${SKIP_GO:-}" ]; then
  echo "== go test -bench (count $count)"
  go test -run '^$' -bench 'ValidateCorpus|YAMLFloor|ValidateOne|YAMLOne' -benchtime 5x -count "$count" ./bench | grep -E '^Benchmark'
fi
if [ -n "${SHAPES:-}" ]; then
  echo "== go test -bench, every corpus shape in-process (count 3)"
  go test -run '^$' -bench 'ValidateShape|FloorShape' -benchtime 3x -count 3 -timeout 60m ./bench | grep -E '^Benchmark'
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for shape in bench repo expr deep csv; do
  go run ./bench/gen -shape "$shape" -n 1000 -o "$work/corpora/$shape"
done
go build -o "$work/lwf" ./cmd/lwf
go build -o "$work/floor" ./bench/floor
go build -o "$work/wall" ./bench/wall
echo "== lwf validate end to end against the floor ($runs runs each, medians)"
"$work/wall" -lwf "$work/lwf" -floor "$work/floor" -corpora "$work/corpora" -runs "$runs" \
  -one examples/ai-startups.yaml -one-runs "$one_runs"
