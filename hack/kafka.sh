#!/usr/bin/env bash
# A real local Apache Kafka (KRaft, every node a combined broker+controller),
# run from Apache Kafka's own jars fetched from Maven Central; no Docker needed.
#
#   hack/kafka.sh up       start (or find running) and print the bootstrap list last on stdout
#   hack/kafka.sh down     stop every node and delete its data
#   hack/kafka.sh status   exit 0 and print the bootstrap list only when all nodes are up
#   hack/kafka.sh fetch    only fetch the jars and build the readiness probe (cached)
#
#   KAFKA_BROKERS=1|3      node count (3 = a 3-voter controller quorum, RF 3 internals)
#   KAFKA_PORT=19092       node i (0-based) serves clients on PORT+2i, its controller on PORT+2i+1
#                          (with both unset, `up` accepts whatever layout is already running)
#   KAFKA_NODE_ADDRESS     also serve clients on this address of the machine, advertised as such
#                          (the local cluster's node link, 10.243.N.1, for pods: they cannot reach
#                          127.0.0.1); it must exist before up. Node i listens there on
#                          KAFKA_NODE_PORT+2i (default KAFKA_NODE_PORT: PORT+100)
#   KAFKA_HEAP_OPTS        broker heap (default -Xms256m -Xmx1g)
#   KAFKA_START_TIMEOUT    seconds to wait for a usable cluster (default 120)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_SRC="$REPO_ROOT/hack/kafka"
POM="$KAFKA_SRC/pom.xml"
# The pom is the single place the version is pinned.
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")"
KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"
PROBE_DIR="$KAFKA_HOME/probe"
STATE="$RUN_DIR/kafka"

BROKERS="${KAFKA_BROKERS:-1}"
PORT="${KAFKA_PORT:-19092}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
HOST=127.0.0.1
# A second listener for clients that cannot reach 127.0.0.1 (pods on the local node). It binds to
# that one address rather than 0.0.0.0, so the broker is never reachable from beyond this machine.
NODE_ADDRESS="${KAFKA_NODE_ADDRESS:-}"
NODE_PORT="${KAFKA_NODE_PORT:-}"

# Short-lived tool JVMs (format, probe): start fast, stay small, log only warnings.
TOOL_JAVA_OPTS=(-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
  "-Dlog4j2.configurationFile=$KAFKA_SRC/log4j2.properties" -Dkafka.log.level=WARN)

client_port() { echo $((PORT + 2 * ($1 - 1))); }
controller_port() { echo $((PORT + 2 * ($1 - 1) + 1)); }
node_listener_port() { echo $((${NODE_PORT:-$((PORT + 100))} + 2 * ($1 - 1))); }
node_dir() { echo "$STATE/node-$1"; }

bootstrap_list() {
  local id list=()
  for ((id = 1; id <= BROKERS; id++)); do list+=("$HOST:$(client_port "$id")"); done
  (IFS=,; echo "${list[*]}")
}

# The bootstrap list on KAFKA_NODE_ADDRESS (empty without one).
node_bootstrap_list() {
  [[ -n "$NODE_ADDRESS" ]] || return 0
  local id list=()
  for ((id = 1; id <= BROKERS; id++)); do list+=("$NODE_ADDRESS:$(node_listener_port "$id")"); done
  (IFS=,; echo "${list[*]}")
}

need_tools() {
  if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
    # The machine image ships both; this only rescues a bare Debian box.
    if ((EUID != 0)) || ! command -v apt-get >/dev/null; then
      die "java 17+ and mvn are required (apt-get install openjdk-17-jdk-headless maven)"
    fi
    info "installing openjdk-17-jdk-headless and maven from Debian"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >&2
  fi
}

# Copies the pinned runtime classpath into the cache once; the stamp holds the
# pom's hash, so editing the pom (e.g. the version) fetches again.
fetch_jars() {
  local stamp="$KAFKA_HOME/.libs.sha256" want
  want="$(file_sha256 "$POM")"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -d "$LIBS" ]]; then return 0; fi
  info "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $LIBS"
  rm -rf "$LIBS" "$LIBS.tmp"
  mkdir -p "$KAFKA_HOME"
  # --strict-checksums: fail (not just warn) if a download does not match Central's checksum.
  # Output goes to a file: quiet Maven still prints stray ANSI resets; shown only on failure.
  mvn -B -ntp -q --strict-checksums -f "$POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp" >"$KAFKA_HOME/fetch.log" 2>&1 ||
    { cat "$KAFKA_HOME/fetch.log" >&2; die "Maven could not fetch the Kafka jars"; }
  mv "$LIBS.tmp" "$LIBS"
  echo "$want" >"$stamp"
}

# The readiness probe is compiled once against the fetched kafka-clients.
build_probe() {
  local stamp="$PROBE_DIR/.sha256" want
  want="$(file_sha256 "$KAFKA_SRC/KafkaReady.java" "$POM")"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
  rm -rf "$PROBE_DIR" && mkdir -p "$PROBE_DIR"
  javac -nowarn -cp "$LIBS/*" -d "$PROBE_DIR" "$KAFKA_SRC/KafkaReady.java" >&2
  echo "$want" >"$stamp"
}

# probe SECONDS: true once the recorded cluster can create and delete a topic.
probe() {
  java "${TOOL_JAVA_OPTS[@]}" -cp "$PROBE_DIR:$LIBS/*" KafkaReady \
    "$(bootstrap_list)" "$BROKERS" "$1" >>"$STATE/probe.log" 2>&1
}

write_config() {
  local id="$1" dir voters=() i rf="$BROKERS" min_isr=1
  dir="$(node_dir "$id")"
  for ((i = 1; i <= BROKERS; i++)); do voters+=("$i@$HOST:$(controller_port "$i")"); done
  # With 3 replicas, the internal topics tolerate one node down; plain topics keep
  # min.insync.replicas=1 so an RF-1 test topic stays writable with acks=all.
  ((BROKERS >= 3)) && min_isr=2
  local listeners protocols=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
  listeners="PLAINTEXT://$HOST:$(client_port "$id")"
  if [[ -n "$NODE_ADDRESS" ]]; then
    listeners+=",NODE://$NODE_ADDRESS:$(node_listener_port "$id")"
    protocols+=",NODE:PLAINTEXT"
  fi
  mkdir -p "$dir/data"
  cat >"$dir/server.properties" <<EOF
# Written by hack/kafka.sh; regenerated on every up.
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$(IFS=,; echo "${voters[*]}")
listeners=$listeners,CONTROLLER://$HOST:$(controller_port "$id")
advertised.listeners=$listeners
listener.security.protocol.map=$protocols
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data

# Tests create their topics explicitly; a typo must fail, not auto-create.
auto.create.topics.enable=false
num.partitions=3
default.replication.factor=$rf
# Consumer groups start rebalancing at once instead of after 3 s.
group.initial.rebalance.delay.ms=0
# Internal topics sized for this cluster: fewer partitions start faster.
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr
EOF
}

# Data is throwaway, so every start formats fresh storage with a new cluster id.
format_node() {
  local dir; dir="$(node_dir "$1")"
  java "${TOOL_JAVA_OPTS[@]}" -cp "$LIBS/*" kafka.tools.StorageTool format \
    --config "$dir/server.properties" --cluster-id "$2" >"$dir/format.log" 2>&1 ||
    { cat "$dir/format.log" >&2; return 1; }
}

start_node() {
  local dir; dir="$(node_dir "$1")"
  # setsid: the broker outlives this script and the caller's process group.
  # No fd of ours stays open: not stdout (so `$(hack/kafka.sh up)` returns),
  # nor the lock on fd 9 (or the broker would hold it for its whole life).
  # shellcheck disable=SC2086 # HEAP_OPTS is a list of JVM flags
  setsid java $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$KAFKA_SRC/log4j2.properties" \
    -cp "$LIBS/*" kafka.Kafka "$dir/server.properties" \
    </dev/null >"$dir/server.log" 2>&1 9>&- &
  echo $! >"$dir/kafka.pid"
}

# Nodes of the recorded cluster, from their pid files (independent of KAFKA_BROKERS).
recorded_pidfiles() {
  compgen -G "$STATE/node-*/kafka.pid" || true
}

all_alive() {
  local f any=1
  for f in $(recorded_pidfiles); do pid_alive "$f" || return 1; any=0; done
  return $any
}

cmd_down() {
  local f pids=()
  for f in $(recorded_pidfiles); do pid_alive "$f" && pids+=("$(cat "$f")"); done
  if ((${#pids[@]})); then
    info "stopping Kafka nodes (pids ${pids[*]})"
    # TERM all at once: stopped one by one, the last nodes would lose the
    # controller quorum mid-shutdown and wait out their timeouts.
    kill -TERM "${pids[@]}" 2>/dev/null || true
  fi
  for f in $(recorded_pidfiles); do stop_pid "$f" 30; done
  rm -rf "$STATE"
}

cmd_status() {
  [[ -f "$STATE/cluster" ]] || { info "Kafka is not running"; return 1; }
  read -r BROKERS PORT NODE_ADDRESS NODE_PORT <"$STATE/cluster"
  local id ok=0
  for ((id = 1; id <= BROKERS; id++)); do
    if pid_alive "$(node_dir "$id")/kafka.pid" && port_open "$HOST" "$(client_port "$id")"; then
      info "node $id up: pid $(cat "$(node_dir "$id")/kafka.pid"), $HOST:$(client_port "$id")"
    else
      warn "node $id down (log: $(node_dir "$id")/server.log)"; ok=1
    fi
  done
  if ((ok == 0)) && [[ -n "$NODE_ADDRESS" ]]; then info "for pods: $(node_bootstrap_list)"; fi
  ((ok == 0)) && bootstrap_list
  return $ok
}

# What $STATE/cluster records: "BROKERS PORT", plus "NODE_ADDRESS NODE_PORT" with a node listener.
cluster_record() {
  if [[ -n "$NODE_ADDRESS" ]]; then
    echo "$BROKERS $PORT $NODE_ADDRESS $(node_listener_port 1)"
  else
    echo "$BROKERS $PORT"
  fi
}

cmd_up() {
  [[ "$BROKERS" =~ ^[1-9][0-9]*$ ]] || die "KAFKA_BROKERS must be a positive number"
  if [[ -f "$STATE/cluster" ]]; then
    local want have
    have="$(cat "$STATE/cluster")"
    # Callers that ask for nothing in particular (the test setup) get the running cluster.
    [[ -n "${KAFKA_BROKERS:-}${KAFKA_PORT:-}${KAFKA_NODE_ADDRESS:-}" ]] ||
      read -r BROKERS PORT NODE_ADDRESS NODE_PORT <<<"$have"
    want="$(cluster_record)"
    [[ "$have" == "$want" ]] ||
      die "Kafka is running as '$have' (brokers port [node-address node-port]), not '$want': run hack/kafka.sh down first"
    if all_alive && [[ -f "$PROBE_DIR/KafkaReady.class" ]] && probe 15; then
      info "Kafka $KAFKA_VERSION already up${NODE_ADDRESS:+; for pods: $(node_bootstrap_list)}"
      bootstrap_list
      return 0
    fi
    warn "previous Kafka is not healthy; restarting it"
    cmd_down
  fi
  # Leftover nodes without state (state dir removed by hand) would hold the ports.
  local id p
  for ((id = 1; id <= BROKERS; id++)); do
    for p in "$(client_port "$id")" "$(controller_port "$id")"; do
      ! port_open "$HOST" "$p" || die "port $p is already in use"
    done
  done
  if [[ -n "$NODE_ADDRESS" ]]; then
    ip -o addr show to "$NODE_ADDRESS" 2>/dev/null | grep -q . ||
      die "KAFKA_NODE_ADDRESS $NODE_ADDRESS is no address of this machine (is the cluster's node up?)"
    for ((id = 1; id <= BROKERS; id++)); do
      ! port_open "$NODE_ADDRESS" "$(node_listener_port "$id")" ||
        die "port $NODE_ADDRESS:$(node_listener_port "$id") is already in use"
    done
  fi

  need_tools
  fetch_jars
  build_probe

  mkdir -p "$STATE"
  cluster_record >"$STATE/cluster"
  local cluster_id
  cluster_id="$(kafka_cluster_id)"
  local started=$SECONDS pids=()
  for ((id = 1; id <= BROKERS; id++)); do
    write_config "$id"
    format_node "$id" "$cluster_id" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { cmd_down; die "formatting Kafka storage failed"; }; done
  for ((id = 1; id <= BROKERS; id++)); do start_node "$id"; done

  info "waiting for $BROKERS-node Kafka $KAFKA_VERSION at $(bootstrap_list)"
  if ! probe "$START_TIMEOUT"; then
    tail -n 5 "$STATE/probe.log" >&2 || true
    for ((id = 1; id <= BROKERS; id++)); do
      warn "node $id log tail:"; tail -n 20 "$(node_dir "$id")/server.log" >&2 || true
    done
    cmd_down
    die "Kafka did not become usable within ${START_TIMEOUT}s"
  fi
  info "Kafka $KAFKA_VERSION up in $((SECONDS - started))s (logs: $STATE/node-*/server.log)${NODE_ADDRESS:+; for pods: $(node_bootstrap_list)}"
  bootstrap_list
}

# One up/down at a time (parallel test runners, make -j); status reads without it.
lock() {
  exec 9>"$RUN_DIR/kafka-sh.lock"
  flock -w 300 9 || die "another hack/kafka.sh up/down is still running"
}

case "${1:-}" in
  up) lock && cmd_up ;;
  down) lock && cmd_down ;;
  status) cmd_status ;;
  fetch) need_tools && fetch_jars && build_probe && echo "$LIBS" ;;
  *) die "usage: $0 up|down|status|fetch" ;;
esac
