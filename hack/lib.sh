#!/usr/bin/env bash
# Shared by the hack/ scripts: where things live, and small helpers.
# Source it; do not run it.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Built tools, jars and binaries (ignored by git, reused when present).
CACHE_DIR="${STREAMING_ORDERS_CACHE:-$REPO_ROOT/.cache}"
# Runtime state of the local services: data, logs, pid files, kubeconfig.
RUN_DIR="${STREAMING_ORDERS_RUN:-$REPO_ROOT/.run}"
BIN_DIR="$CACHE_DIR/bin"
mkdir -p "$CACHE_DIR" "$RUN_DIR" "$BIN_DIR"

# JSON log lines on stderr, so stdout stays for what callers parse (addresses, paths).
log() {
  local level="$1"; shift
  local msg="$*"
  msg="${msg//\\/\\\\}"; msg="${msg//\"/\\\"}"
  printf '{"time":"%s","level":"%s","script":"%s","msg":"%s"}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$level" "$(basename "$0")" "$msg" >&2
}
info() { log info "$@"; }
warn() { log warn "$@"; }
die() { log error "$@"; exit 1; }

# kafka_cluster_id: a new Kafka cluster id, 16 random bytes in URL-safe base64 without padding.
# Like Kafka's own Uuid.randomUuid, never one that starts with "-": the storage tool's argument
# parser would read such an id as an option and fail (one start in 64 did).
kafka_cluster_id() {
  local id
  while :; do
    id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    [[ "$id" != -* ]] && break
  done
  printf '%s\n' "$id"
}

# proc_running PID: true for a live process; a zombie (killed, not yet reaped by
# an init that reaps slowly) counts as gone.
proc_running() {
  kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  # The state letter follows the parenthesised command name.
  [[ "${stat##*) }" != Z* ]]
}

# pid_alive PIDFILE: true when the pid file names a running process.
pid_alive() {
  [[ -f "$1" ]] && proc_running "$(cat "$1")"
}

# stop_pid PIDFILE [SECONDS]: SIGTERM, wait, then SIGKILL; removes the pid file.
stop_pid() {
  local pidfile="$1" grace="${2:-20}"
  [[ -f "$pidfile" ]] || return 0
  local pid; pid="$(cat "$pidfile")"
  if proc_running "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + grace))
    while proc_running "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    if proc_running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    while proc_running "$pid"; do sleep 0.1; done
  fi
  rm -f "$pidfile"
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# file_sha256 FILE...: one hash over the files' contents, for cache stamps.
file_sha256() {
  cat "$@" | sha256sum | cut -d' ' -f1
}

# status_line NAME PIDFILE CHECK...: prints NAME's line for a `status` command (stopped, running
# and healthy, or running but not healthy per CHECK); fails unless running and healthy.
status_line() {
  local name="$1" pidfile="$2" state ok=0
  shift 2
  if ! pid_alive "$pidfile"; then
    state="stopped"; ok=1
  elif "$@" >/dev/null 2>&1; then
    state="running (pid $(cat "$pidfile"), healthy)"
  else
    state="running (pid $(cat "$pidfile"), NOT healthy)"; ok=1
  fi
  printf '%-24s %s\n' "$name" "$state"
  return "$ok"
}
