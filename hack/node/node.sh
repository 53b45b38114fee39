#!/usr/bin/env bash
# The local cluster's node: containerd, runc and the CNI plugins from Debian; kubelet,
# kube-proxy, CoreDNS and a pause image built here. Sourced by hack/cluster.sh (which
# defines CLUSTER_DIR, PKI, APISERVER_PORT, SERVICE_CIDR and the helpers used below);
# not run on its own.
#
# Layout, per cluster instance (NODE_NET, an octet, tells instances apart):
#   network namespace and host veth  orders-node-$NODE_NET
#   node link                        10.243.$NODE_NET.0/30: .1 on the machine, .2 the node
#   pod network                      10.244.$NODE_NET.0/24 on the bridge cni0 inside the node
#   cgroup root                      /orders-node-$NODE_NET in every cgroup v1 hierarchy
#   state                            $CLUSTER_DIR/node (containerd root and state, kubelet root,
#                                    CNI config and IPAM, pod logs, configs, pid files, logs)
# containerd, kubelet and kube-proxy run inside the node's network namespace (the machine's
# mount namespace, so volumes and rootfs mounts are seen by all three), so their ports and
# iptables rules are the namespace's own. The machine reaches pods and Services through two
# routes over the veth; the node reaches the API server through a TCP forwarder on the
# machine's end of the link (the API server itself stays on 127.0.0.1). The node has no
# default route: nothing from a pod can leave this machine.
# shellcheck shell=bash

: "${NODE_NET:?set by hack/cluster.sh}"
NODE_DIR="$CLUSTER_DIR/node"
NODE_NAME="${CLUSTER_NODE_NAME:-streaming-orders-node}"
NODE_NETNS="orders-node-$NODE_NET"
NODE_LINK="orders-node-$NODE_NET"
NODE_HOST_IP="10.243.$NODE_NET.1"
NODE_IP="10.243.$NODE_NET.2"
POD_CIDR="10.244.$NODE_NET.0/24"
POD_GATEWAY="10.244.$NODE_NET.1"
CNI_NETWORK="orders-pods-$NODE_NET"
CGROUP_ROOT="/orders-node-$NODE_NET"
CONTAINERD_DIR="$NODE_DIR/containerd"
CONTAINERD_SOCKET="$CONTAINERD_DIR/containerd.sock"
KUBELET_DIR="$NODE_DIR/kubelet"
NODE_COMPONENTS=(apiserver-forward containerd kubelet kube-proxy)
NODE_TEMPLATES="$REPO_ROOT/hack/node"
CNI_BIN_DIR=/usr/lib/cni
# Machine-wide notes shared by all instances: what the first node changed and the
# last one restores (kernel settings the kubelet insists on, directories it creates).
NODE_SHARED=/run/streaming-orders-node
# Debian packages the node runs on (apt-get installs missing ones when root).
NODE_PACKAGES=(containerd runc containernetworking-plugins iptables socat)
# Kernel settings the kubelet sets when protectKernelDefaults is false (and refuses to
# start over when it is true); saved by the first node up and restored by the last down.
KUBELET_SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes)
# Directories outside the instance that iproute2 (/run/netns), libcni (/var/lib/cni),
# libmount (/run/mount), containerd's shims (/run/containerd/s) and the kubelet create: its
# links to pod logs and its device plugin socket have fixed paths.
NODE_SHARED_DIRS=(/run/netns /var/lib/cni /run/mount /run/containerd /run/containerd/s
  /var/log/containers /var/lib/kubelet)

PAUSE_IMAGE="localhost/streaming-orders/pause"
COREDNS_IMAGE="localhost/streaming-orders/coredns"
NODE_IMAGES_DIR="$CACHE_DIR/images/node"

node_pidfile() { echo "$NODE_DIR/$1.pid"; }
in_node() { nsenter --net="/run/netns/$NODE_NETNS" -- "$@"; }
ctr_node() { ctr --address "$CONTAINERD_SOCKET" --namespace k8s.io "$@"; }

# render TEMPLATE OUT KEY=VALUE...: copies a template with @KEY@ replaced.
render() {
  local template="$1" out="$2"; shift 2
  local text kv
  text="$(<"$template")"
  for kv in "$@"; do text="${text//@${kv%%=*}@/${kv#*=}}"; done
  [[ "$text" != *@[A-Z_]*@* ]] || die "unfilled placeholder in $template"
  printf '%s\n' "$text" >"$out.tmp"
  mv -f "$out.tmp" "$out"
}

# --- prerequisites ---------------------------------------------------------

node_check_host() {
  ((EUID == 0)) || die "the node needs root (network namespaces, mounts, cgroups)"
  [[ -d /sys/fs/cgroup/memory ]] || die "the node expects cgroup v1 hierarchies under /sys/fs/cgroup"
  ((${#CONTAINERD_SOCKET} < 100)) || die "socket path too long for a unix socket: $CONTAINERD_SOCKET"
  local missing=() p
  for p in "${NODE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    info "installing Debian packages: ${missing[*]}"
    apt-get update -q >&2 || warn "apt-get update failed; trying the install anyway"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
      || die "apt-get install ${missing[*]} failed"
  fi
  local c
  for c in containerd containerd-shim-runc-v2 runc ctr iptables socat nsenter ip; do
    command -v "$c" >/dev/null || die "$c not found"
  done
  for c in bridge host-local portmap loopback; do
    [[ -x "$CNI_BIN_DIR/$c" ]] || die "CNI plugin $CNI_BIN_DIR/$c not found"
  done
}

# --- network ---------------------------------------------------------------

# The other instance whose node holds this instance's addresses, if any.
node_net_clash() {
  local dev
  dev="$(ip -o route show "$POD_CIDR" 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1) }')"
  if [[ -n "$dev" && "$dev" != "$NODE_LINK" ]]; then echo "$POD_CIDR is routed to $dev"; return; fi
  dev="$(ip -o route show "$SERVICE_CIDR" 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1) }')"
  if [[ -n "$dev" && "$dev" != "$NODE_LINK" ]]; then echo "$SERVICE_CIDR is routed to $dev"; return; fi
  if [[ -e "/run/netns/$NODE_NETNS" && ! -e "$NODE_DIR/network" ]]; then
    echo "network namespace $NODE_NETNS belongs to another instance"
  fi
}

node_network_ready() {
  [[ -e "$NODE_DIR/network" && -e "/run/netns/$NODE_NETNS" ]] \
    && ip link show "$NODE_LINK" >/dev/null 2>&1 \
    && in_node ip -o addr show dev eth0 2>/dev/null | grep -qF " $NODE_IP/"
}

node_network_up() {
  mkdir -p "$NODE_DIR"
  node_network_ready && return 0
  if [[ -e "$NODE_DIR/network" ]]; then
    # Half there (a crash, a reboot): start the node over from a clean slate.
    warn "the node network is incomplete; removing the node and starting it again"
    node_down
    mkdir -p "$NODE_DIR"
  fi
  local clash; clash="$(node_net_clash)"
  [[ -z "$clash" ]] || die "node network clash: $clash; give this instance its own CLUSTER_NODE_NET (and CLUSTER_SERVICE_CIDR)"
  info "creating the node network: namespace $NODE_NETNS, link $NODE_HOST_IP <-> $NODE_IP, pods $POD_CIDR, services $SERVICE_CIDR"
  node_shared_note_dirs
  # Mark ownership first, so a failed half-way set-up is still cleaned up by down.
  echo "$NODE_NETNS" >"$NODE_DIR/network"
  [[ -e "/run/netns/$NODE_NETNS" ]] || ip netns add "$NODE_NETNS"
  ip link del "$NODE_LINK" 2>/dev/null || true
  ip link add "$NODE_LINK" type veth peer name eth0 netns "$NODE_NETNS"
  ip addr add "$NODE_HOST_IP/30" dev "$NODE_LINK"
  ip link set "$NODE_LINK" up
  ip -n "$NODE_NETNS" link set lo up
  ip -n "$NODE_NETNS" addr add "$NODE_IP/30" dev eth0
  ip -n "$NODE_NETNS" link set eth0 up
  # Traffic the node itself sends to a Service address needs a route before kube-proxy's
  # DNAT; the machine never forwards it further.
  ip -n "$NODE_NETNS" route add "$SERVICE_CIDR" via "$NODE_HOST_IP"
  ip route add "$POD_CIDR" via "$NODE_IP" dev "$NODE_LINK"
  ip route add "$SERVICE_CIDR" via "$NODE_IP" dev "$NODE_LINK"
  # Per-namespace settings: routing between the link and the pod bridge, and bridged
  # traffic through kube-proxy's rules. The machine's own settings stay as they are.
  in_node sysctl -qw net.ipv4.ip_forward=1
  if in_node test -e /proc/sys/net/bridge/bridge-nf-call-iptables; then
    in_node sysctl -qw net.bridge.bridge-nf-call-iptables=1
  else
    warn "br_netfilter is not loaded: pods may not reach Services on their own node"
  fi
}

# Remembers which shared directories did not exist before any node, so the last
# node down removes exactly those (and only once empty).
node_shared_note_dirs() {
  mkdir -p "$NODE_SHARED"
  if [[ ! -f "$NODE_SHARED/created-dirs" ]]; then
    local d
    for d in "${NODE_SHARED_DIRS[@]}"; do
      [[ -e "$d" ]] || echo "$d"
    done >"$NODE_SHARED/created-dirs"
  fi
}

# Network namespaces of other instances' nodes.
node_others_running() {
  local ns
  for ns in /run/netns/orders-node-*; do
    [[ -e "$ns" && "${ns##*/}" != "$NODE_NETNS" ]] && return 0
  done
  return 1
}

# --- certificates and configuration ---------------------------------------

# write_node_kubeconfig FILE CERT: reaches the API server through the forwarder on the
# machine's end of the node link; the server certificate is checked for "kubernetes".
write_node_kubeconfig() {
  write_kubeconfig "$1" "$2" "https://$NODE_HOST_IP:$APISERVER_PORT" kubernetes
}

node_config() {
  mkdir -p "$NODE_DIR/cni/net.d" "$NODE_DIR/cni/ipam" "$NODE_DIR/pod-logs" "$KUBELET_DIR" \
    "$CONTAINERD_DIR/root" "$CONTAINERD_DIR/state"
  if [[ ! -f "$PKI/kubelet-serving.crt" ]]; then
    info "generating the node's certificates"
    new_cert kubelet-client ca "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
    new_cert kubelet-serving ca "/O=system:nodes/CN=system:node:$NODE_NAME" serverAuth \
      "IP:$NODE_IP,DNS:$NODE_NAME"
    new_cert kube-proxy ca "/CN=system:kube-proxy" clientAuth
  fi
  write_node_kubeconfig "$NODE_DIR/kubelet.kubeconfig" kubelet-client
  write_node_kubeconfig "$NODE_DIR/kube-proxy.kubeconfig" kube-proxy
  render "$NODE_TEMPLATES/containerd.toml.in" "$CONTAINERD_DIR/config.toml" \
    "ROOT=$CONTAINERD_DIR/root" "STATE=$CONTAINERD_DIR/state" "SOCKET=$CONTAINERD_SOCKET" \
    "SANDBOX_IMAGE=$(node_image_ref pause)" "CNI_BIN_DIR=$CNI_BIN_DIR" \
    "CNI_CONF_DIR=$NODE_DIR/cni/net.d"
  render "$NODE_TEMPLATES/cni.conflist.in" "$NODE_DIR/cni/net.d/10-pods.conflist" \
    "NETWORK=$CNI_NETWORK" "POD_CIDR=$POD_CIDR" "POD_GATEWAY=$POD_GATEWAY" \
    "IPAM_DIR=$NODE_DIR/cni/ipam"
  render "$NODE_TEMPLATES/kubelet.yaml.in" "$NODE_DIR/kubelet.yaml" \
    "NODE_IP=$NODE_IP" "PKI=$PKI" "CONTAINERD_SOCKET=$CONTAINERD_SOCKET" \
    "CGROUP_ROOT=$CGROUP_ROOT" "DNS_IP=$DNS_IP" "POD_LOGS_DIR=$NODE_DIR/pod-logs"
  render "$NODE_TEMPLATES/kube-proxy.yaml.in" "$NODE_DIR/kube-proxy.yaml" \
    "KUBECONFIG=$NODE_DIR/kube-proxy.kubeconfig" "NODE_NAME=$NODE_NAME" \
    "POD_CIDR=$POD_CIDR" "NODE_IP=$NODE_IP"
}

# The kubelet requires its cgroup root to exist in every hierarchy.
node_cgroups_up() {
  local h
  for h in /sys/fs/cgroup/*/; do
    h="${h%/}"
    [[ -f "$h/cgroup.procs" && "${h##*/}" != unified ]] || continue
    mkdir -p "$h$CGROUP_ROOT"
    if [[ -f "$h/cpuset.cpus" && ! -s "$h$CGROUP_ROOT/cpuset.cpus" ]]; then
      cat "$h/cpuset.cpus" >"$h$CGROUP_ROOT/cpuset.cpus"
      cat "$h/cpuset.mems" >"$h$CGROUP_ROOT/cpuset.mems"
    fi
  done
}

# Saves the kernel settings the kubelet will change, before the first kubelet of all
# instances changes them; the last node down restores them and removes the file.
node_save_sysctls() {
  mkdir -p "$NODE_SHARED"
  [[ -f "$NODE_SHARED/sysctls" ]] && return 0
  local s
  for s in "${KUBELET_SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")"; done >"$NODE_SHARED/sysctls.tmp"
  mv -f "$NODE_SHARED/sysctls.tmp" "$NODE_SHARED/sysctls"
}

# --- images ----------------------------------------------------------------

node_image_ref() {
  local version
  case "$1" in
    pause) version="$(sed -n 's/^const version = "\(.*\)"$/\1/p' "$REPO_ROOT/hack/tools/pause/main.go")"; echo "$PAUSE_IMAGE:$version" ;;
    coredns) version="$(awk '$1 == "require" && $2 == "github.com/coredns/coredns" { print $3 }' "$REPO_ROOT/hack/tools/coredns/go.mod")"; echo "$COREDNS_IMAGE:${version#v}" ;;
  esac
}

# oci_pack REF BINARY OUT: an OCI image layout archive with BINARY as /NAME and the
# entrypoint, one layer, fixed times and owners (same binary, same digest).
oci_pack() {
  local ref="$1" bin="$2" out="$3" name; name="$(basename "$bin")"
  local work; work="$(mktemp -d "$NODE_IMAGES_DIR/pack.XXXXXX")"
  mkdir -p "$work/root" "$work/oci/blobs/sha256"
  install -m 0755 "$bin" "$work/root/$name"
  tar --sort=name --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/root" -cf "$work/layer.tar" "$name"
  local diff_id layer layer_size config config_size manifest manifest_size
  diff_id="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
  gzip -n -6 <"$work/layer.tar" >"$work/layer.tar.gz"
  layer="$(sha256sum "$work/layer.tar.gz" | cut -d' ' -f1)"
  layer_size="$(stat -c %s "$work/layer.tar.gz")"
  mv "$work/layer.tar.gz" "$work/oci/blobs/sha256/$layer"
  printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Entrypoint":["/%s"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"hack/node/node.sh: /%s"}]}' \
    "$name" "$diff_id" "$name" >"$work/config.json"
  config="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
  config_size="$(stat -c %s "$work/config.json")"
  mv "$work/config.json" "$work/oci/blobs/sha256/$config"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config" "$config_size" "$layer" "$layer_size" >"$work/manifest.json"
  manifest="$(sha256sum "$work/manifest.json" | cut -d' ' -f1)"
  manifest_size="$(stat -c %s "$work/manifest.json")"
  mv "$work/manifest.json" "$work/oci/blobs/sha256/$manifest"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$work/oci/oci-layout"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest" "$manifest_size" "$ref" "${ref##*:}" >"$work/oci/index.json"
  (cd "$work/oci" && find . -mindepth 1 -print0 | LC_ALL=C sort -z \
    | tar --null --no-recursion --format=posix --mtime=@0 --owner=0 --group=0 --numeric-owner \
      --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -T - -cf "$work/image.tar")
  mv -f "$work/image.tar" "$out"
  rm -rf "$work"
}

# node_image NAME: the archive of a node image, packed again when its binary changed.
node_image() {
  local name="$1" ref out stamp
  ref="$(node_image_ref "$name")"
  mkdir -p "$NODE_IMAGES_DIR"
  out="$NODE_IMAGES_DIR/$name-${ref##*:}.oci.tar"
  stamp="$({ sha256sum <"$BIN_DIR/$name"; declare -f oci_pack; echo "$ref"; } | sha256sum | cut -d' ' -f1)"
  if [[ ! -f "$out" || "$(cat "$out.stamp" 2>/dev/null)" != "$stamp" ]]; then
    info "packing $ref"
    oci_pack "$ref" "$BIN_DIR/$name" "$out"
    echo "$stamp" >"$out.stamp"
  fi
  echo "$out"
}

# node_load_image ARCHIVE...: imports OCI or Docker archives into the node's containerd,
# where the kubelet finds them (pods use imagePullPolicy: Never or IfNotPresent).
node_load_image() {
  local archive
  for archive in "$@"; do
    [[ -f "$archive" ]] || die "no such archive: $archive"
    info "importing $archive into the node"
    ctr_node images import "$archive" >&2 || die "ctr import of $archive failed"
  done
}

# --- processes -------------------------------------------------------------

# node_start NAME [--host] BINARY ARGS...: like start, inside the node's network namespace
# unless --host; output goes to $NODE_DIR/NAME.log.
node_start() {
  local name="$1" host=0; shift
  if [[ "$1" == --host ]]; then host=1; shift; fi
  if pid_alive "$(node_pidfile "$name")"; then
    return 0
  fi
  info "starting $name"
  if ((host)); then
    setsid "$@" </dev/null >>"$NODE_DIR/$name.log" 2>&1 9>&- &
  else
    setsid nsenter --net="/run/netns/$NODE_NETNS" -- "$@" </dev/null >>"$NODE_DIR/$name.log" 2>&1 9>&- &
  fi
  echo $! >"$(node_pidfile "$name")"
}

node_await() {
  local name="$1" what="$2"; shift 2
  local deadline=$((SECONDS + START_TIMEOUT)) reason=""
  until "$@" >/dev/null 2>&1; do
    if [[ "$name" != - ]] && ! pid_alive "$(node_pidfile "$name")"; then
      reason="$name exited"; break
    elif ((SECONDS >= deadline)); then
      reason="timed out after ${START_TIMEOUT}s"; break
    fi
    sleep 0.5
  done
  [[ -z "$reason" ]] && return 0
  if [[ "$name" != - ]]; then tail -n 20 "$NODE_DIR/$name.log" >&2 || true; fi
  die "$reason waiting for $what${name:+; see $NODE_DIR/$name.log}"
}

forward_healthy() { port_open "$NODE_HOST_IP" "$APISERVER_PORT"; }
containerd_healthy() { ctr_node version; }
kubelet_healthy() { [[ "$(curl -fsS --max-time 3 "http://$NODE_IP:10248/healthz")" == ok ]]; }
kube_proxy_healthy() { curl -fsS --max-time 3 "http://$NODE_IP:10256/healthz"; }

node_ready() {
  [[ "$(kubectl_admin get node "$NODE_NAME" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

coredns_ready() {
  [[ "$(kubectl_admin -n kube-system get deployment coredns -o jsonpath='{.status.readyReplicas}' 2>/dev/null)" == 1 ]]
}

node_component_healthy() {
  pid_alive "$(node_pidfile "$1")" || return 1
  case "$1" in
    apiserver-forward) forward_healthy ;;
    containerd) containerd_healthy ;;
    kubelet) kubelet_healthy ;;
    kube-proxy) kube_proxy_healthy ;;
  esac
}

node_all_healthy() {
  local c
  node_network_ready || return 1
  for c in "${NODE_COMPONENTS[@]}"; do node_component_healthy "$c" >/dev/null 2>&1 || return 1; done
  node_ready && coredns_ready
}

# node_up: after the control plane is up (and its API server advertises NODE_HOST_IP).
node_up() {
  if node_all_healthy; then
    info "node $NODE_NAME already up"
    return 0
  fi
  local start=$SECONDS
  node_network_up
  node_config
  node_cgroups_up
  node_save_sysctls

  # The node reaches the API server through this forwarder only.
  node_start apiserver-forward --host socat \
    "TCP-LISTEN:$APISERVER_PORT,bind=$NODE_HOST_IP,reuseaddr,fork" "TCP:127.0.0.1:$APISERVER_PORT"
  node_await apiserver-forward "the API server forwarder on $NODE_HOST_IP:$APISERVER_PORT" forward_healthy

  node_start containerd containerd --config "$CONTAINERD_DIR/config.toml"
  node_await containerd "containerd on $CONTAINERD_SOCKET" containerd_healthy
  local pause_archive coredns_archive
  pause_archive="$(node_image pause)"
  coredns_archive="$(node_image coredns)"
  node_load_image "$pause_archive" "$coredns_archive"

  node_start kubelet "$BIN_DIR/kubelet" \
    --config "$NODE_DIR/kubelet.yaml" \
    --kubeconfig "$NODE_DIR/kubelet.kubeconfig" \
    --root-dir "$KUBELET_DIR" \
    --hostname-override "$NODE_NAME" \
    --node-ip "$NODE_IP" \
    --v 1
  node_await kubelet "kubelet /healthz" kubelet_healthy

  node_start kube-proxy "$BIN_DIR/kube-proxy" --config "$NODE_DIR/kube-proxy.yaml" --v 1
  node_await kube-proxy "kube-proxy /healthz" kube_proxy_healthy
  node_await kubelet "node $NODE_NAME Ready" node_ready

  local manifest="$NODE_DIR/coredns.yaml"
  render "$NODE_TEMPLATES/coredns.yaml.in" "$manifest" \
    "COREDNS_IMAGE=$(node_image_ref coredns)" "DNS_IP=$DNS_IP"
  kubectl_admin apply -f "$manifest" >&2
  node_await kubelet "CoreDNS Ready" coredns_ready
  info "node $NODE_NAME up in $((SECONDS - start)) s: pods $POD_CIDR, services $SERVICE_CIDR, DNS $DNS_IP"
}

# --- teardown --------------------------------------------------------------

# kill_cgroup_tree: SIGKILL to every process in this node's cgroups (the pods).
kill_cgroup_tree() {
  local procs pid n=0
  procs="$(find /sys/fs/cgroup/pids"$CGROUP_ROOT" /sys/fs/cgroup/memory"$CGROUP_ROOT" \
    -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)" || true
  for pid in $procs; do kill -KILL "$pid" 2>/dev/null && n=$((n + 1)); done
  ((n == 0)) || info "killed $n pod processes"
}

node_cgroups_down() {
  local h d
  for h in /sys/fs/cgroup/*/; do
    h="${h%/}"
    [[ -d "$h$CGROUP_ROOT" ]] || continue
    # Deepest first; a cgroup goes once its last process is reaped.
    while IFS= read -r d; do
      local tries=0
      until rmdir "$d" 2>/dev/null || [[ ! -d "$d" ]]; do
        ((++tries < 50)) || { warn "cannot remove cgroup $d"; break; }
        sleep 0.1
      done
    done < <(find "$h$CGROUP_ROOT" -depth -type d)
  done
}

# Our processes whose pid files were lost: node binaries started for this instance.
node_strays() {
  local p exe cmd
  for p in /proc/[0-9]*; do
    exe="$(readlink "$p/exe" 2>/dev/null)" || continue
    exe="${exe% (deleted)}"
    cmd="$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" || continue
    case "$exe" in
      "$BIN_DIR"/kubelet | "$BIN_DIR"/kube-proxy | */containerd | */containerd-shim-runc-v2)
        [[ "$cmd" == *"$NODE_DIR/"* ]] && echo "${p#/proc/}" ;;
      */socat)
        [[ "$cmd" == *"bind=$NODE_HOST_IP,"* ]] && echo "${p#/proc/}" ;;
    esac
  done
  return 0
}

# Mount points under DIR, deepest first.
mounts_under() {
  awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

node_unmount_all() {
  local m
  for m in $(mounts_under "$NODE_DIR"); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || warn "cannot unmount $m"
  done
}

node_restore_shared() {
  node_others_running && return 0
  [[ -d "$NODE_SHARED" ]] || return 0
  local kv d
  if [[ -f "$NODE_SHARED/sysctls" ]]; then
    while IFS= read -r kv; do
      [[ "$(sysctl -n "${kv%%=*}")" == "${kv#*=}" ]] || sysctl -qw "$kv" || warn "cannot restore $kv"
    done <"$NODE_SHARED/sysctls"
  fi
  if [[ -f "$NODE_SHARED/created-dirs" ]]; then
    while IFS= read -r d; do
      [[ -d "$d" ]] || continue
      case "$d" in
        /run/netns)
          # iproute2 made it a shared bind mount of itself.
          if [[ -z "$(ls -A "$d")" ]]; then
            while mountpoint -q "$d"; do umount "$d" || break; done
          fi
          ;;
        /var/lib/cni) rmdir /var/lib/cni/results 2>/dev/null || true ;;
        /var/lib/kubelet)
          # Only what the kubelets made there (their device plugin socket and checkpoint).
          rm -f /var/lib/kubelet/device-plugins/kubelet.sock \
            /var/lib/kubelet/device-plugins/kubelet_internal_checkpoint
          rmdir /var/lib/kubelet/device-plugins 2>/dev/null || true
          ;;
      esac
      rmdir "$d" 2>/dev/null || warn "$d is not empty; left in place"
    done < <(sort -r "$NODE_SHARED/created-dirs")
  fi
  rm -rf "$NODE_SHARED"
}

node_down() {
  local pid c i
  [[ -d "$NODE_DIR" || -e "/run/netns/$NODE_NETNS" ]] || [[ -n "$(node_strays)" ]] || return 0
  info "stopping node $NODE_NAME"
  # The kubelet first, so it restarts nothing; then every pod process, by cgroup.
  stop_pid "$(node_pidfile kube-proxy)" 10
  stop_pid "$(node_pidfile kubelet)" 20
  kill_cgroup_tree
  # Let containerd reap its tasks so each shim unmounts its rootfs and exits cleanly.
  if pid_alive "$(node_pidfile containerd)"; then
    local ids
    ids="$(ctr_node tasks list -q 2>/dev/null)" || ids=""
    for i in $ids; do
      timeout 10 ctr_node tasks delete --force "$i" >/dev/null 2>&1 || true
    done
  fi
  stop_pid "$(node_pidfile containerd)" 20
  stop_pid "$(node_pidfile apiserver-forward)" 10
  for pid in $(node_strays); do
    warn "stopping stray node process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-120))"
    echo "$pid" >"$CLUSTER_DIR/stray.pid"
    stop_pid "$CLUSTER_DIR/stray.pid" 10
  done
  kill_cgroup_tree
  node_unmount_all
  if [[ -e "/run/netns/$NODE_NETNS" && -e "$NODE_DIR/network" ]]; then
    # Takes the veth pair, the pod bridge, the routes over the link and every rule
    # kube-proxy and the CNI plugins wrote with it.
    ip netns del "$NODE_NETNS" || warn "cannot delete network namespace $NODE_NETNS"
  fi
  ip link del "$NODE_LINK" 2>/dev/null || true
  node_cgroups_down
  # libcni's cache entries for this instance's sandboxes (pod network and loopback).
  local f id
  for f in /var/lib/cni/results/"$CNI_NETWORK"-*; do
    [[ -e "$f" ]] || continue
    id="${f#/var/lib/cni/results/"$CNI_NETWORK"-}"
    rm -f "$f" "/var/lib/cni/results/cni-loopback-${id%-*}-lo"
  done
  # The kubelet's links to pod logs that lived in this instance.
  if [[ -d /var/log/containers ]]; then
    find /var/log/containers -maxdepth 1 -type l -lname "$NODE_DIR/*" -delete 2>/dev/null || true
  fi
  node_restore_shared
  local left; left="$(mounts_under "$NODE_DIR")"
  [[ -z "$left" ]] || die "mounts left under $NODE_DIR, not removing it: $left"
  rm -rf --one-file-system "$NODE_DIR"
  info "node $NODE_NAME down"
}

node_status() {
  local c state ok=0
  [[ -d "$NODE_DIR" ]] || return 0
  for c in "${NODE_COMPONENTS[@]}"; do
    status_line "$c" "$(node_pidfile "$c")" node_component_healthy "$c" || ok=1
  done
  if node_ready >/dev/null 2>&1; then state="Ready"; else state="NOT Ready"; ok=1; fi
  printf '%-24s %s\n' "node $NODE_NAME" "$state ($NODE_IP, pods $POD_CIDR, services $SERVICE_CIDR)"
  if coredns_ready >/dev/null 2>&1; then state="Ready ($DNS_IP)"; else state="NOT Ready"; ok=1; fi
  printf '%-24s %s\n' coredns "$state"
  printf '%-24s %s\n' containerd-socket "$CONTAINERD_SOCKET"
  printf '%-24s %s\n' machine-address "$NODE_HOST_IP (this machine, as pods reach it)"
  return "$ok"
}
