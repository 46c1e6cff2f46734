// Package bench measures lwf's speed on a generated corpus of realistic
// workflow files. Run the benchmarks with
//
//	go test -run '^$' -bench . -benchtime 3x ./bench
//
// and the end-to-end command with bench/run.sh; BENCHMARKS.md records the
// figures. Nothing here is a test: speed is never asserted.
package bench
