#!/usr/bin/env bash
# Make an XBPS binary package (.xbps) from a destdir, laid out byte for byte as xbps-create 0.60
# does, with the real bsdtar (libarchive, the library xbps-create itself writes with) and zstd.
# xbps-create cannot be installed everywhere; this covers the subset of its options the fixtures
# need. Output: <pkgver>.<arch>.xbps in the current directory (as xbps-create).
#
#   scripts/xbps-pack.sh -A ARCH -n PKGVER -s SHORT_DESC [options] DESTDIR
#
# Options (same letters and meaning as xbps-create; lists are space-separated):
#   -A arch   -n pkgver   -s short_desc   -S long_desc   -H homepage   -l license   -m maintainer
#   -D run_depends   -C conflicts   -P provides   -R replaces   -F conf_files   -t tags
#   -c changelog   --shlib-provides LIST   --shlib-requires LIST   --sourcepkg NAME
#
# What it reproduces (see docs in fixtures/README.md; checked byte for byte against packages made
# by xbps-create 0.60.7 in test/fixtures.test.ts):
# - members: ./INSTALL, ./REMOVE (if present), ./props.plist, ./files.plist (mode 0644, root:root,
#   mtime 0), then the payload in reverse depth-first order (each directory's entries sorted
#   bytewise), regular files and symlinks only (directories live in files.plist), uid/gid 0 root,
#   with the files' own modes and mtimes;
# - tar: libarchive's pax_restricted format ("paxr") in 512-byte records (no padding to 10240);
# - compression: zstd level 9 without a checksum, streamed (no content size), as libarchive does;
# - plists in proplib's XML: tab indentation, keys sorted bytewise, only & < > escaped.
# Not supported: hardlinks, -M (mutable files), --alternatives, -r/--reverts, -p, -B, INSTALL.msg.
set -euo pipefail
export LC_ALL=C
# bash 5.2 makes & in a ${var//pattern/replacement} stand for the match; the escaping below wants it literal.
shopt -u patsub_replacement 2>/dev/null || true

die() { echo "xbps-pack: $*" >&2; exit 2; }

arch= pkgver= short_desc= long_desc= homepage= license= maintainer= changelog= sourcepkg= tags=
run_depends= conflicts= provides= replaces= conf_files= shlib_provides= shlib_requires=
while [ $# -gt 0 ]; do
  case "$1" in
    -A) arch=$2; shift 2 ;;
    -n) pkgver=$2; shift 2 ;;
    -s) short_desc=$2; shift 2 ;;
    -S) long_desc=$2; shift 2 ;;
    -H) homepage=$2; shift 2 ;;
    -l) license=$2; shift 2 ;;
    -m) maintainer=$2; shift 2 ;;
    -D) run_depends=$2; shift 2 ;;
    -C) conflicts=$2; shift 2 ;;
    -P) provides=$2; shift 2 ;;
    -R) replaces=$2; shift 2 ;;
    -F) conf_files=$2; shift 2 ;;
    -t) tags=$2; shift 2 ;;
    -c) changelog=$2; shift 2 ;;
    --shlib-provides) shlib_provides=$2; shift 2 ;;
    --shlib-requires) shlib_requires=$2; shift 2 ;;
    --sourcepkg) sourcepkg=$2; shift 2 ;;
    -q) shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unsupported option $1" ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || die "usage: $0 -A ARCH -n PKGVER -s SHORT_DESC [options] DESTDIR"
destdir=$(cd "$1" && pwd)
[ -n "$arch" ] && [ -n "$pkgver" ] && [ -n "$short_desc" ] || die "-A, -n and -s are required"
# pkgver = name-version_revision: the name is everything before the last '-'.
[[ "$pkgver" =~ ^(.+)-([^-]+_[0-9]+)$ ]] || die "pkgver $pkgver is not name-version_revision"
pkgname=${BASH_REMATCH[1]}
version=${BASH_REMATCH[2]}
for tool in bsdtar zstd sha256sum; do command -v "$tool" >/dev/null || die "$tool not found"; done

# proplib escapes exactly these three characters.
esc() { local s=${1//&/&amp;}; s=${s//</&lt;}; printf '%s' "${s//>/&gt;}"; }
tabs() { printf '%*s' "$1" '' | tr ' ' '\t'; }
# A string or an array of strings (from a space-separated list) at depth $1, after its <key>.
p_string() { printf '%s<string>%s</string>\n' "$(tabs "$1")" "$(esc "$2")"; }
p_int() { printf '%s<integer>%s</integer>\n' "$(tabs "$1")" "$2"; }
p_key() { printf '%s<key>%s</key>\n' "$(tabs "$1")" "$(esc "$2")"; }
p_array() {
  local d=$1 x; shift
  printf '%s<array>\n' "$(tabs "$d")"
  for x in "$@"; do p_string $((d + 1)) "$x"; done
  printf '%s</array>\n' "$(tabs "$d")"
}
HEADER='<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">'

work=$(mktemp -d "${TMPDIR:-/tmp}/xbps-pack.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- walk the destdir: depth first, each directory's entries in ascending byte order. files.plist
# lists entries in this order, the archive in the reverse one (xbps-create's walk_dir + TAILQ).
ignored=' INSTALL REMOVE INSTALL.msg REMOVE.msg props.plist files.plist flist rdeps shlib-provides shlib-requires '
entries=()
walk() {
  local rel=$1 name
  while IFS= read -r name; do
    [ -z "$rel" ] && [[ "$ignored" == *" $name "* ]] && continue
    entries+=("$rel/$name")
    if [ -d "$destdir$rel/$name" ] && [ ! -L "$destdir$rel/$name" ]; then walk "$rel/$name"; fi
  done < <(find "$destdir$rel" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort)
}
walk ""

declare -A is_conf=()
for f in $conf_files; do is_conf[$f]=1; done
files_xml= conf_xml= links_xml= dirs_xml= installed_size=0
payload=()
for e in "${entries[@]}"; do
  p="$destdir$e"
  if [ -L "$p" ]; then
    target=$(readlink "$p")
    # files.plist stores the target as an absolute, normalised path; the tar keeps the raw value.
    case "$target" in /*) abs=$target ;; *) abs="$(dirname "$e")/$target" ;; esac
    abs=$(realpath -m -s "$abs")
    links_xml+="$(printf '\t\t<dict>\n'; p_key 3 file; p_string 3 "$e"; p_key 3 target; p_string 3 "$abs"; printf '\t\t</dict>')"$'\n'
    payload+=("$e")
  elif [ -d "$p" ]; then
    dirs_xml+="$(printf '\t\t<dict>\n'; p_key 3 file; p_string 3 "$e"; printf '\t\t</dict>')"$'\n'
  elif [ -f "$p" ]; then
    size=$(stat -c %s "$p")
    installed_size=$((installed_size + size))
    item="$(printf '\t\t<dict>\n'; p_key 3 file; p_string 3 "$e"; p_key 3 sha256; p_string 3 "$(sha256sum <"$p" | cut -d' ' -f1)"
            if [ "$size" != 0 ]; then p_key 3 size; p_int 3 "$size"; fi; printf '\t\t</dict>')"$'\n'
    if [ -n "${is_conf[$e]:-}" ]; then conf_xml+=$item; else files_xml+=$item; fi
    payload+=("$e")
  else
    die "$e: only regular files, symlinks and directories are supported"
  fi
done
for f in $conf_files; do [ -f "$destdir$f" ] || die "conf file $f is not a regular file in the destdir"; done

# --- files.plist: the four arrays in key order, each only when non-empty.
{
  printf '%s\n' "$HEADER"
  if [ -z "$conf_xml$dirs_xml$files_xml$links_xml" ]; then
    printf '<dict/>\n'
  else
    printf '<dict>\n'
    for kv in conf_files:conf_xml dirs:dirs_xml files:files_xml links:links_xml; do
      k=${kv%%:*} v=${kv#*:}
      [ -n "${!v}" ] || continue
      p_key 1 "$k"; printf '\t<array>\n%s\t</array>\n' "${!v}"
    done
    printf '</dict>\n'
  fi
  printf '</plist>\n'
} >"$work/files.plist"

# --- props.plist: every key xbps-create writes for the given options, sorted bytewise.
declare -A props=()
list() { local -a a; read -r -a a <<<"$2"; [ ${#a[@]} -gt 0 ] && props[$1]=$(p_array 1 "${a[@]}"); return 0; }
str() { [ -n "$2" ] && props[$1]=$(p_string 1 "$2"); return 0; }
str architecture "$arch"
str changelog "$changelog"
str homepage "$homepage"
props[installed_size]=$(p_int 1 "$installed_size")
str license "$license"
str long_desc "$long_desc"
str maintainer "$maintainer"
str pkgname "$pkgname"
str pkgver "$pkgver"
str short_desc "$short_desc"
str sourcepkg "$sourcepkg"
str tags "$tags"
str version "$version"
list conf_files "$conf_files"
list conflicts "$conflicts"
list provides "$provides"
list replaces "$replaces"
list run_depends "$run_depends"
list shlib-provides "$shlib_provides"
list shlib-requires "$shlib_requires"
{
  printf '%s\n<dict>\n' "$HEADER"
  while IFS= read -r k; do p_key 1 "$k"; printf '%s\n' "${props[$k]}"; done < <(printf '%s\n' "${!props[@]}" | sort)
  printf '</dict>\n</plist>\n'
} >"$work/props.plist"

# --- the archive, described as an mtree spec so bsdtar writes exactly these headers in this order.
vis() { local s=${1//\\/\\134}; s=${s// /\\040}; s=${s//$'\t'/\\011}; printf '%s' "$s"; }
{
  echo '#mtree'
  for s in INSTALL REMOVE; do
    if [ -f "$destdir/$s" ]; then
      printf './%s type=file mode=%s uid=0 gid=0 uname=root gname=root time=%s.0 contents=%s\n' \
        "$s" "$(stat -c %a "$destdir/$s")" "$(stat -c %Y "$destdir/$s")" "$(vis "$destdir/$s")"
    fi
  done
  for s in props.plist files.plist; do
    printf './%s type=file mode=0644 uid=0 gid=0 uname=root gname=root time=0.0 contents=%s\n' "$s" "$(vis "$work/$s")"
  done
  for ((i = ${#payload[@]} - 1; i >= 0; i--)); do
    e=${payload[$i]}
    p="$destdir$e"
    common="uid=0 gid=0 uname=root gname=root time=$(stat -c %Y "$p").0"
    if [ -L "$p" ]; then
      printf '.%s type=link mode=0777 %s link=%s\n' "$(vis "$e")" "$common" "$(vis "$(readlink "$p")")"
    else
      printf '.%s type=file mode=%s %s contents=%s\n' "$(vis "$e")" "$(stat -c %a "$p")" "$common" "$(vis "$p")"
    fi
  done
} >"$work/spec.mtree"

out="$pkgver.$arch.xbps"
bsdtar -cf - --format=paxr -b 1 "@$work/spec.mtree" | zstd -q -9 --no-check -c >"$work/out.xbps"
mv "$work/out.xbps" "$out"
