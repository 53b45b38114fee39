#!/usr/bin/env bash
# A local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler) running as plain processes; by default no containers and no nodes.
#
#   hack/cluster.sh up [--with-node]   start (idempotent); last stdout line is the admin kubeconfig path
#   hack/cluster.sh down               stop everything (the node too) and remove all state under .run/cluster
#   hack/cluster.sh status             one line per component; non-zero exit unless all are up
#   hack/cluster.sh load-image FILE... import OCI (or Docker) image archives into the node's containerd
#
# With --with-node (or CLUSTER_NODE=1) up also starts a node that runs real pods: containerd,
# runc and CNI plugins from Debian, kubelet, kube-proxy and CoreDNS built from pinned modules,
# in a network namespace of the instance's own (hack/node/node.sh tells the layout; needs root).
# Pods use images imported with load-image and imagePullPolicy: Never. The machine reaches pod
# and Service addresses directly; CLUSTER_NODE_NET (0..255, default: the API server port mod
# 256) picks the instance's addresses (10.243.N.0/30 link, 10.244.N.0/24 pods).
#
# The admin kubeconfig is .run/cluster/admin.kubeconfig (certificates embedded).
# Everything listens on 127.0.0.1 on high ports so it can sit next to another
# cluster. CLUSTER_START_TIMEOUT (seconds, default 120) bounds each wait in up.
# A second cluster needs its own STREAMING_ORDERS_RUN and the CLUSTER_*_PORT
# variables below.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shopt -s inherit_errexit

CLUSTER_DIR="$RUN_DIR/cluster"
PKI="$CLUSTER_DIR/pki"
KUBECONFIG_ADMIN="$CLUSTER_DIR/admin.kubeconfig"
ETCD_CLIENT_PORT="${CLUSTER_ETCD_PORT:-12379}"
ETCD_PEER_PORT=$((ETCD_CLIENT_PORT + 1))
APISERVER_PORT="${CLUSTER_APISERVER_PORT:-16443}"
CONTROLLER_MANAGER_PORT="${CLUSTER_CONTROLLER_MANAGER_PORT:-20257}"
SCHEDULER_PORT="${CLUSTER_SCHEDULER_PORT:-20259}"
# The octet that keeps each instance's node addresses apart (see hack/node/node.sh).
NODE_NET="${CLUSTER_NODE_NET:-$((APISERVER_PORT % 256))}"
if ! [[ "$NODE_NET" =~ ^[0-9]+$ ]] || ((NODE_NET > 255)); then
  die "CLUSTER_NODE_NET must be 0..255, got '$NODE_NET'"
fi
# Service addresses: the usual range on the default instance; another instance gets a
# range of its own so that two nodes' Services can both be routed from this machine.
if [[ -n "${CLUSTER_SERVICE_CIDR:-}" ]]; then
  SERVICE_CIDR="$CLUSTER_SERVICE_CIDR"
elif [[ "$APISERVER_PORT" == 16443 ]]; then
  SERVICE_CIDR=10.96.0.0/12
else
  SERVICE_CIDR="10.245.$NODE_NET.0/24"
fi
if ! [[ "$SERVICE_CIDR" =~ ^([0-9]+\.[0-9]+\.[0-9]+)\.0/([0-9]+)$ ]] || ((BASH_REMATCH[2] > 24)); then
  die "CLUSTER_SERVICE_CIDR must be a network of /24 or larger ending in .0, got '$SERVICE_CIDR'"
fi
SERVICE_IP="${BASH_REMATCH[1]}.1" # first address of SERVICE_CIDR: the kubernetes Service
DNS_IP="${BASH_REMATCH[1]}.10"    # the cluster DNS Service (CoreDNS on the node)
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler)
START_TIMEOUT="${CLUSTER_START_TIMEOUT:-120}"
WITH_NODE="${CLUSTER_NODE:-0}"

tool() { "$REPO_ROOT/hack/tools.sh" path "$1"; }

# shellcheck source=node/node.sh
source "$REPO_ROOT/hack/node/node.sh"

# --- PKI -------------------------------------------------------------------

# new_key NAME: an EC P-256 key (fast to generate, accepted by every component).
new_key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/$1.key" 2>/dev/null
}

# new_ca NAME CN
new_ca() {
  new_key "$1"
  openssl req -x509 -new -key "$PKI/$1.key" -subj "/CN=$2" -days 3650 -sha256 \
    -config /dev/null -out "$PKI/$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
}

# new_cert NAME CA SUBJECT EXT_KEY_USAGE [SUBJECT_ALT_NAMES]
new_cert() {
  local name="$1" ca="$2" subject="$3" usage="$4" sans="${5:-}"
  new_key "$name"
  openssl req -new -key "$PKI/$name.key" -subj "$subject" -config /dev/null -out "$PKI/$name.csr"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    echo "authorityKeyIdentifier=keyid"
    [[ -z "$sans" ]] || echo "subjectAltName=$sans"
  } >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 3650 -sha256 \
    -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

# b64 FILE: single-line base64 for kubeconfig *-data fields.
b64() { base64 -w0 <"$1"; }

# write_kubeconfig FILE CERT_NAME [SERVER [TLS_SERVER_NAME]]: access for one client cert, to the
# API server on loopback unless SERVER says otherwise (the node reaches it through its link).
write_kubeconfig() {
  local file="$1" cert="$2" server="${3:-https://127.0.0.1:$APISERVER_PORT}" tls_name="${4:-}"
  touch "$file"
  chmod 600 "$file"
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: streaming-orders
  cluster:
    server: $server
${tls_name:+    tls-server-name: $tls_name
}    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $cert
  user:
    client-certificate-data: $(b64 "$PKI/$cert.crt")
    client-key-data: $(b64 "$PKI/$cert.key")
contexts:
- name: streaming-orders
  context:
    cluster: streaming-orders
    user: $cert
current-context: streaming-orders
EOF
}

ensure_pki() {
  [[ -f "$PKI/.complete" ]] && return 0
  info "generating certificates in $PKI"
  rm -rf "$PKI"
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  new_ca ca streaming-orders-ca
  new_cert apiserver ca "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1,IP:$SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  # For when nodes join: the apiserver authenticates to kubelets with this.
  new_cert apiserver-kubelet-client ca "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  new_cert admin ca "/O=system:masters/CN=admin" clientAuth
  new_cert controller-manager ca "/CN=system:kube-controller-manager" clientAuth
  new_cert scheduler ca "/CN=system:kube-scheduler" clientAuth
  # Aggregated API servers trust requests proxied with this separate identity.
  new_ca front-proxy-ca front-proxy-ca
  new_cert front-proxy-client front-proxy-ca "/CN=front-proxy-client" clientAuth
  # Service account tokens are signed with sa.key and verified with sa.pub.
  new_key sa
  openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
  write_kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" controller-manager
  write_kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" scheduler
  write_kubeconfig "$KUBECONFIG_ADMIN" admin
  touch "$PKI/.complete"
}

# --- processes -------------------------------------------------------------

pidfile() { echo "$CLUSTER_DIR/$1.pid"; }

# start NAME BINARY ARGS...: runs detached in its own session, so it outlives
# this script and the caller's terminal; output goes to NAME.log.
start() {
  local name="$1" bin="$2"; shift 2
  if pid_alive "$(pidfile "$name")"; then
    info "$name already running (pid $(cat "$(pidfile "$name")"))"
    return 0
  fi
  info "starting $name"
  # Scripts run without job control, so a background child is no group leader
  # and setsid execs in place: $! is the component's own pid. It must not keep
  # our stdout (callers read it to the end) nor the lock on fd 9.
  setsid "$bin" "$@" </dev/null >>"$CLUSTER_DIR/$name.log" 2>&1 9>&- &
  echo $! >"$(pidfile "$name")"
}

# http_get PORT PATH: plain-HTTP GET on 127.0.0.1 with bash only; prints the response.
http_get() {
  local fd
  exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&"$fd"
  timeout 5 cat <&"$fd"
  exec {fd}>&-
}

etcd_healthy() { http_get "$ETCD_CLIENT_PORT" /health 2>/dev/null | grep -q '"health":"true"'; }

kubectl_admin() { "$BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" --request-timeout=5s "$@" </dev/null; }

apiserver_ready() { [[ "$(kubectl_admin get --raw /readyz 2>/dev/null)" == ok ]]; }

# Controller manager and scheduler serve /healthz over TLS with an in-memory
# self-signed cert; the admin client cert is accepted (kubectl without any
# credentials would prompt for a password instead).
secure_healthz() {
  [[ "$(kubectl_admin --server "https://127.0.0.1:$1" --insecure-skip-tls-verify get --raw /healthz 2>/dev/null)" == ok ]]
}

component_healthy() {
  pid_alive "$(pidfile "$1")" || return 1
  case "$1" in
    etcd) etcd_healthy ;;
    kube-apiserver) apiserver_ready ;;
    kube-controller-manager) secure_healthz "$CONTROLLER_MANAGER_PORT" ;;
    kube-scheduler) secure_healthz "$SCHEDULER_PORT" ;;
  esac
}

# The default ServiceAccount is created by the controller manager, so its
# presence shows the control loops are actually running.
cluster_usable() {
  kubectl_admin get namespace default && kubectl_admin -n default get serviceaccount default
}

all_healthy() {
  local c
  for c in "${COMPONENTS[@]}"; do component_healthy "$c" >/dev/null 2>&1 || return 1; done
  cluster_usable >/dev/null 2>&1
}

# await NAME DESCRIPTION COMMAND...: waits for COMMAND, failing fast with the
# component's log tail if it exits or does not get there in time.
await() {
  local name="$1" what="$2"; shift 2
  local deadline=$((SECONDS + START_TIMEOUT)) reason=""
  until "$@" >/dev/null 2>&1; do
    if ! pid_alive "$(pidfile "$name")"; then
      reason="$name exited"; break
    elif ((SECONDS >= deadline)); then
      reason="timed out after ${START_TIMEOUT}s"; break
    fi
    sleep 0.5
  done
  [[ -z "$reason" ]] && return 0
  tail -n 20 "$CLUSTER_DIR/$name.log" >&2 || true
  die "$reason waiting for $what; see $CLUSTER_DIR/$name.log"
}

# --- commands --------------------------------------------------------------

up() {
  local etcd apiserver controller_manager scheduler
  # Build (or confirm) all binaries first so the start-up itself is quick.
  "$REPO_ROOT/hack/tools.sh" build etcd kube-apiserver kube-controller-manager kube-scheduler kubectl
  local apiserver_node_args=()
  if [[ "$WITH_NODE" != 1 && -e "$NODE_DIR/network" ]]; then
    # A cluster that has a node keeps it (and its API server's node settings) until down.
    info "this cluster has a node; keeping it"
    WITH_NODE=1
  fi
  if [[ "$WITH_NODE" == 1 ]]; then
    node_check_host
    "$REPO_ROOT/hack/tools.sh" build kubelet kube-proxy coredns pause
    # Pods reach the API server (the kubernetes Service) on the node link's machine end; the
    # API server reaches the kubelet by its address, never by looking its name up.
    apiserver_node_args=(--advertise-address "$NODE_HOST_IP" --kubelet-preferred-address-types InternalIP)
  fi
  etcd="$(tool etcd)"
  apiserver="$(tool kube-apiserver)"
  controller_manager="$(tool kube-controller-manager)"
  scheduler="$(tool kube-scheduler)"

  mkdir -p "$CLUSTER_DIR"
  if [[ "$WITH_NODE" == 1 ]] && pid_alive "$(pidfile kube-apiserver)" \
    && ! tr '\0' ' ' <"/proc/$(cat "$(pidfile kube-apiserver)")/cmdline" | grep -qF -- "${apiserver_node_args[*]} "; then
    info "restarting kube-apiserver to advertise the node link address $NODE_HOST_IP"
    stop_pid "$(pidfile kube-apiserver)" 20
  fi
  if all_healthy; then
    info "cluster already up"
    if [[ "$WITH_NODE" == 1 ]]; then node_up; fi
    echo "$KUBECONFIG_ADMIN"
    return 0
  fi
  ensure_pki
  if [[ "$WITH_NODE" == 1 ]]; then node_network_up; fi

  # Throwaway local data: skipping fsync makes start-up and writes much faster.
  start etcd "$etcd" \
    --name local \
    --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync
  await etcd "etcd health" etcd_healthy

  start kube-apiserver "$apiserver" \
    --bind-address 127.0.0.1 \
    --secure-port "$APISERVER_PORT" \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC \
    --allow-privileged=true \
    --client-ca-file "$PKI/ca.crt" \
    --tls-cert-file "$PKI/apiserver.crt" \
    --tls-private-key-file "$PKI/apiserver.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI/sa.pub" \
    --service-account-signing-key-file "$PKI/sa.key" \
    --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User \
    --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$PKI/front-proxy-client.crt" \
    --proxy-client-key-file "$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    "${apiserver_node_args[@]}"
  # The others exit at once if RBAC is not bootstrapped yet, so wait for /readyz.
  await kube-apiserver "kube-apiserver /readyz" apiserver_ready

  local kc="$CLUSTER_DIR/controller-manager.kubeconfig"
  # The client rate limit is raised from 20/s: at the default, settling 300 new Deployments (a
  # ReplicaSet and a status write each) takes the controller-manager a minute on its own.
  start kube-controller-manager "$controller_manager" \
    --kube-api-qps 200 \
    --kube-api-burst 400 \
    --concurrent-deployment-syncs 10 \
    --concurrent-replicaset-syncs 10 \
    --bind-address 127.0.0.1 \
    --secure-port "$CONTROLLER_MANAGER_PORT" \
    --kubeconfig "$kc" \
    --authentication-kubeconfig "$kc" \
    --authorization-kubeconfig "$kc" \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --controllers '*,bootstrapsigner,tokencleaner' \
    --cluster-signing-cert-file "$PKI/ca.crt" \
    --cluster-signing-key-file "$PKI/ca.key" \
    --root-ca-file "$PKI/ca.crt" \
    --service-account-private-key-file "$PKI/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR"

  local sc="$CLUSTER_DIR/scheduler.kubeconfig"
  start kube-scheduler "$scheduler" \
    --bind-address 127.0.0.1 \
    --secure-port "$SCHEDULER_PORT" \
    --kubeconfig "$sc" \
    --authentication-kubeconfig "$sc" \
    --authorization-kubeconfig "$sc" \
    --leader-elect=false

  await kube-controller-manager "kube-controller-manager /healthz" component_healthy kube-controller-manager
  await kube-scheduler "kube-scheduler /healthz" component_healthy kube-scheduler
  await kube-controller-manager "the default namespace and ServiceAccount" cluster_usable
  if [[ "$WITH_NODE" == 1 ]]; then node_up; fi
  info "cluster up; kubeconfig: $KUBECONFIG_ADMIN"
  echo "$KUBECONFIG_ADMIN"
}

# Our binaries still running from BIN_DIR whose pid files were lost (e.g. a
# crash between start and writing the pid file).
strays() {
  local p exe
  for p in /proc/[0-9]*; do
    exe="$(readlink "$p/exe" 2>/dev/null)" || continue
    exe="${exe% (deleted)}" # binary replaced by a rebuild while running
    case "$exe" in
      "$BIN_DIR"/etcd | "$BIN_DIR"/kube-apiserver | "$BIN_DIR"/kube-controller-manager | "$BIN_DIR"/kube-scheduler)
        grep -qzF -- "$CLUSTER_DIR/" "$p/cmdline" 2>/dev/null && echo "${p#/proc/}" ;;
    esac
  done
  return 0
}

down() {
  local c i pid
  # The node first: its pods and mounts go before the API server it reports to.
  node_down
  # Reverse start order: clients first, etcd last.
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    c="${COMPONENTS[i]}"
    if pid_alive "$(pidfile "$c")"; then info "stopping $c"; fi
    stop_pid "$(pidfile "$c")" 20
  done
  for pid in $(strays); do
    warn "stopping stray process $pid"
    echo "$pid" >"$CLUSTER_DIR/stray.pid"
    stop_pid "$CLUSTER_DIR/stray.pid" 10
  done
  rm -rf "$CLUSTER_DIR"
  info "cluster down"
}

status() {
  local c ok=0
  for c in "${COMPONENTS[@]}"; do
    status_line "$c" "$(pidfile "$c")" component_healthy "$c" || ok=1
  done
  node_status || ok=1
  if ((ok == 0)); then
    echo "kubeconfig               $KUBECONFIG_ADMIN"
  fi
  return "$ok"
}

load_image() {
  (($#)) || die "usage: $0 load-image ARCHIVE..."
  pid_alive "$(node_pidfile containerd)" || die "no node is running (hack/cluster.sh up --with-node)"
  node_load_image "$@"
}

# One up/down at a time (parallel test runners, make -j); status reads without it.
lock() {
  exec 9>"$RUN_DIR/cluster-sh.lock"
  flock -w 300 9 || die "another hack/cluster.sh up/down is still running"
}

case "${1:-}" in
  up)
    if [[ "${2:-}" == --with-node ]]; then WITH_NODE=1; elif [[ -n "${2:-}" ]]; then die "usage: $0 up [--with-node]"; fi
    lock && up
    ;;
  down) lock && down ;;
  status) status ;;
  load-image) shift; load_image "$@" ;;
  *) die "usage: $0 up [--with-node]|down|status|load-image ARCHIVE..." ;;
esac
