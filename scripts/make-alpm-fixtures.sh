#!/usr/bin/env bash
# Build the pacman fixture packages with the real makepkg, from fixtures/pkgbuilds/<name>/PKGBUILD,
# into OUTDIR (called by scripts/make-fixtures.sh, which compares or installs the result).
#
#   scripts/make-alpm-fixtures.sh OUTDIR
#
# Deterministic: the configuration is fixtures/pkgbuilds/makepkg.conf (--config, so the system's
# /etc/makepkg.conf does not apply), SOURCE_DATE_EPOCH is the build date and clamps mtimes,
# PACKAGER is fixed, HOME is empty, and the build happens under one fixed path,
# /tmp/repokit-fixtures-alpm, because .BUILDINFO records builddir and startdir. A PKGBUILD line
# "# fixture-pkgext: .pkg.tar.xz" picks its compression (default .pkg.tar.zst).
#
# makepkg refuses to run as root: as root the build runs as the system user repokit-makepkg
# (created with useradd when missing, as test/helpers/makepkg.ts does); otherwise as the caller.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src="$here/fixtures/pkgbuilds"
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
outdir=$(cd "$1" && pwd)
for t in makepkg fakeroot bsdtar; do
  command -v "$t" >/dev/null || { echo "make-alpm-fixtures: $t not found (makepkg and fakeroot come with pacman)" >&2; exit 1; }
done

base=/tmp/repokit-fixtures-alpm
build_user=repokit-makepkg
mkdir "$base" 2>/dev/null || {
  echo "make-alpm-fixtures: $base exists: another build is running (or remove it if one crashed)" >&2
  exit 1
}
trap 'rm -rf "$base"' EXIT
mkdir -p "$base/home" "$base/out"
cp "$src/makepkg.conf" "$base/makepkg.conf"
for dir in "$src"/*/; do
  name=$(basename "$dir")
  cp -r "$dir" "$base/$name"
done

as_builder=()
if [ "$(id -u)" = 0 ]; then
  if ! id -u "$build_user" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /bin/false "$build_user" 2>/dev/null || id -u "$build_user" >/dev/null
  fi
  chown -R "$build_user:$(id -gn "$build_user")" "$base"
  as_builder=(setpriv --reuid="$build_user" --regid="$(id -g "$build_user")" --init-groups --)
fi

for dir in "$base"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/PKGBUILD" ] || continue
  pkgext=$(sed -n 's/^# fixture-pkgext: *\(\.pkg\.tar[.a-z0-9]*\) *$/\1/p' "$dir/PKGBUILD")
  if ! (cd "$dir" && "${as_builder[@]}" env -i \
      PATH="$PATH" HOME="$base/home" TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 \
      SOURCE_DATE_EPOCH=1700000000 PACKAGER='Repokit Fixtures <fixtures@repokit.invalid>' \
      PKGEXT="${pkgext:-.pkg.tar.zst}" PKGDEST="$base/out" BUILDDIR="$base/build" SRCDEST="$base/src-$name" \
      makepkg --config "$base/makepkg.conf" -f -d --nocheck --noconfirm --skipinteg --nocolor \
      >"$base/$name.log" 2>&1); then
    cat "$base/$name.log" >&2
    echo "make-alpm-fixtures: makepkg failed for fixtures/pkgbuilds/$name" >&2
    exit 1
  fi
done
cp "$base"/out/*.pkg.tar* "$outdir"/
