#!/usr/bin/env bash
# Measures lwf validate on the generated corpus: the Go benchmarks (full
# validation against the yaml.v3 floor, in one run) and the command end to
# end. The figures go to BENCHMARKS.md by hand; nothing here asserts speed.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-5}
echo "== go test -bench (count $count)"
go test -run '^$' -bench 'ValidateCorpus|YAMLFloor|ValidateOne|YAMLOne' -benchtime 5x -count "$count" ./bench | grep -E '^Benchmark'
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
go run ./bench/gen -n 1000 -o "$corpus"
go build -o "$corpus/lwf" ./cmd/lwf
echo "== lwf validate on 1,000 files (wall seconds, 5 runs)"
for _ in 1 2 3 4 5; do
  /usr/bin/env time -f '%e s, %M KB peak' "$corpus/lwf" validate "$corpus" 2>&1 >/dev/null | tail -1
done
