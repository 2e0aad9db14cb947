/**
 * Test plumbing for the header encoder's interop tests: hand header blobs to python3-rpm (rpm's
 * own Python bindings, i.e. librpm's reader) and get back what rpm saw, tag by tag.
 *
 * Three views are returned for every header:
 *
 * - `py`: what the Python API gives (`hdr.keys()`, `hdr[tag]`). For tags rpm does not know, and for
 *   scalar tags, rpm's binding returns only the first element; I18NSTRING is looked up for the
 *   locale in LANGUAGE/LC_ALL/LC_MESSAGES/LANG (we pass LANG=C unless told otherwise).
 * - `table`: rpm's own tag table entry for each tag (`rpmTagGetTagType`, `rpmTagGetReturnType`).
 * - `raw`: the entry exactly as librpm holds it after import: type, count and every element,
 *   read with `headerGet(h, tag, td, HEADERGET_RAW | HEADERGET_MINMEM)` through ctypes on the
 *   very `Header` the Python object wraps (rpm's Python API exposes no raw type or full array for
 *   unknown tags).
 *
 * All integers travel as decimal strings (64-bit values do not fit a JS number).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PY_SCRIPT = String.raw`
import sys, json, ctypes, ctypes.util
import rpm

lib = ctypes.CDLL(ctypes.util.find_library('rpm') or 'librpm.so.9')

class TD(ctypes.Structure):
    _fields_ = [('tag', ctypes.c_int32), ('type', ctypes.c_uint32), ('count', ctypes.c_uint32),
                ('data', ctypes.c_void_p), ('flags', ctypes.c_int), ('ix', ctypes.c_int),
                ('size', ctypes.c_uint32)]

TDP = ctypes.POINTER(TD)
lib.headerGet.argtypes = [ctypes.c_void_p, ctypes.c_int32, TDP, ctypes.c_int]
lib.headerGet.restype = ctypes.c_int
lib.headerIsEntry.argtypes = [ctypes.c_void_p, ctypes.c_int32]
lib.headerIsEntry.restype = ctypes.c_int
lib.rpmtdFreeData.argtypes = [TDP]
lib.rpmtdFreeData.restype = None
lib.rpmtdInit.argtypes = [TDP]
lib.rpmtdInit.restype = ctypes.c_int
lib.rpmtdNext.argtypes = [TDP]
lib.rpmtdNext.restype = ctypes.c_int
lib.rpmtdGetString.argtypes = [TDP]
lib.rpmtdGetString.restype = ctypes.c_void_p
lib.rpmTagGetTagType.argtypes = [ctypes.c_int32]
lib.rpmTagGetTagType.restype = ctypes.c_uint32
lib.rpmTagGetReturnType.argtypes = [ctypes.c_int32]
lib.rpmTagGetReturnType.restype = ctypes.c_uint32

HEADERGET_MINMEM = 1
HEADERGET_RAW = 4
INT_CTYPES = {1: ctypes.c_uint8, 2: ctypes.c_uint8, 3: ctypes.c_uint16, 4: ctypes.c_uint32, 5: ctypes.c_uint64}

# hdrObject is { PyObject_HEAD; Header h; HeaderIterator hi; } (python/header-py.c).
HDR_PTR_OFFSET = object.__basicsize__
assert rpm.hdr.__basicsize__ == HDR_PTR_OFFSET + 2 * ctypes.sizeof(ctypes.c_void_p), rpm.hdr.__basicsize__

def header_ptr(h):
    p = ctypes.c_void_p.from_address(id(h) + HDR_PTR_OFFSET).value
    assert p
    return p

def text(ptr):
    return ctypes.string_at(ptr).decode('utf-8', 'surrogateescape')

def raw_entry(hp, tag):
    td = TD()
    if lib.headerGet(hp, tag, ctypes.byref(td), HEADERGET_RAW | HEADERGET_MINMEM) != 1:
        return {'tag': tag, 'missing': True}
    try:
        t, n = td.type, td.count
        if t in INT_CTYPES:
            arr = (INT_CTYPES[t] * n).from_address(td.data)
            value = [str(x) for x in arr]
        elif t == 7:
            value = ctypes.string_at(td.data, n).hex()
        elif t in (6, 8, 9):
            value = []
            lib.rpmtdInit(ctypes.byref(td))
            while lib.rpmtdNext(ctypes.byref(td)) >= 0:
                value.append(text(lib.rpmtdGetString(ctypes.byref(td))))
        else:
            value = None
        return {'tag': tag, 'type': t, 'count': n, 'value': value}
    finally:
        lib.rpmtdFreeData(ctypes.byref(td))

def pyval(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return {'int': str(int(v))}
    if isinstance(v, int):
        return {'int': str(v)}
    if isinstance(v, bytes):
        return {'hex': v.hex()}
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return [pyval(x) for x in v]
    return {'repr': repr(v)}

def describe(h):
    hp = header_ptr(h)
    keys = list(h.keys())
    for k in keys:
        assert lib.headerIsEntry(hp, k) == 1, k
    py = {}
    for k in keys:
        try:
            py[str(k)] = pyval(h[k])
        except Exception as e:
            py[str(k)] = {'error': str(e)}
    # rpm's tag table: [type (0 = unknown tag), is-array return type]
    table = {str(k): [lib.rpmTagGetTagType(k), lib.rpmTagGetReturnType(k) == 0x20000] for k in keys}
    return {'ok': True, 'keys': keys, 'raw': [raw_entry(hp, k) for k in keys], 'py': py, 'table': table}

job = json.load(sys.stdin)
out = {'version': rpm.__version__, 'blobs': [], 'files': []}
for hx in job.get('blobs', []):
    try:
        h = rpm.hdr(bytes.fromhex(hx))
    except Exception as e:
        out['blobs'].append({'ok': False, 'error': '%s: %s' % (type(e).__name__, e)})
        continue
    out['blobs'].append(describe(h))
for path in job.get('files', []):
    try:
        # retrofit=False: the default retrofit (HEADERCONV_RETROFIT_V3) edits region-less headers
        # after reading them (adds a 'Provides: name = EVR' to binary packages).
        hs = rpm.readHeaderListFromFile(path, retrofit=False)
        out['files'].append({'ok': True, 'headers': [describe(h) for h in hs]})
    except Exception as e:
        out['files'].append({'ok': False, 'error': '%s: %s' % (type(e).__name__, e)})
json.dump(out, sys.stdout)
`;

/** One entry as librpm holds it. Integers are decimal strings; BIN is hex; strings are decoded. */
export interface RawEntry {
  tag: number;
  type: number;
  count: number;
  value: string[] | string | null;
  missing?: true;
}

export type PyValue = null | string | { int: string } | { hex: string } | { repr: string } | { error: string } | PyValue[];

export type PyHeader =
  | {
      ok: true;
      keys: number[];
      raw: RawEntry[];
      py: Record<string, PyValue>;
      /** rpm's tag table per tag: [type (0 for tags rpm does not know), returned as a list]. */
      table: Record<string, [number, boolean]>;
    }
  | { ok: false; error: string };

export interface PyResult {
  version: string;
  blobs: PyHeader[];
  files: ({ ok: true; headers: (PyHeader & { ok: true })[] } | { ok: false; error: string })[];
}

/** REPOKIT_PYTHON_RPM names the interpreter to use (and only that one); else the system python3. */
const override = process.env['REPOKIT_PYTHON_RPM'];
const CANDIDATES = override !== undefined && override !== '' ? [override] : ['/usr/bin/python3', 'python3'];

export type Probe = { ok: true; python: string; version: string } | { ok: false; reason: string };

let probed: Probe | undefined;

/** Find a python3 that can `import rpm` (python3-rpm is tied to the system interpreter). */
export function probePythonRpm(): Probe {
  if (probed !== undefined) return probed;
  const tried: string[] = [];
  for (const python of CANDIDATES) {
    if (python.startsWith('/') && !existsSync(python)) {
      tried.push(`${python}: not found`);
      continue;
    }
    const r = spawnSync(python, ['-c', 'import rpm, ctypes.util; print(rpm.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) {
      probed = { ok: true, python, version: r.stdout.trim() };
      return probed;
    }
    tried.push(`${python}: ${(r.error?.message ?? r.stderr.trim().split('\n').pop()) || `exit ${r.status}`}`);
  }
  probed = { ok: false, reason: `python3-rpm not available (${tried.join('; ')})` };
  return probed;
}

/**
 * Run one python process over many blobs (no magic) and header-list files (with magic).
 * `env` is merged over LANG=C (use LANGUAGE to pick an I18N locale).
 */
export function readWithPythonRpm(
  job: { blobs?: readonly Uint8Array[]; files?: readonly string[] },
  env: Record<string, string> = {},
): PyResult {
  const probe = probePythonRpm();
  if (!probe.ok) throw new Error(probe.reason);
  const input = JSON.stringify({
    blobs: (job.blobs ?? []).map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')),
    files: job.files ?? [],
  });
  const r = spawnSync(probe.python, ['-c', PY_SCRIPT], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C', ...env },
  });
  if (r.status !== 0) {
    throw new Error(`python3-rpm helper failed (status ${String(r.status)}): ${r.error?.message ?? r.stderr}`);
  }
  return JSON.parse(r.stdout) as PyResult;
}
