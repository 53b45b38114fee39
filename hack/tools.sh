#!/usr/bin/env bash
# Builds the pinned local tools from source into the cache.
#
#   hack/tools.sh build [tool...]   build what is missing or stale (default: DEFAULT_TOOLS below)
#   hack/tools.sh path <tool>       print the binary path, building it first if needed
#   hack/tools.sh list              print the known tool names
#
# Versions live in the wrapper modules under hack/tools/<family>/go.mod; a
# binary is rebuilt when its stamp (version + hash of the wrapper's files +
# Go version + build flags) no longer matches.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Let failures inside $(...) stop the script too.
shopt -s inherit_errexit

TOOLS_DIR="$REPO_ROOT/hack/tools"
STAMP_DIR="$BIN_DIR/.stamps"
DEFAULT_TOOLS=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl helm kind)
# The node's tools (hack/cluster.sh with CLUSTER_NODE=1) are built on demand.
ALL_TOOLS=("${DEFAULT_TOOLS[@]}" etcdctl kubelet kube-proxy coredns pause)
# Path-free builds (reproducible, no local paths in stack traces).
GO_BUILD_FLAGS=(-trimpath)

# Always the local toolchain, static binaries, and exactly the committed go.sum.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off GOFLAGS=-mod=readonly
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
[[ -x "$GO" ]] || die "go not found (need Go >= 1.26 on PATH, in /usr/local/go, or named by \$GO)"

family_of() {
  case "$1" in
    etcd | etcdctl) echo etcd ;;
    kube-apiserver | kube-controller-manager | kube-scheduler | kubectl | kubelet | kube-proxy) echo kubernetes ;;
    helm) echo helm ;;
    kind) echo kind ;;
    coredns) echo coredns ;;
    pause) echo pause ;;
    *) die "unknown tool '$1' (known: ${ALL_TOOLS[*]})" ;;
  esac
}

# Go package to build for a tool; binary names follow the package path.
package_of() {
  case "$1" in
    etcd) echo . ;;
    etcdctl) echo go.etcd.io/etcd/etcdctl/v3 ;;
    helm) echo helm.sh/helm/v4/cmd/helm ;;
    kind) echo sigs.k8s.io/kind ;;
    coredns | pause) echo . ;; # the wrapper's own main package
    *) echo "k8s.io/kubernetes/cmd/$1" ;;
  esac
}

# The module whose version names the family's release.
main_module_of() {
  case "$1" in
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    kubernetes) echo k8s.io/kubernetes ;;
    helm) echo helm.sh/helm/v4 ;;
    kind) echo sigs.k8s.io/kind ;;
    coredns) echo github.com/coredns/coredns ;;
  esac
}

# Version of MODULE as required by the wrapper go.mod (block or single-line form).
module_version() {
  local family="$1" mod; mod="$(main_module_of "$1")"
  # pause is the project's own code: its version is the constant in its source.
  if [[ "$family" == pause ]]; then
    sed -n 's/^const version = "\(.*\)"$/v\1/p' "$TOOLS_DIR/pause/main.go"
    return
  fi
  awk -v m="$mod" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' \
    "$TOOLS_DIR/$family/go.mod"
}

stamp_of() {
  local family="$1"
  {
    echo "version=$(module_version "$family")"
    "$GO" version
    # The flag recipes themselves (declare -f drops comments), so changing them rebuilds.
    declare -f ldflags_of package_of
    echo "${GO_BUILD_FLAGS[*]}"
    local files=("$TOOLS_DIR/$family"/go.{mod,sum}) src
    for src in "$TOOLS_DIR/$family"/*.go; do
      if [[ -f "$src" ]]; then files+=("$src"); fi
    done
    cat "${files[@]}" | sha256sum
  } | sha256sum | cut -d' ' -f1
}

is_fresh() {
  local tool="$1" stamp="$2"
  [[ -x "$BIN_DIR/$tool" && -f "$STAMP_DIR/$tool" && "$(cat "$STAMP_DIR/$tool")" == "$stamp" ]]
}

# Linker flags that make each tool report its release instead of a dev version.
ldflags_of() {
  local family="$1" version; version="$(module_version "$family")"
  local flags="-s -w"
  case "$family" in
    kubernetes)
      # Release time of the tag rather than now: reproducible and stable across rebuilds.
      local date major minor rest
      date="$(cd "$TOOLS_DIR/kubernetes" && "$GO" list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)"
      IFS=. read -r major minor rest <<<"${version#v}"
      local pkg
      for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        flags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
        flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
        # The module proxy does not tell us the commit; empty beats the "$Format:%H$" placeholder.
        flags+=" -X $pkg.gitCommit="
      done
      ;;
    helm)
      flags+=" -X helm.sh/helm/v4/internal/version.version=$version"
      flags+=" -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
      ;;
    etcd)
      # The version itself is a constant; the SHA would otherwise read "Not provided".
      flags+=" -X go.etcd.io/etcd/api/v3/version.GitSHA=$version"
      ;;
    kind) ;; # version is a constant and the prerelease suffix is empty in releases
    coredns)
      # The module proxy does not tell us the commit; the tag names the source exactly.
      flags+=" -X github.com/coredns/coredns/coremain.GitCommit=$version"
      ;;
    pause) ;;
  esac
  echo "$flags"
}

# build_family FAMILY TOOL...: one go build for all stale tools of a family, so
# the (large) shared dependency graph is compiled once.
build_family() {
  local family="$1"; shift
  local version stamp tool
  version="$(module_version "$family")"
  [[ -n "$version" ]] || die "cannot read the $family version from hack/tools/$family/go.mod"
  stamp="$(stamp_of "$family")"
  local stale=() pkgs=()
  for tool in "$@"; do
    if is_fresh "$tool" "$stamp"; then
      info "$tool $version is up to date"
    else
      stale+=("$tool"); pkgs+=("$(package_of "$tool")")
    fi
  done
  ((${#stale[@]})) || return 0

  info "building ${stale[*]} ($family $version)"
  local out ldflags start=$SECONDS
  ldflags="$(ldflags_of "$family")"
  out="$(mktemp -d "$CACHE_DIR/build.XXXXXX")"
  # Build into a scratch dir and move into place, so an interrupted build never
  # leaves a half-written binary that looks usable.
  if ! (cd "$TOOLS_DIR/$family" && "$GO" build "${GO_BUILD_FLAGS[@]}" -ldflags "$ldflags" -o "$out/" "${pkgs[@]}") >&2; then
    rm -rf "$out"
    die "go build failed for ${stale[*]}"
  fi
  mkdir -p "$STAMP_DIR"
  for tool in "${stale[@]}"; do
    [[ -x "$out/$tool" ]] || { rm -rf "$out"; die "go build produced no $tool binary"; }
    mv -f "$out/$tool" "$BIN_DIR/$tool"
    echo "$stamp" >"$STAMP_DIR/$tool"
  done
  rm -rf "$out"
  info "built ${stale[*]} ($family $version) in $((SECONDS - start)) s"
}

build() {
  local tools=("$@") tool family
  ((${#tools[@]})) || tools=("${DEFAULT_TOOLS[@]}")
  for tool in "${tools[@]}"; do family_of "$tool" >/dev/null; done
  # One builder at a time: parallel builds would just fight over 2 cores and the cache.
  exec 9>"$CACHE_DIR/tools.lock"
  flock 9
  for family in etcd kubernetes helm kind coredns pause; do
    local members=()
    for tool in "${tools[@]}"; do
      if [[ "$(family_of "$tool")" == "$family" ]]; then members+=("$tool"); fi
    done
    if ((${#members[@]})); then build_family "$family" "${members[@]}"; fi
  done
  exec 9>&-
}

case "${1:-}" in
  build) shift; build "$@" ;;
  path)
    [[ $# -eq 2 ]] || die "usage: $0 path <tool>"
    family_of "$2" >/dev/null
    build "$2"
    echo "$BIN_DIR/$2"
    ;;
  list) printf '%s\n' "${ALL_TOOLS[@]}" ;;
  *) die "usage: $0 build [tool...] | path <tool> | list" ;;
esac
