#!/usr/bin/env bash
# The end-to-end suite (test/e2e) on a throwaway kind cluster, for machines with Docker:
#
#   hack/kind-e2e.sh        (or: make e2e-kind)
#
# 1. creates a kind cluster from a pinned node image (Kubernetes 1.34),
# 2. installs the Strimzi Cluster Operator (pinned) from Strimzi's Helm repository,
# 3. builds the project image with `docker build` and loads it into the cluster's node,
# 4. runs test/e2e against the cluster: the suite itself `helm install`s the chart (so the same
#    suite proves the product on any cluster), uses it, runs `helm test` and uninstalls it,
# 5. on failure, collects logs, events and kind's node logs under .run/kind-e2e/,
# 6. deletes the cluster (KEEP_CLUSTER=true keeps it for a look around).
#
# Environment: KIND_CLUSTER_NAME (default streaming-orders-e2e), KEEP_CLUSTER, and E2E_* for the
# suite (test/e2e/README.md). Tools come from hack/tools.sh (pinned kind, helm, kubectl).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shopt -s inherit_errexit

# kind v0.33.0's release notes list the node images built for it; only the digest guarantees one
# of those (the tag alone may point at a build for another kind release).
KIND_NODE_IMAGE="kindest/node:v1.34.11@sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d"
# Strimzi 1.2.0: the kafka.strimzi.io/v1 API the chart renders, and Kafka 4.3.1.
STRIMZI_VERSION="1.2.0"
STRIMZI_REPO="https://strimzi.io/charts/"
CLUSTER="${KIND_CLUSTER_NAME:-streaming-orders-e2e}"
IMAGE="streaming-orders:e2e"
KEEP_CLUSTER="${KEEP_CLUSTER:-false}"

WORK="$RUN_DIR/kind-e2e"
KUBECONFIG_FILE="$WORK/kubeconfig"
ARTIFACTS="$WORK/artifacts-$(date -u +%Y%m%dT%H%M%SZ)"
# Helm's repositories and cache for this script and the suite, apart from the user's own.
HELM_HOME="$RUN_DIR/e2e/helm"
export HELM_CONFIG_HOME="$HELM_HOME/config" HELM_CACHE_HOME="$HELM_HOME/cache" HELM_DATA_HOME="$HELM_HOME/data"

command -v docker >/dev/null || die "docker not found: the kind path needs Docker (or run test/e2e against any cluster with E2E_KUBECONFIG)"
docker info >/dev/null 2>&1 || die "docker is installed but its daemon does not answer (docker info failed)"
[[ -f "$REPO_ROOT/Dockerfile" ]] || die "no Dockerfile at the repository root"
[[ -x "$REPO_ROOT/node_modules/.bin/vitest" ]] || die "node_modules is missing: run make deps first"

KIND="$("$REPO_ROOT/hack/tools.sh" path kind)"
HELM="$("$REPO_ROOT/hack/tools.sh" path helm)"
KUBECTL="$("$REPO_ROOT/hack/tools.sh" path kubectl)"
mkdir -p "$WORK"

kubectl_() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# Whatever the cluster shows about a failure: every object and event, the pods' logs, and the
# node's own logs (kubelet, containerd) from kind.
collect_diagnostics() {
  mkdir -p "$ARTIFACTS"
  info "collecting logs and events into $ARTIFACTS"
  kubectl_ get all,sp,kafka,kafkanodepool -A -o wide >"$ARTIFACTS/objects.txt" 2>&1 || true
  kubectl_ get events -A --sort-by=.lastTimestamp >"$ARTIFACTS/events.txt" 2>&1 || true
  kubectl_ describe nodes >"$ARTIFACTS/nodes.txt" 2>&1 || true
  local ns pod
  while read -r ns pod; do
    kubectl_ -n "$ns" logs "$pod" --all-containers --prefix --tail=500 >"$ARTIFACTS/logs-$ns-$pod.txt" 2>&1 || true
    kubectl_ -n "$ns" logs "$pod" --all-containers --prefix --previous --tail=500 >>"$ARTIFACTS/logs-$ns-$pod.txt" 2>/dev/null || true
  done < <(kubectl_ get pods -A --no-headers -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name 2>/dev/null || true)
  "$KIND" export logs "$ARTIFACTS/kind" --name "$CLUSTER" >/dev/null 2>&1 || true
}

cleanup() {
  local rc=$?
  if ((rc != 0)) && [[ -f "$KUBECONFIG_FILE" ]]; then collect_diagnostics; fi
  if [[ "$KEEP_CLUSTER" == "true" ]]; then
    info "keeping cluster $CLUSTER (KUBECONFIG=$KUBECONFIG_FILE); delete it with: $KIND delete cluster --name $CLUSTER"
  else
    "$KIND" delete cluster --name "$CLUSTER" >&2 || warn "could not delete kind cluster $CLUSTER"
  fi
  if ((rc != 0)); then warn "kind e2e failed (exit $rc); diagnostics in $ARTIFACTS"; fi
  exit "$rc"
}

existing="$("$KIND" get clusters 2>/dev/null || true)"
if grep -qx "$CLUSTER" <<<"$existing"; then
  die "a kind cluster named $CLUSTER already exists; delete it or set KIND_CLUSTER_NAME"
fi
trap cleanup EXIT

info "creating kind cluster $CLUSTER ($KIND_NODE_IMAGE)"
"$KIND" create cluster --name "$CLUSTER" --image "$KIND_NODE_IMAGE" --kubeconfig "$KUBECONFIG_FILE" --wait 5m >&2

info "installing Strimzi $STRIMZI_VERSION (watching every namespace)"
"$HELM" repo add --force-update strimzi "$STRIMZI_REPO" >&2
"$HELM" install strimzi strimzi/strimzi-kafka-operator --version "$STRIMZI_VERSION" \
  --kubeconfig "$KUBECONFIG_FILE" --namespace strimzi --create-namespace \
  --set watchAnyNamespace=true --wait --timeout 10m >&2

info "building $IMAGE and loading it into the cluster"
docker build --tag "$IMAGE" "$REPO_ROOT" >&2
"$KIND" load docker-image "$IMAGE" --name "$CLUSTER" >&2

info "running test/e2e"
(
  cd "$REPO_ROOT"
  E2E_KUBECONFIG="$KUBECONFIG_FILE" E2E_IMAGE="$IMAGE" E2E_HELM="$HELM" E2E_KUBECTL="$KUBECTL" \
    E2E_ARTIFACTS="$ARTIFACTS/suite" ./node_modules/.bin/vitest run --project e2e
)
info "kind e2e passed"
