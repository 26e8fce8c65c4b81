#!/usr/bin/env bash
# Provides the sample videos that tests and benchmarks use, checked by sha256, in a cache folder,
# and prints that folder on stdout. Videos are not committed to the repository.
#
#   usage: scripts/test-videos.sh            (cache: $PANOPTES_CACHE_DIR/videos,
#                                             default ${XDG_CACHE_HOME:-~/.cache}/panoptes/videos)
#
# Sources, in order: the cache itself; ../shared/testdata/videos next to this repository (when
# present); Debian 12's opencv-doc package (apt-get download, about 96 MB, then dpkg-deb -x).
# A second run does nothing. Exits non-zero with a message naming the file and cause on failure.
set -euo pipefail

DEB_PKG="opencv-doc"
DEB_VER="4.6.0+dfsg-12"
DEB_DIR="usr/share/doc/opencv-doc/examples/data"
declare -A SHA256=(
  [Megamind.avi]=0057387cb7e75c8fd1663b62cfdc51fa53f527795d0fe3c1fea2fd159d3130b5
  [vtest.avi]=45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf
)

die() { echo "test-videos: ERROR: $*" >&2; exit 1; }
log() { echo "test-videos: $*" >&2; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SHARED="${PANOPTES_SHARED_TESTDATA:-$HERE/../../shared/testdata}/videos"
CACHE="${PANOPTES_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/panoptes}/videos"
mkdir -p "$CACHE" || die "cannot create the cache folder $CACHE"

ok() { [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "${SHA256[$(basename "$1")]}" ]]; }

install_file() {  # $1 = source file, $2 = name
  cp -f "$1" "$CACHE/$2.tmp.$$" && chmod 644 "$CACHE/$2.tmp.$$" && mv -f "$CACHE/$2.tmp.$$" "$CACHE/$2" || die "cannot copy $1 to $CACHE"
  ok "$CACHE/$2" || die "sha256 mismatch for $2 taken from $1 (want ${SHA256[$2]})"
  log "ok  $2 (from $1)"
}

missing=()
for name in "${!SHA256[@]}"; do
  if ok "$CACHE/$name"; then continue; fi
  if ok "$SHARED/$name"; then install_file "$SHARED/$name" "$name"; else missing+=("$name"); fi
done

if ((${#missing[@]})); then
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
    || die "${missing[*]} not cached and apt-get/dpkg-deb are missing: needs a Debian-based system, or copy the files into $CACHE"
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/panoptes-videos.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  log "downloading $DEB_PKG=$DEB_VER (about 96 MB) for ${missing[*]}"
  if ! ( cd "$WORK" && apt-get download -q "$DEB_PKG=$DEB_VER" >/dev/null 2>"$WORK/apt.err" ); then
    [[ "$(id -u)" == 0 ]] || die "apt-get download $DEB_PKG=$DEB_VER failed: $(tail -2 "$WORK/apt.err") (try 'sudo apt-get update' first)"
    log "apt-get download failed; running apt-get update once and retrying"
    apt-get update -q >/dev/null 2>&1 || log "apt-get update reported errors"
    ( cd "$WORK" && apt-get download -q "$DEB_PKG=$DEB_VER" >/dev/null 2>"$WORK/apt.err" ) \
      || die "apt-get download $DEB_PKG=$DEB_VER failed: $(tail -2 "$WORK/apt.err") (needs Debian 12 'bookworm' main in apt sources)"
  fi
  deb="$(ls "$WORK"/${DEB_PKG}_*.deb 2>/dev/null | head -1)"
  [[ -n "$deb" ]] || die "apt-get download produced no .deb"
  dpkg-deb -x "$deb" "$WORK/deb" || die "cannot extract $deb"
  for name in "${missing[@]}"; do
    [[ -f "$WORK/deb/$DEB_DIR/$name" ]] || die "$name is not in $deb"
    install_file "$WORK/deb/$DEB_DIR/$name" "$name"
  done
fi

echo "$CACHE"
