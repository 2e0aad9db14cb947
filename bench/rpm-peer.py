#!/usr/bin/python3
"""The python3-rpm side of the RPM benchmark (rpm's own C header parser).

    /usr/bin/python3 bench/rpm-peer.py MODE LISTFILE

Reads the package paths in LISTFILE (one per line), then, timed, for each path: os.open,
ts.hdrFromFdno(fd) (lead + signature header + main header, as rpm reads them), extracts the
fields of MODE and closes the fd. Prints one JSON line: the loop's wall time, peak RSS (VmHWM, see peak_rss_kib) and
counters that the repokit side must reproduce (so both sides demonstrably did the same work).

Digests and signatures are NOT checked: ts.setVSFlags(_RPMVSF_NOSIGNATURES | _RPMVSF_NODIGESTS),
so rpm, like repokit's readRpmSync, only parses the headers.

Fields are fetched the fastest way the bindings offer: one hdr[tag] per tag, returning the whole
column (lists of str/int built in C), and rpm's own extension tags where rpm computes a value in
C (FILENAMES joins DIRNAMES+BASENAMES; EVR/NEVRA format the version; LONGFILESIZES falls back to
FILESIZES). rpm.ds(hdr, kind) is avoided: it is slower than reading the three raw arrays.

MODE:
  header   hdrFromFdno only
  minimal  name, EVR, arch, summary, description, the 8 dependency kinds (name/flags/version),
           file paths + sizes + modes + digests, changelog (time/name/text)
  full     everything repokit's rpmMetadata() returns: the scalars (name, epoch, version, release,
           arch, os, nevra, evr, summary, description, license, group, url, vendor, packager,
           distribution, bugurl, buildtime, buildhost, size, sourcerpm, disttag, payload
           format/compressor/flags, file digest algo, isSource), the 8 dependency kinds, every
           per-file column files() returns (paths, dirnames/basenames/dirindexes, sizes, modes,
           rdevs, mtimes, digests, linktos, flags, user, group, verifyflags, devices, inodes,
           langs, colors, caps) and the changelog.
  accept   untimed corpus check: per path, whether rpm reads it (hdrFromFdno and the fields).
"""
import json
import os
import resource
import sys
import time

import rpm


def peak_rss_kib():
    """This process's peak RSS in KiB: VmHWM from /proc/self/status on Linux, where ru_maxrss is not
    usable for a child (Linux carries the parent's RSS over fork+exec into ru_maxrss); ru_maxrss
    elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    mode, list_path = sys.argv[1], sys.argv[2]
    with open(list_path, encoding="utf-8") as f:
        paths = [line.rstrip("\n") for line in f if line.strip()]

    T = rpm
    NAME, EPOCH, VERSION, RELEASE, ARCH, OS = (T.RPMTAG_NAME, T.RPMTAG_EPOCH, T.RPMTAG_VERSION,
                                               T.RPMTAG_RELEASE, T.RPMTAG_ARCH, T.RPMTAG_OS)
    EVR, NEVRA, SUMMARY, DESCRIPTION = T.RPMTAG_EVR, T.RPMTAG_NEVRA, T.RPMTAG_SUMMARY, T.RPMTAG_DESCRIPTION
    SCALARS = (T.RPMTAG_LICENSE, T.RPMTAG_GROUP, T.RPMTAG_URL, T.RPMTAG_VENDOR, T.RPMTAG_PACKAGER,
               T.RPMTAG_DISTRIBUTION, T.RPMTAG_BUGURL, T.RPMTAG_BUILDTIME, T.RPMTAG_BUILDHOST,
               T.RPMTAG_LONGSIZE, T.RPMTAG_SOURCERPM, T.RPMTAG_DISTTAG, T.RPMTAG_PAYLOADFORMAT,
               T.RPMTAG_PAYLOADCOMPRESSOR, T.RPMTAG_PAYLOADFLAGS, T.RPMTAG_FILEDIGESTALGO)
    DEPS = []
    for kind in ("PROVIDE", "REQUIRE", "CONFLICT", "OBSOLETE", "RECOMMEND", "SUGGEST", "SUPPLEMENT", "ENHANCE"):
        DEPS.append((getattr(T, "RPMTAG_%sNAME" % kind), getattr(T, "RPMTAG_%sFLAGS" % kind),
                     getattr(T, "RPMTAG_%sVERSION" % kind)))
    FILENAMES, LONGFILESIZES, FILEMODES, FILEDIGESTS = (T.RPMTAG_FILENAMES, T.RPMTAG_LONGFILESIZES,
                                                        T.RPMTAG_FILEMODES, T.RPMTAG_FILEDIGESTS)
    FILE_EXTRA = (T.RPMTAG_BASENAMES, T.RPMTAG_DIRNAMES, T.RPMTAG_DIRINDEXES, T.RPMTAG_FILERDEVS,
                  T.RPMTAG_FILEMTIMES, T.RPMTAG_FILELINKTOS, T.RPMTAG_FILEFLAGS, T.RPMTAG_FILEUSERNAME,
                  T.RPMTAG_FILEGROUPNAME, T.RPMTAG_FILEVERIFYFLAGS, T.RPMTAG_FILEDEVICES,
                  T.RPMTAG_FILEINODES, T.RPMTAG_FILELANGS, T.RPMTAG_FILECOLORS, T.RPMTAG_FILECAPS)
    CLTIME, CLNAME, CLTEXT = T.RPMTAG_CHANGELOGTIME, T.RPMTAG_CHANGELOGNAME, T.RPMTAG_CHANGELOGTEXT

    ts = rpm.TransactionSet()
    ts.setVSFlags(rpm._RPMVSF_NOSIGNATURES | rpm._RPMVSF_NODIGESTS)
    o_open, o_close, O_RDONLY = os.open, os.close, os.O_RDONLY
    hdr_from = ts.hdrFromFdno

    if mode == "accept":
        out = []
        for p in paths:
            try:
                fd = o_open(p, O_RDONLY)
                try:
                    hdr = hdr_from(fd)
                finally:
                    o_close(fd)
                for t in (NAME, EVR, ARCH, SUMMARY, DESCRIPTION, FILENAMES, LONGFILESIZES, FILEMODES,
                          FILEDIGESTS, CLTIME, CLNAME, CLTEXT) + SCALARS + FILE_EXTRA:
                    hdr[t]
                for ts_ in DEPS:
                    for t in ts_:
                        hdr[t]
                out.append({"path": p, "ok": True})
            except Exception as e:  # rpm.error, OSError, ...
                out.append({"path": p, "ok": False, "error": "%s: %s" % (type(e).__name__, e)})
        print(json.dumps({"accept": out}))
        return

    n_files = n_deps = n_changelog = n_name = 0
    t0 = time.perf_counter()
    if mode == "header":
        for p in paths:
            fd = o_open(p, O_RDONLY)
            try:
                hdr = hdr_from(fd)
            finally:
                o_close(fd)
            n_name += len(hdr[NAME])
    elif mode == "minimal":
        for p in paths:
            fd = o_open(p, O_RDONLY)
            try:
                hdr = hdr_from(fd)
            finally:
                o_close(fd)
            name = hdr[NAME]
            evr = hdr[EVR]
            arch = hdr[ARCH]
            summary = hdr[SUMMARY]
            description = hdr[DESCRIPTION]
            for nt, ft, vt in DEPS:
                names = hdr[nt]
                flags = hdr[ft]
                versions = hdr[vt]
                n_deps += len(names)
            paths_ = hdr[FILENAMES]
            sizes = hdr[LONGFILESIZES]
            modes = hdr[FILEMODES]
            digests = hdr[FILEDIGESTS]
            cl_time = hdr[CLTIME]
            cl_name = hdr[CLNAME]
            cl_text = hdr[CLTEXT]
            n_files += len(paths_)
            n_changelog += len(cl_time)
            n_name += len(name)
    elif mode == "full":
        for p in paths:
            fd = o_open(p, O_RDONLY)
            try:
                hdr = hdr_from(fd)
            finally:
                o_close(fd)
            name = hdr[NAME]
            epoch = hdr[EPOCH]
            version = hdr[VERSION]
            release = hdr[RELEASE]
            arch = hdr[ARCH]
            os_ = hdr[OS]
            evr = hdr[EVR]
            nevra = hdr[NEVRA]
            is_source = hdr.isSource()
            summary = hdr[SUMMARY]
            description = hdr[DESCRIPTION]
            scalars = [hdr[t] for t in SCALARS]
            for nt, ft, vt in DEPS:
                names = hdr[nt]
                flags = hdr[ft]
                versions = hdr[vt]
                n_deps += len(names)
            paths_ = hdr[FILENAMES]
            sizes = hdr[LONGFILESIZES]
            modes = hdr[FILEMODES]
            digests = hdr[FILEDIGESTS]
            extra = [hdr[t] for t in FILE_EXTRA]
            cl_time = hdr[CLTIME]
            cl_name = hdr[CLNAME]
            cl_text = hdr[CLTEXT]
            n_files += len(paths_)
            n_changelog += len(cl_time)
            n_name += len(name)
    else:
        raise SystemExit("unknown mode %r" % mode)
    ms = (time.perf_counter() - t0) * 1000.0

    print(json.dumps({
        "ms": ms,
        "packages": len(paths),
        "maxRssKiB": peak_rss_kib(),
        "ruMaxrssKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "checks": {"files": n_files, "deps": n_deps, "changelog": n_changelog, "nameChars": n_name},
        "runtime": "rpm %s, Python %s" % (rpm.__version__, sys.version.split()[0]),
    }))


main()
