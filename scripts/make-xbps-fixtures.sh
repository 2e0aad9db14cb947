#!/usr/bin/env bash
# Build the XBPS fixture packages from fixtures/xbps/templates/<name> into OUTDIR (called by
# scripts/make-fixtures.sh, which compares or installs the result).
#
#   scripts/make-xbps-fixtures.sh OUTDIR
#
# xbps-create is not packaged outside Void Linux, so the packages are written by
# scripts/xbps-pack.sh, which lays them out as xbps-create 0.60 does with the real bsdtar and zstd
# (test/fixtures.test.ts rebuilds packages made by xbps-create 0.60.7 with it, byte for byte).
# A template sets pkgver, archs, short_desc and optional fields named after xbps-create's
# options, and a do_install function that fills $DESTDIR. Every file's mtime is
# SOURCE_DATE_EPOCH (1700000000); owners are root; the result is byte-identical on every run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
outdir=$(cd "$1" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/repokit-xbps-fixtures.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=1700000000
umask 022

for template in "$here"/fixtures/xbps/templates/*; do
  name=$(basename "$template")
  (
    pkgver= archs= short_desc= long_desc= homepage= license= maintainer= run_depends= conflicts=
    provides= replaces= conf_files= shlib_provides= shlib_requires= tags= changelog=
    # shellcheck source=/dev/null
    . "$template"
    DESTDIR="$work/destdir-$name"
    mkdir -p "$DESTDIR"
    do_install
    find "$DESTDIR" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    args=(-A "$archs" -n "$pkgver" -s "$short_desc")
    for opt in "-S:$long_desc" "-H:$homepage" "-l:$license" "-m:$maintainer" "-D:$run_depends" \
        "-C:$conflicts" "-P:$provides" "-R:$replaces" "-F:$conf_files" "-t:$tags" "-c:$changelog" \
        "--shlib-provides:$shlib_provides" "--shlib-requires:$shlib_requires"; do
      [ -n "${opt#*:}" ] && args+=("${opt%%:*}" "${opt#*:}")
    done
    cd "$outdir" && "$here/scripts/xbps-pack.sh" "${args[@]}" "$DESTDIR"
  ) || { echo "make-xbps-fixtures: fixtures/xbps/templates/$name failed" >&2; exit 1; }
done
