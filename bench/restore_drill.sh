#!/usr/bin/env bash
# Restore drill (docs/deployment.md): a base backup of the primary, writes made
# after it, and a restore from the backup plus the archived WAL on a third port,
# checked against the primary and with `tongban audit verify` (the chain, the
# signed checkpoints and the witness file, TONGBAN_AUDIT_WITNESS_FILE). Run on the bench cluster of bench/pg_cluster.sh;
# a province runs the same steps against its backup host every quarter.
#
#   bash bench/restore_drill.sh          backup, write a marker, restore, compare, clean up
#   KEEP=1 bash bench/restore_drill.sh   leave the restored node running on BENCH_RESTORE_PORT
#
# Settings: as bench/pg_cluster.sh, and BENCH_RESTORE_PORT (55452).
set -euo pipefail

dir=${BENCH_PG_DIR:-${TMPDIR:-/tmp}/tongban-pg-bench}
db=${BENCH_DB:-tongban_bench}
restore_port=${BENCH_RESTORE_PORT:-55452}
pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
archive=$dir/wal-archive
backup=$dir/backup
restored=$dir/restored
cluster=$(dirname "$0")/pg_cluster.sh

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
at() {  # at PORT DB SQL
  "$pgbin/psql" -h 127.0.0.1 -p "$1" -U postgres -d "$2" -Atqc "$3"
}
seconds() { echo "$(( $(date +%s%N) / 1000000 - $1 ))" | awk '{printf "%.1f", $1 / 1000}'; }

primary_port=""
for port in ${BENCH_PRIMARY_PORT:-55450} ${BENCH_STANDBY_PORT:-55451}; do
  [ "$(at "$port" postgres "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ] && primary_port=$port
done
[ -n "$primary_port" ] || { echo "no primary running; bash $cluster up" >&2; exit 1; }
[ "$(at "$primary_port" postgres "SHOW archive_mode")" = on ] || { echo "archive_mode is off" >&2; exit 1; }

cleanup() {
  if [ -z "${KEEP:-}" ]; then
    [ -f "$restored/postmaster.pid" ] && as_postgres "$pgbin/pg_ctl -D $restored -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$restored" "$backup"
  fi
}
trap cleanup EXIT
rm -rf "$backup" "$restored"

# 0. The audit log sealed as the scheduler does every second, so that the
#    restored copy has checkpoints to verify against the witness file.
tongban=$(dirname "$0")/../.venv/bin/tongban
export TONGBAN_AUDIT_WITNESS_FILE=${TONGBAN_AUDIT_WITNESS_FILE:-$dir/audit-witness.jsonl}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.local}
if [ -x "$tongban" ]; then
  DATABASE_URL=postgres://tongban:tongban@127.0.0.1:$primary_port/$db "$tongban" audit seal 2>/dev/null
fi

# 1. The base backup (what the nightly job does), its size and time.
t=$(( $(date +%s%N) / 1000000 ))
as_postgres "$pgbin/pg_basebackup -h 127.0.0.1 -p $primary_port -U postgres -D $backup -X none -c fast"
echo "base backup: $(seconds "$t") s, $(du -sh "$backup" | cut -f1)"

# 2. Work after the backup: only the archived WAL can bring it back.
at "$primary_port" "$db" "CREATE TABLE IF NOT EXISTS restore_drill (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), note text)"
marker="drill-$(date +%s%N)"
at "$primary_port" "$db" "INSERT INTO restore_drill (note) VALUES ('$marker')" >/dev/null
cases=$(at "$primary_port" "$db" "SELECT count(*) FROM cases_case")
audit=$(at "$primary_port" "$db" "SELECT count(*) FROM core_auditevent")
segment=$(at "$primary_port" postgres "SELECT pg_walfile_name(pg_current_wal_lsn())")
at "$primary_port" postgres "SELECT pg_switch_wal()" >/dev/null
until [ -f "$archive/$segment" ]; do sleep 0.2; done  # archived: the backup host has it

# 3. Restore: the backup, the archive as restore_command, recovery to the end of the archive.
t=$(( $(date +%s%N) / 1000000 ))
mv "$backup" "$restored"
rm -f "$restored/standby.signal" "$restored/postmaster.pid"
cat >>"$restored/postgresql.auto.conf" <<CONF
restore_command = 'cp $archive/%f %p'
recovery_target_action = 'promote'
archive_mode = 'off'
CONF
touch "$restored/recovery.signal"
chown -R postgres:postgres "$restored"
as_postgres "$pgbin/pg_ctl -D $restored -l $restored/log -w -t 600 -o '-p $restore_port' start" >/dev/null
until [ "$(at "$restore_port" postgres "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ]; do sleep 0.2; done
echo "restore to the end of the archive: $(seconds "$t") s"

# 4. The restored database has what was written after the backup, and the same rows.
got=$(at "$restore_port" "$db" "SELECT count(*) FROM restore_drill WHERE note = '$marker'")
got_cases=$(at "$restore_port" "$db" "SELECT count(*) FROM cases_case")
got_audit=$(at "$restore_port" "$db" "SELECT count(*) FROM core_auditevent")
echo "marker written after the backup: $got (want 1); cases $got_cases (primary $cases); audit events $got_audit (primary $audit at the marker)"
[ "$got" = 1 ] && [ "$got_cases" = "$cases" ] && [ "$got_audit" -ge "$audit" ] || { echo "RESTORE DRILL FAILED" >&2; exit 1; }
if [ -x "$tongban" ]; then
  # The chain, the signed checkpoints and the witness file agree on the restored copy.
  DATABASE_URL=postgres://tongban:tongban@127.0.0.1:$restore_port/$db "$tongban" audit verify 2>/dev/null ||
    { echo "RESTORE DRILL FAILED: audit verify" >&2; exit 1; }
fi
echo "restore drill passed"
