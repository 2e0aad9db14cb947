#!/usr/bin/env bash
# Rebuild the RPM fixtures in fixtures/rpm/ from the specs in fixtures/specs/ with the real rpmbuild.
#
#   scripts/make-fixtures.sh           build and replace fixtures/rpm/*.rpm
#   scripts/make-fixtures.sh --check   build into a temporary directory and compare with the
#                                      committed files (byte-identical only with the same rpmbuild)
#
# The build is deterministic: SOURCE_DATE_EPOCH is the build time and clamps file mtimes, the
# build host is fixed, TZ/locale are fixed and HOME is a throw-away directory so no ~/.rpmmacros
# can leak in. A spec may carry a line "# fixture-build: -bb" to build only the binary package
# (the default is -ba: binary and source).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
specs="$here/fixtures/specs"
dest="$here/fixtures/rpm"
check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

command -v rpmbuild >/dev/null || { echo "make-fixtures: rpmbuild not found (apt-get install rpm / dnf install rpm-build)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/repokit-fixtures.XXXXXX")
trap 'rm -rf "$work"' EXIT
out="$work/out"
mkdir -p "$out" "$work/home"

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

if [ "$check" = 1 ]; then
  status=0
  for f in "$out"/*.rpm; do
    b=$(basename "$f")
    if ! cmp -s "$f" "$dest/$b"; then echo "differs: fixtures/rpm/$b"; status=1; fi
  done
  for f in "$dest"/*.rpm; do
    [ -e "$out/$(basename "$f")" ] || { echo "not produced by the specs: fixtures/rpm/$(basename "$f")"; status=1; }
  done
  [ "$status" = 0 ] && echo "fixtures/rpm matches a fresh build ($(rpmbuild --version))"
  exit "$status"
fi

mkdir -p "$dest"
rm -f "$dest"/*.rpm
cp "$out"/*.rpm "$dest"/
echo "built with $(rpmbuild --version):"
(cd "$dest" && for f in *.rpm; do printf '  %-32s %6d bytes  sha256 %s\n' "$f" "$(wc -c <"$f")" "$(sha256sum "$f" | cut -d' ' -f1)"; done)
