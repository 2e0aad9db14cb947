/**
 * Interop: rpm itself reads repokit's pkglists and srclists. A varied set of packages is built with
 * rpmbuild (test/interop/specs: epochs, DistTag, I18N summaries, hundreds of files, OLDFILENAMES,
 * rich dependencies, every payload compression, source packages, and aptrpm-useful.spec for the
 * stripped-list rules); repokit writes the lists; python3-rpm reads them back header for header
 * with `rpm.readHeaderListFromFD` (librpm's headerRead with the magic, as apt does) and reports
 * every entry as librpm holds it (type, count, string bytes or integer values, via headerGet RAW).
 *
 * Checked per header: exactly the expected tags; every copied tag equal to the source package's
 * (type, count, bytes); the ALT tags hold the file's real name, size, MD5 and BLAKE2b-512 and the
 * directory; rpm's own FILENAMES extension (built from BASENAMES/DIRNAMES/DIRINDEXES) gives the
 * package's files, all of them or exactly the useful ones.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readRpmSync, RpmType, type Header } from '../../src/rpm/index.js';
import {
  binaryIndex,
  buildPkglist,
  buildSrclist,
  collectPathDependencies,
  comparePackageRecords,
  CRPMTAG,
  PKGLIST_COPIED_TAGS,
  SRCLIST_COPIED_TAGS,
  usefulFile,
  type PackageRecord,
} from '../../src/aptrpm/index.js';
import { buildInteropRpms, requireTool } from '../helpers/rpmbuild.js';
import { PY_HEADER_LISTS, describeWithPythonRpm, runPythonRpm } from '../helpers/python-rpm.js';

const PY = String.raw`
import sys, os, json, ctypes, ctypes.util
import rpm
lib = ctypes.CDLL(ctypes.util.find_library('rpm') or 'librpm.so.9')
class TD(ctypes.Structure):
    _fields_ = [('tag', ctypes.c_int32), ('type', ctypes.c_uint32), ('count', ctypes.c_uint32),
                ('data', ctypes.c_void_p), ('flags', ctypes.c_int), ('ix', ctypes.c_int), ('size', ctypes.c_uint32)]
TDP = ctypes.POINTER(TD)
lib.headerGet.argtypes = [ctypes.c_void_p, ctypes.c_int32, TDP, ctypes.c_int]
lib.headerGet.restype = ctypes.c_int
lib.rpmtdFreeData.argtypes = [TDP]
lib.rpmtdInit.argtypes = [TDP]
lib.rpmtdNext.argtypes = [TDP]
lib.rpmtdNext.restype = ctypes.c_int
lib.rpmtdGetString.argtypes = [TDP]
lib.rpmtdGetString.restype = ctypes.c_void_p
INTS = {1: ctypes.c_uint8, 2: ctypes.c_uint8, 3: ctypes.c_uint16, 4: ctypes.c_uint32, 5: ctypes.c_uint64}
OFF = object.__basicsize__
def raw(h, tag):
    hp = ctypes.c_void_p.from_address(id(h) + OFF).value
    td = TD()
    if lib.headerGet(hp, tag, ctypes.byref(td), 4 | 1) != 1:
        return None
    try:
        t, n = td.type, td.count
        if t in INTS:
            v = [int(x) for x in (INTS[t] * n).from_address(td.data)]
        elif t == 7:
            v = ctypes.string_at(td.data, n).hex()
        else:
            parts = []
            lib.rpmtdInit(ctypes.byref(td))
            while lib.rpmtdNext(ctypes.byref(td)) >= 0:
                parts.append(ctypes.string_at(lib.rpmtdGetString(ctypes.byref(td))) + b'\0')
            v = b''.join(parts).hex()
        return [t, n, v]
    finally:
        lib.rpmtdFreeData(ctypes.byref(td))
${PY_HEADER_LISTS}
out = []
for hs in header_lists(json.load(sys.stdin)):
    lst = []
    for h in hs:
        keys = list(h.keys())
        names = h[rpm.RPMTAG_FILENAMES] if h.isSource() is False else []
        lst.append({'keys': keys, 'raw': {str(k): raw(h, k) for k in keys},
                    'filenames': [x if isinstance(x, str) else x.decode('utf-8', 'surrogateescape') for x in (names or [])]})
    out.append(lst)
json.dump(out, sys.stdout)
`;

type PyEntry = [number, number, number[] | string];
interface PyHeader {
  keys: number[];
  raw: Record<string, PyEntry | null>;
  filenames: string[];
}

const toHex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** An entry as librpm reports it, from a source header (integers as values, strings as bytes). */
function expectedEntry(h: Header, tag: number): PyEntry {
  const e = h.entry(tag)!;
  if (e.type >= RpmType.CHAR && e.type <= RpmType.INT64) {
    return [e.type, e.count, (e.type === RpmType.INT64 ? h.getBigInts(tag)!.map(Number) : h.getNumbers(tag)!) as number[]];
  }
  return [e.type, e.count, toHex(h.raw(tag)!)];
}

function filePaths(h: Header): string[] {
  const bases = h.getStringArray(1117);
  if (bases === undefined) return h.getStringArray(1027) ?? [];
  const dirs = h.getStringArray(1118)!;
  const idx = h.getNumbers(1116)!;
  return bases.map((b, i) => dirs[idx[i]!]! + b);
}

const missing = requireTool('rpmbuild');
let dir = '';
let binaries: { path: string; record: PackageRecord }[] = [];
let sources: { path: string; record: PackageRecord }[] = [];

function record(path: string): { path: string; record: PackageRecord } {
  const bytes = readFileSync(path);
  const pkg = readRpmSync(path);
  return {
    path,
    record: {
      header: pkg.header,
      file: {
        name: basename(path),
        size: statSync(path).size,
        md5: createHash('md5').update(bytes).digest('hex'),
        blake2b: createHash('blake2b512').update(bytes).digest('hex'),
      },
    },
  };
}

describeWithPythonRpm(missing === null ? 'interop: python3-rpm reads repokit pkglists and srclists' : `interop — skipped: ${missing}`, () => {
  beforeAll(async () => {
    if (missing !== null) return;
    const rpms = await buildInteropRpms();
    binaries = rpms.filter((p) => !p.endsWith('.src.rpm')).map(record);
    sources = rpms.filter((p) => p.endsWith('.src.rpm')).map(record);
    dir = mkdtempSync(join(tmpdir(), 'repokit-aptrpm-interop-'));
  }, 600_000);
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const run = missing === null ? it : it.skip;

  run('has a varied set to index', () => {
    expect(binaries.length).toBeGreaterThanOrEqual(15);
    expect(binaries.some((b) => b.record.header.has(1155))).toBe(true); // DISTTAG
    expect(binaries.some((b) => b.record.header.has(1003))).toBe(true); // EPOCH
    expect(binaries.some((b) => b.record.header.has(1027))).toBe(true); // OLDFILENAMES
    expect(binaries.some((b) => (b.record.header.getStringArray(100)?.length ?? 0) > 1)).toBe(true); // I18N
    expect(sources.length).toBeGreaterThanOrEqual(5);
  });

  for (const mode of ['full', 'stripped'] as const) {
    run(`pkglist with ${mode} file lists: every header as the source package has it`, () => {
      const records = binaries.map((b) => b.record);
      const list = buildPkglist(records, { fileList: mode, component: 'interop' });
      const file = join(dir, `pkglist.${mode}`);
      writeFileSync(file, list);
      const [read] = runPythonRpm<PyHeader[][]>(PY, [file]);
      const order = records.slice().sort(comparePackageRecords);
      expect(read!.length).toBe(order.length);
      const useful = collectPathDependencies(records.map((r) => r.header));
      let kept = 0;
      let dropped = 0;
      order.forEach((r, i) => {
        const py = read![i]!;
        const src = r.header;
        const name = r.file.name;
        // Copied tags: present exactly when the package has them, equal type, count and data.
        const copied = [...PKGLIST_COPIED_TAGS, 1080, 1081, 1082].filter((t) => src.has(t));
        for (const t of copied) expect(py.raw[String(t)], `${name} tag ${t}`).toEqual(expectedEntry(src, t));
        // ALT tags: the file's real facts.
        expect(py.raw[String(CRPMTAG.FILENAME)]![2]).toBe(toHex(new TextEncoder().encode(`${name}\0`)));
        expect(py.raw[String(CRPMTAG.FILESIZE)]).toEqual([RpmType.INT32, 1, [statSync(binaries.find((b) => b.record === r)!.path).size]]);
        expect(py.raw[String(CRPMTAG.MD5)]![2]).toBe(toHex(new TextEncoder().encode(`${r.file.md5}\0`)));
        expect(py.raw[String(CRPMTAG.BLAKE2B)]![2]).toBe(toHex(new TextEncoder().encode(`${r.file.blake2b}\0`)));
        expect(py.raw[String(CRPMTAG.DIRECTORY)]![2]).toBe(toHex(new TextEncoder().encode('RPMS.interop\0')));
        // Files, through rpm's FILENAMES extension (needs a consistent triple).
        const all = filePaths(src);
        const want =
          mode === 'full'
            ? all
            : all.filter((p) => {
                const slash = p.lastIndexOf('/');
                return usefulFile(p.slice(0, slash + 1), p.slice(slash + 1), useful);
              });
        expect(py.filenames, name).toEqual(want);
        kept += want.length;
        dropped += all.length - want.length;
        const triple = [1116, 1117, 1118].filter((t) => py.keys.includes(t));
        expect(triple.length === 0 || triple.length === 3, `${name}: the file triple is all or nothing`).toBe(true);
        // Nothing else.
        const expectedKeys = new Set([...copied, ...(want.length > 0 ? [1116, 1117, 1118] : []), 1000000, 1000001, 1000005, 1000009, 1000010]);
        expect(new Set(py.keys), name).toEqual(expectedKeys);
      });
      if (mode === 'stripped') {
        expect(kept).toBeGreaterThan(0);
        expect(dropped).toBeGreaterThan(0);
        // The path dependency keeps needed.conf; its sibling goes.
        const data = order.findIndex((r) => r.file.name.startsWith('aptrpm-useful-data-'));
        expect(read![data]!.filenames).toEqual(['/usr/share/aptrpm-useful-data/needed.conf']);
        const main = order.findIndex((r) => r.file.name.startsWith('aptrpm-useful-3.1'));
        expect(read![main]!.filenames.sort()).toEqual(
          [
            '/usr/bin/aptrpm-useful',
            '/sbin/aptrpm-useful-daemon',
            '/usr/games/aptrpm-game',
            '/usr/lib/kde4bin/aptrpm-kde',
            '/usr/share/java/sub/aptrpm.jar',
            '/usr/share/fonts/ttf/AptRpm.ttf',
            '/usr/share/fonts/ttf/AptRpm.otf',
            '/usr/lib64/libaptrpm.so.1.2',
            '/usr/lib64/libaptrpm.so.1',
            '/usr/share/aptrpm-useful/provided.path',
          ].sort(),
        );
      }
    });
  }

  run('pkglist with changelog since 2022-01-01: the two newer entries and the one before them', () => {
    const r = binaries.find((b) => b.record.file.name.startsWith('aptrpm-useful-3.1'))!.record;
    const file = join(dir, 'pkglist.since');
    writeFileSync(file, buildPkglist([r], { changelog: { since: Date.UTC(2022, 0, 1) / 1000 } }));
    const [[h]] = runPythonRpm<PyHeader[][]>(PY, [file]) as [[PyHeader]];
    const times = r.header.getNumbers(1080)!;
    expect(times.length).toBe(4);
    expect(h.raw['1080']).toEqual([RpmType.INT32, 3, times.slice(0, 3)]);
    expect(h.raw['1081']![1]).toBe(3);
  });

  run('srclist: gensrclist tags copied, ALT tags and the binaries built from each source', () => {
    const records = sources.map((s) => s.record);
    const bins = binaryIndex(binaries.map((b) => b.record));
    const file = join(dir, 'srclist.classic');
    writeFileSync(file, buildSrclist(records, { binaries: bins }));
    const [read] = runPythonRpm<PyHeader[][]>(PY, [file]);
    const order = records.slice().sort((a, b) => (a.file.name < b.file.name ? -1 : 1));
    expect(read!.length).toBe(order.length);
    order.forEach((r, i) => {
      const py = read![i]!;
      for (const t of SRCLIST_COPIED_TAGS.filter((x) => r.header.has(x))) {
        expect(py.raw[String(t)], `${r.file.name} tag ${t}`).toEqual(expectedEntry(r.header, t));
      }
      expect(py.keys).not.toContain(1044);
      expect(py.raw[String(CRPMTAG.DIRECTORY)]![2]).toBe(toHex(new TextEncoder().encode('../SRPMS.classic\0')));
      expect(py.raw[String(CRPMTAG.MD5)]![2]).toBe(toHex(new TextEncoder().encode(`${r.file.md5}\0`)));
      const built = bins.get(r.file.name);
      if (built === undefined) expect(py.keys).not.toContain(CRPMTAG.BINARY);
      else expect(py.raw[String(CRPMTAG.BINARY)]).toEqual([RpmType.STRING_ARRAY, built.length, toHex(new TextEncoder().encode(built.map((n) => `${n}\0`).join('')))]);
    });
    const useful = order.findIndex((r) => r.file.name === 'aptrpm-useful-3.1-alt1.src.rpm');
    expect(bins.get('aptrpm-useful-3.1-alt1.src.rpm')).toEqual(['aptrpm-useful', 'aptrpm-useful-data', 'aptrpm-useful-tools']);
    expect(read![useful]!.keys).toContain(CRPMTAG.BINARY);
  });
});
