#!/usr/bin/env bash
# Rebuild the fixture packages with real tools:
#   fixtures/rpm/   from fixtures/specs/*.spec with rpmbuild (this script)
#   fixtures/alpm/  from fixtures/pkgbuilds/*/PKGBUILD with makepkg (scripts/make-alpm-fixtures.sh)
#   fixtures/xbps/  from fixtures/xbps/templates/* with bsdtar and zstd, laid out as xbps-create
#                   does (scripts/make-xbps-fixtures.sh, scripts/xbps-pack.sh)
#
#   scripts/make-fixtures.sh [KIND...]          build and replace the fixtures of each KIND
#                                               (rpm, alpm, xbps; default: all three)
#   scripts/make-fixtures.sh --check [KIND...]  build into a temporary directory and compare with
#                                               the committed files (byte-identical only with the
#                                               same tool versions)
#
# Every build is deterministic: SOURCE_DATE_EPOCH=1700000000 is the build time and clamps file
# mtimes, TZ/locale are fixed and HOME is a throw-away directory. RPM: the build host is fixed, and
# a spec may carry a line "# fixture-build: -bb" to build only the binary package (the default is
# -ba: binary and source). fixtures/README.md says what each package contains.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
specs="$here/fixtures/specs"
check=0
kinds=()
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    rpm|alpm|xbps) kinds+=("$arg") ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--check] [rpm|alpm|xbps ...]" >&2; exit 2 ;;
  esac
done
[ ${#kinds[@]} -gt 0 ] || kinds=(rpm alpm xbps)

work=$(mktemp -d "${TMPDIR:-/tmp}/repokit-fixtures.XXXXXX")
trap 'rm -rf "$work"' EXIT

build_rpm() (
  out=$1
  command -v rpmbuild >/dev/null || { echo "make-fixtures: rpmbuild not found (apt-get install rpm / dnf install rpm-build)" >&2; exit 1; }
  mkdir -p "$work/home"
  export HOME="$work/home" SOURCE_DATE_EPOCH=1700000000 TZ=UTC LC_ALL=C LANG=C
  unset LANGUAGE RPM_CONFIGDIR || true
  for spec in "$specs"/*.spec; do
    name=$(basename "$spec" .spec)
    mode=$(sed -n 's/^# fixture-build: *\(-b[ab]\) *$/\1/p' "$spec")
    top="$work/top-$name"
    mkdir -p "$top"/{BUILD,BUILDROOT,RPMS,SOURCES,SPECS,SRPMS,tmp}
    if ! rpmbuild "${mode:--ba}" --nodeps --quiet \
        --define "_topdir $top" \
        --define "_rpmdir $out" \
        --define "_srcrpmdir $out" \
        --define "_tmppath $top/tmp" \
        --define '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm' \
        --define '_buildhost fixtures.repokit.invalid' \
        --define 'use_source_date_epoch_as_buildtime 1' \
        --define 'clamp_mtime_to_source_date_epoch 1' \
        --define 'source_date_epoch_from_changelog 0' \
        --define '_binary_filedigest_algorithm 8' \
        --define '_source_filedigest_algorithm 8' \
        --define '__os_install_post %{nil}' \
        --define 'debug_package %{nil}' \
        "$spec" >"$work/$name.log" 2>&1; then
      cat "$work/$name.log" >&2
      echo "make-fixtures: rpmbuild failed for $spec" >&2
      exit 1
    fi
  done
)

build() {
  case "$1" in
    rpm) build_rpm "$2" ;;
    alpm) "$here/scripts/make-alpm-fixtures.sh" "$2" ;;
    xbps) "$here/scripts/make-xbps-fixtures.sh" "$2" ;;
  esac
}
pattern() { case "$1" in rpm) echo '*.rpm' ;; alpm) echo '*.pkg.tar*' ;; xbps) echo '*.xbps' ;; esac; }
versions() {
  case "$1" in
    rpm) rpmbuild --version ;;
    alpm) echo "$(makepkg --version | head -1), $(fakeroot -v), $(bsdtar --version | cut -d' ' -f1-4), $(zstd --version | sed -n 's/.*\(v[0-9.]*\).*/zstd \1/p'), $(xz --version | head -1)" ;;
    xbps) echo "$(bsdtar --version | cut -d' ' -f1-4), $(zstd --version | sed -n 's/.*\(v[0-9.]*\).*/zstd \1/p')" ;;
  esac
}

status=0
for kind in "${kinds[@]}"; do
  out="$work/out-$kind"
  dest="$here/fixtures/$kind"
  mkdir -p "$out"
  build "$kind" "$out"
  pat=$(pattern "$kind")
  if [ "$check" = 1 ]; then
    ok=1
    for f in "$out"/$pat; do
      b=$(basename "$f")
      if ! cmp -s "$f" "$dest/$b"; then echo "differs: fixtures/$kind/$b"; ok=0; fi
    done
    for f in "$dest"/$pat; do
      [ -e "$f" ] || continue
      [ -e "$out/$(basename "$f")" ] || { echo "not produced by the sources: fixtures/$kind/$(basename "$f")"; ok=0; }
    done
    if [ "$ok" = 1 ]; then echo "fixtures/$kind matches a fresh build ($(versions "$kind"))"; else status=1; fi
    continue
  fi
  mkdir -p "$dest"
  for f in "$dest"/$pat; do rm -f "$f"; done
  cp "$out"/$pat "$dest"/
  echo "fixtures/$kind, built with $(versions "$kind"):"
  (cd "$dest" && for f in $pat; do printf '  %-36s %6d bytes  sha256 %s\n' "$f" "$(wc -c <"$f")" "$(sha256sum "$f" | cut -d' ' -f1)"; done)
done
exit "$status"
