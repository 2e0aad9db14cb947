#!/usr/bin/python3
"""rpm-oracle.py FILE... -- dump what rpm (python3-rpm / librpm) reads from .rpm files.

Run with the system interpreter that has python3-rpm (e.g. /usr/bin/python3).
Prints ONE JSON document (ASCII, \\u-escaped) on stdout: an object keyed by
each FILE argument as given, whose value is

  {"signature": {"<tag>": {"type": T, "value": V}, ...},   signature header, as stored
   "header":    {"<tag>": {"type": T, "value": V}, ...},   main header, as stored
   "package":   {...typed fields from rpm's package API...}}

Value encoding (same as `repokit rpm tags --json`):
  STRING -> string; STRING_ARRAY and I18NSTRING -> array of strings (every
  element of an I18N array, not just the current locale's);
  CHAR/INT8/INT16/INT32 -> unsigned number when count == 1, else array of
  numbers; INT64 -> decimal string when count == 1, else array of decimal
  strings; BIN -> lowercase hex. Strings are decoded as UTF-8 with
  surrogateescape (python3-rpm's own convention).
  Region tags (61/62/63) are listed like other tags: type 7 (BIN) and, as
  value, the 16-byte region trailer stored at the region entry's offset.

Where the values come from (rpm's C library is the authority wherever the
Python binding lets it be):

* Framing: python3-rpm has no call that returns the signature header as
  stored (ts.hdrFromFdno() merges it into the main header, renumbered as tags
  256-279 and ARCHIVESIZE, and adds extension/retrofit tags). So this script
  slices the two header blobs out of the file itself: lead (96 bytes),
  signature header at 96, zero padding to a multiple of 8, main header. Only
  the 16-byte intros (magic, il, dl) and the index entries are read here;
  the index is used to know whether entry 0 is a region tag and to
  cross-check rpm's view of every (tag, type, count).

* Tag types, counts and values: the Python binding cannot give them
  faithfully -- hdr[tag] goes through headerGet(HEADERGET_EXT), which returns
  only the current locale's element of an I18NSTRING, hides the stored type
  (INT8/INT16/INT32 all become int; rpm.td / rpm.tagtype do not exist in
  4.18) and picks scalar-vs-list from rpm's tag table instead of the count.
  So each blob (without its 8 magic bytes) is loaded with librpm's own
  headerImport() -- the same C function that rpm.hdr(bytes) calls -- through
  ctypes, the present tags are enumerated with headerInitIterator /
  headerNextTag, and every value is fetched with headerGet(HEADERGET_RAW):
  that is rpm's parsed, validated, byte-swapped data with the stored type and
  count. librpm is the very library the imported `rpm` module is linked
  against (located via /proc/self/maps).

* Region tags: headerNextTag() skips them and headerGet() of a region tag
  returns a re-assembled header blob of the region; the trailer is taken from
  that blob (at the region entry's data offset) and checked against the bytes
  in the file.

* "package": typed fields via the normal python3-rpm API only:
  ts.hdrFromFdno() (signatures not checked, digests are), hdr[RPMTAG_*],
  rpm.ds(hdr, kind) and rpm.files(hdr). These are an independent check on
  values derived from the raw tags. Conventions:
    epoch/sourcerpm/disttag/url/vendor/packager/group/payload.* are null when
    rpm returns None; size is hdr[RPMTAG_LONGSIZE] (rpm's extension falls
    back to SIZE); file digest/linkto/lang/caps are null when rpm reports an
    empty string or (digest) an all-zero digest, which is how rpm represents
    the "" stored for non-regular files; flags/verifyflags are unsigned 32-bit;
    file_digest_algo is FILEDIGESTALGO or rpm's default 1 (MD5) when absent.
  This is rpm's view after its read-time retrofits: e.g. for --nodirtokens
  packages the file list comes from OLDFILENAMES converted by rpm, and for
  true v3 packages rpm may add SOURCERPM "(none)" / SOURCEPACKAGE.

Differences from the on-disk header that remain by design: if a signature
header has "dribble" entries that duplicate a region tag, rpm keeps only the
dribble (as rpm itself does); the cross-check then fails loudly.
"""

import ctypes
import json
import os
import re
import struct
import sys

# Force the "C" locale for rpm's I18N lookups in the "package" section
# (element 0 of SUMMARY/DESCRIPTION/GROUP). Must happen before rpm is used.
os.environ["LC_ALL"] = "C"
os.environ["LANG"] = "C"
os.environ.pop("LANGUAGE", None)

import rpm  # noqa: E402  (python3-rpm)

LEAD_SIZE = 96
HEADER_MAGIC = b"\x8e\xad\xe8\x01\x00\x00\x00\x00"
LEAD_MAGIC = b"\xed\xab\xee\xdb"
REGION_TAGS = (61, 62, 63)

RPM_CHAR, RPM_INT8, RPM_INT16, RPM_INT32, RPM_INT64 = 1, 2, 3, 4, 5
RPM_STRING, RPM_BIN, RPM_STRING_ARRAY, RPM_I18NSTRING = 6, 7, 8, 9

HEADERIMPORT_COPY = 1 << 0
HEADERGET_MINMEM = 1 << 0
HEADERGET_RAW = 1 << 2
RPMTAG_NOT_FOUND = -1


class OracleError(Exception):
    pass


# ---------------------------------------------------------------- librpm ----

class RpmTd(ctypes.Structure):
    """struct rpmtd_s from <rpm/rpmtd.h> (public, stable across rpm 4.x)."""

    _fields_ = [
        ("tag", ctypes.c_int32),
        ("type", ctypes.c_uint32),
        ("count", ctypes.c_uint32),
        ("data", ctypes.c_void_p),
        ("flags", ctypes.c_uint32),
        ("ix", ctypes.c_int),
        ("size", ctypes.c_uint32),
    ]


def _find_librpm():
    """Path of the librpm the imported rpm module uses."""
    pat = re.compile(r"(/\S*/librpm\.so[.0-9]*)$")
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                m = pat.search(line.strip())
                if m:
                    return m.group(1)
    except OSError:
        pass
    import ctypes.util

    name = ctypes.util.find_library("rpm")
    if not name:
        raise OracleError("cannot locate librpm")
    return name


_lib = ctypes.CDLL(_find_librpm())
_lib.headerImport.restype = ctypes.c_void_p
_lib.headerImport.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int]
_lib.headerFree.restype = ctypes.c_void_p
_lib.headerFree.argtypes = [ctypes.c_void_p]
_lib.headerInitIterator.restype = ctypes.c_void_p
_lib.headerInitIterator.argtypes = [ctypes.c_void_p]
_lib.headerNextTag.restype = ctypes.c_int32
_lib.headerNextTag.argtypes = [ctypes.c_void_p]
_lib.headerFreeIterator.restype = ctypes.c_void_p
_lib.headerFreeIterator.argtypes = [ctypes.c_void_p]
_lib.headerGet.restype = ctypes.c_int
_lib.headerGet.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.POINTER(RpmTd), ctypes.c_int]
_lib.rpmtdFreeData.restype = None
_lib.rpmtdFreeData.argtypes = [ctypes.POINTER(RpmTd)]
_lib.rpmtdType.restype = ctypes.c_uint32
_lib.rpmtdType.argtypes = [ctypes.POINTER(RpmTd)]


def _s(raw):
    return raw.decode("utf-8", "surrogateescape")


def _td_value(td, tag):
    """Encode the data of a HEADERGET_RAW rpmtd in the JSON value shape."""
    t, n, p = td.type, td.count, td.data
    if n == 0 or not p:
        raise OracleError("tag %d: empty data (type %d count %d)" % (tag, t, n))
    if t in (RPM_CHAR, RPM_INT8, RPM_INT16, RPM_INT32, RPM_INT64):
        ctype = {
            RPM_CHAR: ctypes.c_uint8,
            RPM_INT8: ctypes.c_uint8,
            RPM_INT16: ctypes.c_uint16,
            RPM_INT32: ctypes.c_uint32,
            RPM_INT64: ctypes.c_uint64,
        }[t]
        vals = list((ctype * n).from_address(p))
        if t == RPM_INT64:
            vals = [str(v) for v in vals]
        return vals[0] if n == 1 else vals
    if t == RPM_STRING:
        if n != 1:
            raise OracleError("tag %d: STRING with count %d" % (tag, n))
        return _s(ctypes.string_at(p))
    if t in (RPM_STRING_ARRAY, RPM_I18NSTRING):
        ptrs = (ctypes.c_char_p * n).from_address(p)
        return [_s(ptrs[i]) for i in range(n)]
    if t == RPM_BIN:
        return ctypes.string_at(p, n).hex()
    raise OracleError("tag %d: unknown type %d" % (tag, t))


def _region_trailer_from_rpm(td, tag):
    """Trailer bytes out of the region blob headerGet() re-assembles for a region tag."""
    blob = ctypes.string_at(td.data, td.count)
    ril, rdl = struct.unpack(">II", blob[:8])
    e_tag, e_type, e_off, e_cnt = struct.unpack(">IIiI", blob[8:24])
    if e_tag != tag or e_type != RPM_BIN or e_cnt != 16:
        raise OracleError("region %d: unexpected entry 0 in rpm's region blob" % tag)
    data_start = 8 + 16 * ril
    trailer = blob[data_start + e_off: data_start + e_off + 16]
    if len(trailer) != 16 or data_start + rdl != len(blob):
        raise OracleError("region %d: malformed region blob from rpm" % tag)
    return trailer


def dump_header_with_librpm(blob, region_entry):
    """blob: il, dl, index and data (no magic). Returns {tag: (type, count, value)}."""
    buf = ctypes.create_string_buffer(blob, len(blob))
    h = _lib.headerImport(buf, len(blob), HEADERIMPORT_COPY)
    if not h:
        raise OracleError("librpm headerImport() rejected the header")
    out = {}
    try:
        tags = []
        hi = _lib.headerInitIterator(h)
        try:
            while True:
                tag = _lib.headerNextTag(hi)
                if tag == RPMTAG_NOT_FOUND:
                    break
                tags.append(tag)
        finally:
            _lib.headerFreeIterator(hi)
        if region_entry is not None:
            tags.append(region_entry)
        for tag in tags:
            td = RpmTd()
            if not _lib.headerGet(h, tag, ctypes.byref(td), HEADERGET_RAW | HEADERGET_MINMEM):
                raise OracleError("headerGet(%d) failed" % tag)
            try:
                # td.count, not rpmtdCount(): the latter reports 1 for any BIN.
                t, n = _lib.rpmtdType(ctypes.byref(td)), td.count
                if tag in REGION_TAGS:
                    if t != RPM_BIN:
                        raise OracleError("region %d: type %d" % (tag, t))
                    out[tag] = (t, 16, _region_trailer_from_rpm(td, tag).hex())
                else:
                    out[tag] = (t, n, _td_value(td, tag))
            finally:
                _lib.rpmtdFreeData(ctypes.byref(td))
    finally:
        _lib.headerFree(h)
    return out


# --------------------------------------------------------------- framing ----

def read_header_at(data, off, what):
    """Minimal independent parse: the header blob at off and its index entries."""
    if data[off:off + 8] != HEADER_MAGIC:
        raise OracleError("%s: bad header magic at offset %d" % (what, off))
    if len(data) < off + 16:
        raise OracleError("%s: truncated" % what)
    il, dl = struct.unpack(">II", data[off + 8:off + 16])
    end = off + 16 + 16 * il + dl
    if end > len(data):
        raise OracleError("%s: truncated (il=%d dl=%d)" % (what, il, dl))
    entries = [struct.unpack(">IIiI", data[off + 16 + 16 * i: off + 32 + 16 * i]) for i in range(il)]
    data_start = off + 16 + 16 * il
    region = None
    if entries and entries[0][0] in REGION_TAGS:
        tag, _type, roff, _count = entries[0]
        region = (tag, data[data_start + roff: data_start + roff + 16])
    return data[off + 8:end], entries, region, end


def dump_raw(data, off, what):
    blob, entries, region, end = read_header_at(data, off, what)
    vals = dump_header_with_librpm(blob, region[0] if region else None)
    # cross-check rpm's view against the stored index
    stored = {e[0]: (e[1], e[3]) for e in entries}
    if len(stored) != len(entries):
        raise OracleError("%s: duplicate tags in the index (dribbles?)" % what)
    seen = {tag: (t, n) for tag, (t, n, _v) in vals.items()}
    if stored != seen:
        diff = sorted(set(stored.items()) ^ set(seen.items()))
        raise OracleError("%s: rpm's tags differ from the stored index: %r" % (what, diff[:10]))
    if region and vals[region[0]][2] != region[1].hex():
        raise OracleError("%s: region trailer from rpm differs from the file" % what)
    out = {}
    for tag in sorted(vals):
        t, _n, v = vals[tag]
        out[str(tag)] = {"type": t, "value": v}
    return out, end


# --------------------------------------------------------------- package ----

DEP_KINDS = ("provides", "requires", "conflicts", "obsoletes",
             "recommends", "suggests", "supplements", "enhances")

_ts = rpm.TransactionSet()
_ts.setVSFlags(rpm._RPMVSF_NOSIGNATURES)


def _u32(v):
    return int(v) & 0xFFFFFFFF


def _empty_to_none(v):
    return None if v in (None, "") else v


def package_fields(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        h = _ts.hdrFromFdno(fd)
    finally:
        os.close(fd)

    deps = {}
    for kind in DEP_KINDS:
        deps[kind] = [
            {"name": d.N(), "flags": _u32(d.Flags()), "version": d.EVR()}
            for d in rpm.ds(h, kind)
        ]

    files = []
    for f in rpm.files(h):
        digest = f.digest
        if digest is not None and digest.strip("0") == "":
            digest = None
        files.append({
            "path": f.name,
            "size": int(f.size),
            "mode": int(f.mode) & 0xFFFF,
            "user": f.user,
            "group": f.group,
            "mtime": _u32(f.mtime),
            "digest": _empty_to_none(digest),
            "linkto": _empty_to_none(f.linkto),
            "flags": _u32(f.fflags),
            "verifyflags": _u32(f.vflags),
            "lang": _empty_to_none(f.langs),
            "caps": _empty_to_none(f.caps),
        })

    times = h[rpm.RPMTAG_CHANGELOGTIME] or []
    names = h[rpm.RPMTAG_CHANGELOGNAME] or []
    texts = h[rpm.RPMTAG_CHANGELOGTEXT] or []
    if not (len(times) == len(names) == len(texts)):
        raise OracleError("changelog arrays differ in length")
    changelog = [{"time": _u32(t), "name": n, "text": x} for t, n, x in zip(times, names, texts)]

    algo = h[rpm.RPMTAG_FILEDIGESTALGO]
    epoch = h[rpm.RPMTAG_EPOCH]
    size = h[rpm.RPMTAG_LONGSIZE]
    return {
        "name": h[rpm.RPMTAG_NAME],
        "epoch": None if epoch is None else int(epoch),
        "version": h[rpm.RPMTAG_VERSION],
        "release": h[rpm.RPMTAG_RELEASE],
        "arch": h[rpm.RPMTAG_ARCH],
        "is_source": bool(h.isSource()),
        "summary": h[rpm.RPMTAG_SUMMARY],
        "description": h[rpm.RPMTAG_DESCRIPTION],
        "license": h[rpm.RPMTAG_LICENSE],
        "group": h[rpm.RPMTAG_GROUP],
        "url": h[rpm.RPMTAG_URL],
        "vendor": h[rpm.RPMTAG_VENDOR],
        "packager": h[rpm.RPMTAG_PACKAGER],
        "buildtime": _u32(h[rpm.RPMTAG_BUILDTIME] or 0),
        "buildhost": h[rpm.RPMTAG_BUILDHOST],
        "size": int(size or 0),
        "sourcerpm": h[rpm.RPMTAG_SOURCERPM],
        "disttag": h[rpm.RPMTAG_DISTTAG],
        "payload": {
            "format": h[rpm.RPMTAG_PAYLOADFORMAT],
            "compressor": h[rpm.RPMTAG_PAYLOADCOMPRESSOR],
            "flags": h[rpm.RPMTAG_PAYLOADFLAGS],
        },
        "dependencies": deps,
        "files": files,
        "file_digest_algo": 1 if algo is None else int(algo),
        "changelog": changelog,
    }


# ------------------------------------------------------------------ main ----

def dump_file(path):
    with open(path, "rb") as fh:
        data = fh.read()
    if len(data) < LEAD_SIZE or data[:4] != LEAD_MAGIC:
        raise OracleError("not an rpm package (lead magic)")
    signature, sig_end = dump_raw(data, LEAD_SIZE, "signature header")
    main_off = sig_end + (8 - (sig_end - LEAD_SIZE) % 8) % 8
    header, _ = dump_raw(data, main_off, "main header")
    return {"signature": signature, "header": header, "package": package_fields(path)}


def main(argv):
    if not argv:
        sys.stderr.write("usage: rpm-oracle.py FILE...\n")
        return 2
    rpm.setVerbosity(rpm.RPMLOG_ERR)  # e.g. "RPM v3 packages are deprecated" for --nodirtokens
    result = {}
    for path in argv:
        try:
            result[path] = dump_file(path)
        except (OracleError, rpm.error, OSError) as e:
            sys.stderr.write("rpm-oracle: %s: %s\n" % (path, e))
            return 1
    json.dump(result, sys.stdout, ensure_ascii=True, sort_keys=False, separators=(",", ":"))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
