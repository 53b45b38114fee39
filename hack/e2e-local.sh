#!/usr/bin/env bash
# The end-to-end suite (test/e2e) on this machine's own cluster, with real pods: one command,
# as root (the node needs network namespaces, mounts and cgroups):
#
#   hack/e2e-local.sh        (or: make e2e-local)
#
# 1-3. brings up the local stack (hack/local-stack.sh up), the one `make demo` uses too: a cluster
#    instance of its own with a node (hack/cluster.sh up --with-node), apart from the default
#    instance that the integration tests use; a Kafka of its own (hack/kafka.sh) with a second
#    listener on the node link's machine end (10.243.N.1), the one address of this machine that
#    pods reach (this machine's own clients keep 127.0.0.1, and nothing listens beyond this
#    machine's own interfaces); the project image (hack/image.sh) imported into the node's
#    containerd;
# 4. runs test/e2e against it: the chart in kafka.mode external on that Kafka, image pull policy
#    Never (there is no registry);
# 5. on failure, collects the cluster's objects, events, pod logs, the node's and Kafka's logs;
# 6. stops only what it started (a cluster or Kafka already up is left running), unless
#    E2E_LOCAL_KEEP=true, which keeps everything for a look around (and a faster next run).
#
# Environment (defaults in brackets):
#   STREAMING_ORDERS_RUN   state of the instance [.run/e2e-local]; the default instance's .run
#                          is never used, so this runs next to `make test`
#   CLUSTER_ETCD_PORT [22379], CLUSTER_APISERVER_PORT [26443], CLUSTER_CONTROLLER_MANAGER_PORT
#   [30257], CLUSTER_SCHEDULER_PORT [30259], CLUSTER_NODE_NET, KAFKA_PORT [29092],
#   KAFKA_NODE_PORT [KAFKA_PORT+100]   the instance's ports (hack/cluster.sh, hack/kafka.sh)
#   E2E_LOCAL_KEEP         true: leave the cluster and Kafka running at the end
#   E2E_ARTIFACTS          where diagnostics go [$STREAMING_ORDERS_RUN/artifacts/<time>]
#   VITEST_ARGS            extra vitest arguments (e.g. -t 'installs')
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=local-stack-instance.sh
source "$REPO/hack/local-stack-instance.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$REPO/hack/lib.sh"
shopt -s inherit_errexit

CLUSTER="$REPO_ROOT/hack/cluster.sh"
STACK="$REPO_ROOT/hack/local-stack.sh"
KEEP="${E2E_LOCAL_KEEP:-false}"
ARTIFACTS="${E2E_ARTIFACTS:-$RUN_DIR/artifacts/$(date -u +%Y%m%dT%H%M%SZ)}"
KUBECTL="$("$REPO_ROOT/hack/tools.sh" path kubectl)"
HELM="$("$REPO_ROOT/hack/tools.sh" path helm)"
KUBECONFIG_FILE=""
STARTED_CLUSTER=0
STARTED_KAFKA=0
CLAIMED=0
T0=$SECONDS

((EUID == 0)) || die "the local node needs root (network namespaces, mounts, cgroups)"
[[ "$CLUSTER_APISERVER_PORT" != 16443 && "$RUN_DIR" != "$REPO_ROOT/.run" ]] \
  || die "hack/e2e-local.sh runs on an instance of its own: not the default API server port 16443 nor .run"
[[ -x "$REPO_ROOT/node_modules/.bin/vitest" ]] || die "node_modules is missing: run make deps first"

kubectl_() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# Everything that tells why a run failed: the cluster's objects and events, every pod's logs,
# the node's components' and Kafka's logs.
collect_diagnostics() {
  mkdir -p "$ARTIFACTS"
  info "collecting logs and events into $ARTIFACTS"
  "$CLUSTER" status >"$ARTIFACTS/cluster-status.txt" 2>&1 || true
  # The stack may have failed before it printed the kubeconfig.
  [[ -n "$KUBECONFIG_FILE" || ! -f "$RUN_DIR/cluster/admin.kubeconfig" ]] \
    || KUBECONFIG_FILE="$RUN_DIR/cluster/admin.kubeconfig"
  if [[ -n "$KUBECONFIG_FILE" ]]; then
    kubectl_ get nodes,all,sp -A -o wide >"$ARTIFACTS/objects.txt" 2>&1 || true
    kubectl_ get events -A --sort-by=.lastTimestamp >"$ARTIFACTS/events.txt" 2>&1 || true
    kubectl_ describe nodes >"$ARTIFACTS/nodes.txt" 2>&1 || true
    local ns pod
    while read -r ns pod; do
      kubectl_ -n "$ns" logs "$pod" --all-containers --prefix --tail=500 >"$ARTIFACTS/logs-$ns-$pod.txt" 2>&1 || true
      kubectl_ -n "$ns" logs "$pod" --all-containers --prefix --previous --tail=500 >>"$ARTIFACTS/logs-$ns-$pod.txt" 2>/dev/null || true
    done < <(kubectl_ get pods -A --no-headers -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name 2>/dev/null || true)
  fi
  local f rel
  for f in "$RUN_DIR"/cluster/*.log "$RUN_DIR"/cluster/node/*.log "$RUN_DIR"/kafka/node-*/server.log; do
    [[ -f "$f" ]] || continue
    rel="${f#"$RUN_DIR"/}"
    tail -n 2000 "$f" >"$ARTIFACTS/${rel//\//-}" || true
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # Without the claim the stack is another run's: nothing of it is ours to inspect or stop.
  if ((!CLAIMED)); then exit "$rc"; fi
  if ((rc != 0)); then collect_diagnostics; fi
  if [[ "$KEEP" == true ]]; then
    info "keeping the cluster and Kafka (STREAMING_ORDERS_RUN=$RUN_DIR); kubeconfig: $KUBECONFIG_FILE"
  else
    if ((STARTED_KAFKA)); then "$STACK" down kafka || warn "could not stop Kafka"; fi
    if ((STARTED_CLUSTER)); then "$STACK" down cluster || warn "could not bring the cluster down"; fi
  fi
  "$STACK" release $$ || true
  if ((rc != 0)); then
    warn "e2e-local failed (exit $rc) after $((SECONDS - T0)) s; diagnostics in $ARTIFACTS"
  else
    info "e2e-local passed in $((SECONDS - T0)) s"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the stack: the cluster with its node, Kafka for the pods, the image ---------
# The instance is shared with `make demo`: wait while a demo has it.
"$STACK" claim "hack/e2e-local.sh" $$
CLAIMED=1
# What was already up stays up at the end; the rest is stopped (hack/local-stack.sh down PART).
before="$("$STACK" status 2>/dev/null || true)"
! grep -qx 'cluster=down' <<<"$before" || STARTED_CLUSTER=1
! grep -qx 'kafka=down' <<<"$before" || STARTED_KAFKA=1
t=$SECONDS
stack="$("$STACK" up)"
KUBECONFIG_FILE="$(sed -n 's/^kubeconfig=//p' <<<"$stack")"
POD_BOOTSTRAP="$(sed -n 's/^pod-bootstrap=//p' <<<"$stack")"
image="$(sed -n 's/^image=//p' <<<"$stack")"
[[ -n "$KUBECONFIG_FILE" && -n "$POD_BOOTSTRAP" && -n "$image" ]] \
  || die "hack/local-stack.sh up printed no kubeconfig=, pod-bootstrap= and image= lines"
info "stack up in $((SECONDS - t)) s; pods use Kafka at $POD_BOOTSTRAP and the image $image"

# --- the suite ------------------------------------------------------------------
info "running test/e2e against $KUBECONFIG_FILE"
t=$SECONDS
# shellcheck disable=SC2086 # VITEST_ARGS is a list of arguments
(
  cd "$REPO_ROOT"
  TEST_NODE_KUBECONFIG="$KUBECONFIG_FILE" TEST_NODE_IMAGE="$image" \
    E2E_KUBECONFIG="$KUBECONFIG_FILE" E2E_IMAGE="$image" E2E_IMAGE_PULL_POLICY=Never \
    E2E_KAFKA_BOOTSTRAP="$POD_BOOTSTRAP" E2E_HELM="$HELM" E2E_KUBECTL="$KUBECTL" \
    E2E_ARTIFACTS="$ARTIFACTS/suite" ./node_modules/.bin/vitest run --project e2e ${VITEST_ARGS:-}
)
info "test/e2e passed in $((SECONDS - t)) s"
