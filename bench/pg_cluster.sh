#!/usr/bin/env bash
# A PostgreSQL primary and a hot standby on this machine, on their own ports,
# for the benches and the drills (docs/deployment.md). Not used by CI.
#
#   bench/pg_cluster.sh up        initdb + start the primary (WAL archived), role and database
#   bench/pg_cluster.sh standby   pg_basebackup of the primary, start it as a hot standby
#   bench/pg_cluster.sh status    who is primary, who is in recovery, the standby's lag
#   bench/pg_cluster.sh stop-primary   stop whichever node is primary now (-m immediate: a crash)
#   bench/pg_cluster.sh promote        promote whichever node is the standby now
#   bench/pg_cluster.sh rejoin         the stopped node, rebuilt from the new primary, as its standby
#   bench/pg_cluster.sh down | destroy
#
# The two data directories keep their ports (primary/ on the first, standby/ on
# the second); after a failover and a rejoin their roles are swapped, and the
# commands above act on whichever node has the role. bench/failover_drill.py
# and bench/restore_drill.sh use this cluster.
#
# Settings (environment): BENCH_PG_DIR (default $TMPDIR/tongban-pg-bench),
# BENCH_PRIMARY_PORT (55450), BENCH_STANDBY_PORT (55451), BENCH_DB (tongban_bench).
# The clusters trust connections from 127.0.0.1 only: a bench, not a deployment.
# `synchronous_commit = on` (PostgreSQL's default) and otherwise the default
# configuration, as in the earlier figures of docs/performance.md; replication
# is asynchronous (no synchronous_standby_names), WAL is archived by cp.
set -euo pipefail

dir=${BENCH_PG_DIR:-${TMPDIR:-/tmp}/tongban-pg-bench}
primary_port=${BENCH_PRIMARY_PORT:-55450}
standby_port=${BENCH_STANDBY_PORT:-55451}
db=${BENCH_DB:-tongban_bench}
pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
primary=$dir/primary
standby=$dir/standby
archive=$dir/wal-archive

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

pg_ctl() {  # pg_ctl DATADIR PORT ACTION
  as_postgres "$pgbin/pg_ctl -D $1 -l $1/log -w -t 600 -o '-p $2' $3"
}

psql_at() {  # psql_at PORT SQL
  "$pgbin/psql" -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atqc "$2"
}

up() {
  mkdir -p "$dir" "$archive"
  chown postgres:postgres "$dir" "$archive" 2>/dev/null || true
  if [ ! -f "$primary/PG_VERSION" ]; then
    as_postgres "$pgbin/initdb -D $primary -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
    cat >>"$primary/postgresql.conf" <<EOF
# tongban bench (bench/pg_cluster.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 200
synchronous_commit = on
wal_level = replica
max_wal_senders = 10
wal_keep_size = '1GB'
hot_standby = on
hot_standby_feedback = on
archive_mode = on
archive_command = 'test ! -f $archive/%f && cp %p $archive/%f'
EOF
  fi
  pg_ctl "$primary" "$primary_port" start >/dev/null
  psql_at "$primary_port" "SELECT 1 FROM pg_roles WHERE rolname = 'tongban'" | grep -q 1 ||
    psql_at "$primary_port" "CREATE ROLE tongban LOGIN CREATEDB PASSWORD 'tongban'"
  psql_at "$primary_port" "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
    psql_at "$primary_port" "CREATE DATABASE $db OWNER tongban"
  echo "primary on 127.0.0.1:$primary_port ($primary), database $db"
}

standby() {
  if [ ! -f "$standby/PG_VERSION" ]; then
    started=$(date +%s)
    as_postgres "$pgbin/pg_basebackup -h 127.0.0.1 -p $primary_port -U postgres -D $standby -R -X stream -c fast"
    echo "pg_basebackup took $(( $(date +%s) - started )) s ($(du -sh "$standby" | cut -f1))"
  fi
  pg_ctl "$standby" "$standby_port" start >/dev/null
  echo "standby on 127.0.0.1:$standby_port ($standby)"
}

role() {  # role PORT: primary | standby | down
  case $(psql_at "$1" "SELECT pg_is_in_recovery()" 2>/dev/null) in
    t) echo standby ;;
    f) echo primary ;;
    *) echo down ;;
  esac
}

dir_of() {  # dir_of PORT
  if [ "$1" = "$primary_port" ]; then echo "$primary"; else echo "$standby"; fi
}

port_with() {  # port_with ROLE: the first port whose node has ROLE
  for port in "$primary_port" "$standby_port"; do
    if [ "$(role "$port")" = "$1" ]; then echo "$port"; return 0; fi
  done
  echo "no node is $1" >&2
  return 1
}

status() {
  for port in "$primary_port" "$standby_port"; do
    case $(role "$port") in
      standby)
        # As tongban.core.db: a standby that replayed all it received is current.
        echo "$port: standby ($(dir_of "$port")), replay lag $(psql_at "$port" "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END") s" ;;
      primary)
        echo "$port: primary ($(dir_of "$port")), $(psql_at "$port" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") standby(s) streaming" ;;
      *) echo "$port: down ($(dir_of "$port"))" ;;
    esac
  done
}

rejoin() {
  new_primary=$(port_with primary)
  for port in "$primary_port" "$standby_port"; do
    [ "$(role "$port")" = down ] || continue
    node=$(dir_of "$port")
    [ -f "$node/postmaster.pid" ] && as_postgres "$pgbin/pg_ctl -D $node -m fast stop" || true
    started=$(date +%s)
    rm -rf "$node"
    as_postgres "$pgbin/pg_basebackup -h 127.0.0.1 -p $new_primary -U postgres -D $node -R -X stream -c fast"
    pg_ctl "$node" "$port" start >/dev/null
    echo "$port rejoined as standby of $new_primary in $(( $(date +%s) - started )) s"
  done
}

case "${1:-}" in
  up) up ;;
  standby) standby ;;
  status) status ;;
  stop-primary) port=$(port_with primary); as_postgres "$pgbin/pg_ctl -D $(dir_of "$port") -m immediate stop" ;;
  promote) port=$(port_with standby); as_postgres "$pgbin/pg_ctl -D $(dir_of "$port") -w -t 60 promote" ;;
  rejoin) rejoin ;;
  down)
    for d in "$standby" "$primary"; do
      [ -f "$d/postmaster.pid" ] && as_postgres "$pgbin/pg_ctl -D $d -m fast stop" || true
    done
    ;;
  destroy)
    "$0" down
    rm -rf "$dir"
    ;;
  *) sed -n '2,23p' "$0"; exit 2 ;;
esac
