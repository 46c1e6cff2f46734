#!/usr/bin/env bash
# Runs bench/workers against a PostgreSQL server of its own, started as
# .ci/run starts the tests' one: PostgreSQL 15 (the newest installed)
# initialised on a temporary directory (as the postgres user when running
# as root: initdb refuses root), on a free loopback port with a password,
# fsync off (the cluster is thrown away), and stopped with everything
# else on every way out. Arguments go to the harness:
#
#   bench/workers/run.sh                                   # the full measurement
#   bench/workers/run.sh -workflows 200 -senders 4 -workers 1,2
set -euo pipefail
cd "$(dirname "$0")/../.."

initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$initdb" ]; then
  echo "run.sh: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); .ci/run installs it" >&2
  exit 1
fi
pgbin=$(dirname "$initdb")
work=$(mktemp -d /tmp/lwf-bench-workers.XXXXXX)
pgdir=$(mktemp -d /tmp/lwf-bench-pg.XXXXXX)
as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$pgdir"
  as=(runuser -u postgres --)
fi
harness=
started=
cleanup() {
  if [ -n "$harness" ]; then
    kill -TERM "$harness" 2>/dev/null || true
    wait "$harness" 2>/dev/null || true
  fi
  if [ -n "$started" ]; then
    "${as[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work" "$pgdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pgpw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
(umask 077 && echo "$pgpw" >"$pgdir/pwfile")
chown --reference="$pgdir" "$pgdir/pwfile"
"${as[@]}" "$pgbin/initdb" -D "$pgdir/data" -U lwf --pwfile "$pgdir/pwfile" \
  --auth-local trust --auth-host scram-sha-256 -E UTF8 --locale C --no-sync >"$pgdir/initdb.log"
for port in $(shuf -i 20000-60000 -n 5); do
  if "${as[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
    -o "-p $port -h 127.0.0.1 -k $pgdir -F -c max_connections=300" start >/dev/null; then
    started=$port
    break
  fi
done
if [ -z "$started" ]; then
  echo "run.sh: PostgreSQL did not start:" >&2
  cat "$pgdir/server.log" >&2
  exit 1
fi
echo "== PostgreSQL $(basename "$(dirname "$pgbin")") on 127.0.0.1:$started" >&2

# Built first and run in the background, so that a signal to this script
# reaches the harness (which then stops its workers and sandbox) before
# the server stops. The password goes in PGPASSWORD, which lwf reads as
# psql does: out of every command line. The harness's files go under
# $work, removed here even if the harness could not remove them.
go build -o "$work/bench-workers" ./bench/workers
DSN="postgres://lwf@127.0.0.1:$started/postgres?sslmode=disable"
PGPASSWORD="$pgpw" TMPDIR="$work" "$work/bench-workers" -pg "$DSN" "$@" &
harness=$!
status=0
wait "$harness" || status=$?
harness=
exit "$status"
