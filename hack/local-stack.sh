#!/usr/bin/env bash
# The stack real pods run on here, shared by the end-to-end suite (hack/e2e-local.sh) and the demo
# (make demo): a cluster instance with a node (hack/cluster.sh up --with-node), a Kafka of its own
# (hack/kafka.sh) with a second listener on the node link's machine end, the one address of this
# machine that pods reach, and the project image (hack/image.sh) imported into the node's
# containerd. As root (the node needs network namespaces, mounts and cgroups).
#
#   hack/local-stack.sh up [--no-image]   start what is not running (idempotent), build and load
#                                         the image (unless --no-image); prints key=value lines
#   hack/local-stack.sh status            key=value lines of what runs; exit 0 when all of it does
#   hack/local-stack.sh down [cluster|kafka]...   stop this instance's parts (default: both)
#   hack/local-stack.sh claim OWNER PID [WAIT]    take the instance for process PID (waits up to
#                                         WAIT seconds [1800] while another live process has it)
#   hack/local-stack.sh release PID       give it back
#
# stdout is for callers, one key=value a line; progress goes to stderr as JSON lines:
#   cluster=up|up-without-node|down  kafka=up|down   (status only; down: not running, or not
#                                       healthy, which `up` restarts)
#   kubeconfig=PATH                     the admin kubeconfig of the cluster
#   bootstrap=HOST:PORT                 Kafka for this machine's clients (127.0.0.1)
#   pod-bootstrap=HOST:PORT             Kafka for pods (the node link's machine end)
#   image=REPOSITORY:TAG                the project image as the node knows it (up only)
#
# Environment (defaults in brackets): the instance's state and ports, kept apart from the default
# instance that the integration tests use.
#   STREAMING_ORDERS_RUN [.run/e2e-local]; CLUSTER_ETCD_PORT [22379], CLUSTER_APISERVER_PORT
#   [26443], CLUSTER_CONTROLLER_MANAGER_PORT [30257], CLUSTER_SCHEDULER_PORT [30259],
#   CLUSTER_NODE_NET, KAFKA_PORT [29092], KAFKA_NODE_PORT [KAFKA_PORT+100]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=local-stack-instance.sh
source "$REPO/hack/local-stack-instance.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$REPO/hack/lib.sh"
shopt -s inherit_errexit

CLUSTER="$REPO_ROOT/hack/cluster.sh"
KAFKA="$REPO_ROOT/hack/kafka.sh"
KAFKA_POD_PORT="${KAFKA_NODE_PORT:-$((KAFKA_PORT + 100))}"

[[ "$CLUSTER_APISERVER_PORT" != 16443 && "$RUN_DIR" != "$REPO_ROOT/.run" ]] \
  || die "the local stack is an instance of its own: not the default API server port 16443 nor .run"

# The node link's machine end (10.243.N.1), from a running cluster's status.
machine_address() {
  awk '$1 == "machine-address" { print $2 }' <<<"$1"
}

cmd_status() {
  local status ok=0 address=""
  if ! status="$("$CLUSTER" status 2>/dev/null)"; then
    echo "cluster=down"; ok=1
  elif ! grep -q '^node ' <<<"$status"; then
    echo "cluster=up-without-node"; ok=1
  else
    address="$(machine_address "$status")"
    echo "cluster=up"
    echo "kubeconfig=$(awk '$1 == "kubeconfig" { print $2 }' <<<"$status")"
  fi
  if "$KAFKA" status >/dev/null 2>&1; then
    echo "kafka=up"
    echo "bootstrap=127.0.0.1:$KAFKA_PORT"
    [[ -z "$address" ]] || echo "pod-bootstrap=$address:$KAFKA_POD_PORT"
  else
    echo "kafka=down"; ok=1
  fi
  return "$ok"
}

cmd_up() {
  local with_image=1 t status kubeconfig address
  [[ "${1:-}" != --no-image ]] || with_image=0
  ((EUID == 0)) || die "the local node needs root (network namespaces, mounts, cgroups)"
  if status="$("$CLUSTER" status 2>/dev/null)" && ! grep -q '^node ' <<<"$status"; then
    die "the cluster at $RUN_DIR is up without a node; bring it down or pick another STREAMING_ORDERS_RUN"
  fi
  t=$SECONDS
  kubeconfig="$("$CLUSTER" up --with-node | tail -n 1)"
  address="$(machine_address "$("$CLUSTER" status)")"
  [[ "$address" =~ ^[0-9.]+$ ]] || die "no machine-address in hack/cluster.sh status"
  info "cluster with a node up in $((SECONDS - t)) s; pods reach this machine at $address"

  t=$SECONDS
  KAFKA_NODE_ADDRESS="$address" "$KAFKA" up >/dev/null
  info "Kafka up in $((SECONDS - t)) s; pods use $address:$KAFKA_POD_PORT"
  echo "kubeconfig=$kubeconfig"
  echo "bootstrap=127.0.0.1:$KAFKA_PORT"
  echo "pod-bootstrap=$address:$KAFKA_POD_PORT"
  ((with_image)) || return 0

  local built archive image
  t=$SECONDS
  built="$("$REPO_ROOT/hack/image.sh")"
  archive="$(sed -n 's/^archive=//p' <<<"$built")"
  image="$(sed -n 's/^image=//p' <<<"$built")"
  [[ -f "$archive" && -n "$image" ]] || die "hack/image.sh printed no archive= and image= lines"
  "$CLUSTER" load-image "$archive" >&2
  info "image $image built and imported in $((SECONDS - t)) s"
  echo "image=$image"
}

cmd_down() {
  local parts=("$@")
  ((${#parts[@]})) || parts=(kafka cluster)
  local p
  for p in "${parts[@]}"; do
    case "$p" in
      kafka) "$KAFKA" down >&2 ;;
      cluster) "$CLUSTER" down >&2 ;;
      *) die "usage: $0 down [cluster|kafka]..." ;;
    esac
  done
}

# One user of the instance at a time: `make demo` and hack/e2e-local.sh each stop at the end what
# they started, so a second user would lose the stack in the middle of its run.
CLAIM="$RUN_DIR/in-use"

# start_time PID: when the process started (clock ticks since boot), so a claim is not mistaken
# for live when its holder died and another process got the same pid.
start_time() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  stat="${stat##*) }"
  awk '{ print $20 }' <<<"$stat"
}

cmd_claim() {
  local owner="${1:-}" pid="${2:-}" wait="${3:-1800}" held since holder t0=$SECONDS said=0
  [[ -n "$owner" && "$pid" =~ ^[0-9]+$ && "$wait" =~ ^[0-9]+$ ]] \
    || die "usage: $0 claim OWNER PID [WAIT_SECONDS]"
  proc_running "$pid" || die "claim: no process $pid"
  # A short lock makes the check and the write one step; no daemon starts while it is held.
  exec 8>"$RUN_DIR/in-use.lock"
  while :; do
    flock -w 30 8 || die "could not lock $RUN_DIR/in-use.lock"
    held="" since="" holder=""
    [[ ! -f "$CLAIM" ]] || read -r held since holder <"$CLAIM" || true
    if [[ -z "$held" || "$held" == "$pid" ]] || ! proc_running "$held" \
      || [[ "$(start_time "$held")" != "$since" ]]; then
      echo "$pid $(start_time "$pid") $owner" >"$CLAIM"
      flock -u 8
      return 0
    fi
    flock -u 8
    if ((SECONDS - t0 >= wait)); then
      die "the local stack ($RUN_DIR) is in use by $holder (pid $held); run again when it ends, or give this run an instance of its own (STREAMING_ORDERS_RUN and the CLUSTER_*_PORT and KAFKA_PORT ports)"
    fi
    ((said)) || { info "the local stack is in use by $holder (pid $held); waiting up to $wait s"; said=1; }
    sleep 2
  done
}

cmd_release() {
  local held=""
  [[ "${1:-}" =~ ^[0-9]+$ ]] || die "usage: $0 release PID"
  [[ ! -f "$CLAIM" ]] || read -r held _ <"$CLAIM" || true
  [[ "$held" != "$1" ]] || rm -f "$CLAIM"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  status) cmd_status ;;
  down) shift; cmd_down "$@" ;;
  claim) shift; cmd_claim "$@" ;;
  release) shift; cmd_release "$@" ;;
  *) die "usage: $0 up [--no-image]|status|down [cluster|kafka]...|claim OWNER PID [WAIT]|release PID" ;;
esac
