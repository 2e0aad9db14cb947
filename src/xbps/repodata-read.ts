/**
 * Reading repository indexes of every xbps generation into one {@link XbpsRepodata}: the 0.60
 * three-member `<arch>-repodata`, the two-member 0.42–0.59 one (meta may be `DEADBEEF`), the
 * 0.25–0.41 ones with `index-files.plist`, and the standalone plist indexes before that (dict
 * keyed by pkgname, array of packages, and the 1.0 `pkgindex` document of BINPKG_REPOSITORY).
 *
 * {@link parseRepodata} is pure once the bytes are decompressed; {@link readRepodata} adds file
 * reading and decompression (edges).
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { decompress, sniffCompression, SNIFF_BYTES, type DetectedCompression } from '../shared/compression.js';
import { parseTar } from '../shared/tar.js';
import { decodeUtf8 } from '../shared/bytes.js';
import { nodeBuiltin } from '../shared/input.js';
import { parsePlist } from './codecs.js';
import { isPlistDict, isPlistInteger, integerValue, type PlistDict, type PlistValue } from './types.js';
import {
  asEntryDict,
  repoMetaOf,
  type XbpsIndexEntry,
  type XbpsIndexLayout,
  type XbpsMetaForm,
  type XbpsPkgIndexHeader,
  type XbpsRepoMeta,
  type XbpsRepodata,
  type XbpsRepodataMember,
} from './repodata.js';

/** Limits of the repodata reader. */
export interface ReadRepodataOptions {
  /** Largest decompressed repodata accepted (default 1 GiB); more is LIMIT_EXCEEDED. */
  maxOutput?: number;
  /** Largest single member (default 512 MiB). */
  maxMemberSize?: number;
  /** Most tar members read (default 64: real repodata has 2 or 3). */
  maxMembers?: number;
  signal?: AbortSignal;
}

const KNOWN_ORDER = ['index.plist', 'index-meta.plist', 'stage.plist'];
const DEADBEEF = 'DEADBEEF';

function isTar(b: Uint8Array): boolean {
  // "ustar" at offset 257 (ustar, pax and GNU tar all have it).
  return b.length >= 263 && b[257] === 0x75 && b[258] === 0x73 && b[259] === 0x74 && b[260] === 0x61 && b[261] === 0x72;
}

function plistOf(data: Uint8Array, what: string): PlistValue {
  try {
    return parsePlist(data);
  } catch (e) {
    if (isRepokitError(e)) throw new RepokitError(e.code, `${what}: ${e.detail}`, { line: e.line, column: e.column, cause: e });
    throw e;
  }
}

/** pkgname of a pkgver: everything before the last '-' (xbps_pkg_name). */
function nameOfPkgver(pkgver: string): string | undefined {
  const dash = pkgver.lastIndexOf('-');
  return dash > 0 ? pkgver.slice(0, dash) : undefined;
}

function entryFromDict(dict: PlistDict, key: string | undefined, where: string): XbpsIndexEntry {
  const pv = dict.get('pkgver');
  const legacyName = dict.get('pkgname');
  const legacyVersion = dict.get('version');
  let pkgver: string | undefined = typeof pv === 'string' ? pv : undefined;
  if (pv !== undefined && typeof pv !== 'string') throw new RepokitError('XBPS_BAD_ENTRY', `${where}: pkgver is not a string`);
  if (pkgver === undefined && typeof legacyName === 'string' && typeof legacyVersion === 'string') pkgver = `${legacyName}-${legacyVersion}`;
  if (pkgver === undefined) throw new RepokitError('XBPS_BAD_ENTRY', `${where}: no pkgver (nor pkgname and version)`);
  const pkgname = key ?? (typeof legacyName === 'string' ? legacyName : nameOfPkgver(pkgver));
  if (pkgname === undefined || pkgname === '') throw new RepokitError('XBPS_BAD_ENTRY', `${where}: cannot tell the package name of "${pkgver}"`);
  return { pkgname, pkgver, dict };
}

/** Entries of a dict keyed by pkgname (index.plist, stage.plist, 1.6/1.7 indexes). */
function entriesOfDict(root: PlistDict, what: string): Map<string, XbpsIndexEntry> {
  const out = new Map<string, XbpsIndexEntry>();
  for (const [key, value] of root) out.set(key, entryFromDict(asEntryDict(value, `${what}: ${key}`), key, `${what}: ${key}`));
  return out;
}

/** Entries of an array of package dicts (1.0–1.5), keyed by name (a later duplicate wins, like a dict set). */
function entriesOfArray(list: readonly PlistValue[], what: string): Map<string, XbpsIndexEntry> {
  const out = new Map<string, XbpsIndexEntry>();
  list.forEach((value, i) => {
    const e = entryFromDict(asEntryDict(value, `${what}[${i}]`), undefined, `${what}[${i}]`);
    out.set(e.pkgname, e);
  });
  return out;
}

function dictMember(data: Uint8Array, what: string): PlistDict {
  if (data.length === 0) return new Map();
  const v = plistOf(data, what);
  if (!isPlistDict(v)) throw new RepokitError('XBPS_BAD_REPODATA', `${what}: the root is not a dictionary`);
  return v;
}

function parseRepodataTar(tar: Uint8Array, compression: DetectedCompression, options: ReadRepodataOptions): XbpsRepodata {
  const members: XbpsRepodataMember[] = [];
  const data = new Map<string, Uint8Array>();
  const warnings: string[] = [];
  for (const m of parseTar(tar, {
    maxMemberSize: options.maxMemberSize ?? 512 * 1024 * 1024,
    maxMembers: options.maxMembers ?? 64,
    wantData: (e) => e.type === 'file' && KNOWN_ORDER.includes(e.name.replace(/^\.\//, '')),
  })) {
    members.push({ name: m.entry.name, size: m.entry.size });
    if (m.entry.type !== 'file') {
      warnings.push(`member ${m.entry.name} is not a regular file; ignored`);
      continue;
    }
    const name = m.entry.name.replace(/^\.\//, '');
    if (name !== m.entry.name) warnings.push(`member ${m.entry.name} has a ./ prefix (xbps wants ${name})`);
    if (name === 'index-files.plist') continue;
    if (!KNOWN_ORDER.includes(name)) {
      warnings.push(`unknown member ${m.entry.name}; ignored`);
      continue;
    }
    if (data.has(name)) {
      warnings.push(`duplicate member ${m.entry.name}; the first one is used`);
      continue;
    }
    data.set(name, m.data ?? new Uint8Array(0));
  }
  const names = members.map((m) => m.name.replace(/^\.\//, ''));
  if (!data.has('index.plist')) {
    throw new RepokitError('XBPS_BAD_REPODATA', `no index.plist in the archive (members: ${names.join(', ') || 'none'})`);
  }
  const expected = KNOWN_ORDER.filter((n) => names.includes(n));
  const actual = names.filter((n) => KNOWN_ORDER.includes(n));
  if (actual.join('\n') !== expected.join('\n') || names[0] !== 'index.plist') {
    warnings.push(`members are in the order ${names.join(', ')}; xbps reads index.plist, index-meta.plist, stage.plist in that order`);
  }
  const hasFiles = names.includes('index-files.plist');
  const layout: XbpsIndexLayout = data.has('stage.plist')
    ? 'repodata-0.60'
    : hasFiles
      ? data.has('index-meta.plist')
        ? 'repodata-0.27'
        : 'repodata-0.25'
      : 'repodata-0.42';

  const index = entriesOfDict(dictMember(data.get('index.plist')!, 'index.plist'), 'index.plist');
  const stage = data.has('stage.plist') ? entriesOfDict(dictMember(data.get('stage.plist')!, 'stage.plist'), 'stage.plist') : new Map<string, XbpsIndexEntry>();
  const metaBytes = data.get('index-meta.plist');
  let metaForm: XbpsMetaForm = 'absent';
  let meta: XbpsRepoMeta | undefined;
  if (metaBytes !== undefined) {
    if (metaBytes.length === 0) metaForm = 'empty';
    else if (metaBytes.length === DEADBEEF.length && decodeUtf8(metaBytes, 0, metaBytes.length) === DEADBEEF) metaForm = 'DEADBEEF';
    else {
      metaForm = 'dict';
      const dict = dictMember(metaBytes, 'index-meta.plist');
      meta = repoMetaOf(dict);
      if (!meta.complete) warnings.push('index-meta.plist lacks signature-by, public-key-size or public-key: xbps calls this an incomplete signed repository');
    }
  }
  return { layout, compression, members, index, stage, meta, metaForm, signed: meta?.complete ?? false, warnings };
}

function parseLegacyIndex(bytes: Uint8Array, compression: DetectedCompression): XbpsRepodata {
  const root = plistOf(bytes, 'index');
  const base = { compression, members: [], stage: new Map<string, XbpsIndexEntry>(), meta: undefined, metaForm: 'absent' as const, signed: false, warnings: [] };
  if (Array.isArray(root)) return { ...base, layout: 'index-1.4', index: entriesOfArray(root, 'index') };
  if (!isPlistDict(root)) throw new RepokitError('XBPS_BAD_REPODATA', 'not a repository index: the plist root is neither a dictionary nor an array');
  if (root.has('pkgindex-version')) {
    const key = root.has('packages') ? 'packages' : 'available-packages';
    const list = root.get(key);
    if (list !== undefined && !Array.isArray(list)) throw new RepokitError('XBPS_BAD_REPODATA', `pkgindex: ${key} is not an array`);
    const str = (k: string) => {
      const v = root.get(k);
      return typeof v === 'string' ? v : undefined;
    };
    const total = root.get('total-pkgs');
    const pkgindex: XbpsPkgIndexHeader = {
      pkgindexVersion: str('pkgindex-version'),
      locationLocal: str('location-local'),
      locationRemote: str('location-remote'),
      totalPkgs: isPlistInteger(total) ? integerValue(total) : undefined,
      packagesKey: key,
    };
    return { ...base, layout: 'pkgindex-1.0', index: entriesOfArray(list ?? [], key), pkgindex };
  }
  return { ...base, layout: 'index-1.6', index: entriesOfDict(root, 'index') };
}

/**
 * Parse a repository index whose container is already decompressed (`compression` says what it
 * was): a repodata tar or a standalone plist index. Pure and synchronous.
 */
export function parseRepodata(bytes: Uint8Array, compression: DetectedCompression = 'none', options: ReadRepodataOptions = {}): XbpsRepodata {
  if (isTar(bytes)) return parseRepodataTar(bytes, compression, options);
  if (bytes.length === 0) throw new RepokitError('XBPS_BAD_REPODATA', 'empty file: not a repository index', { offset: 0 });
  // Anything else must be a plist; a tar without the ustar magic is not something xbps wrote.
  const head = decodeUtf8(bytes, 0, Math.min(bytes.length, 256)).trimStart();
  if (!head.startsWith('<')) throw new RepokitError('XBPS_BAD_REPODATA', 'neither a repodata archive nor a plist index', { offset: 0 });
  return parseLegacyIndex(bytes, compression);
}

/**
 * Read an `<arch>-repodata` (or a legacy plist index) from a path, URL or bytes: decompress
 * (zstd, gzip, xz, bzip2, lz4 or none, by magic bytes), then {@link parseRepodata}.
 *
 * ```ts
 * const repo = await readRepodata('x86_64-repodata');
 * for (const [name, e] of repo.index) console.log(name, e.pkgver);
 * ```
 */
export async function readRepodata(input: string | URL | Uint8Array | ArrayBuffer, options: ReadRepodataOptions = {}): Promise<XbpsRepodata> {
  let file: string | undefined;
  let raw: Uint8Array;
  if (typeof input === 'string' || input instanceof URL) {
    const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
    file = typeof input === 'string' ? input : nodeBuiltin<typeof import('node:url')>('node:url').fileURLToPath(input);
    try {
      const b = await fs.promises.readFile(file);
      raw = new Uint8Array(b.buffer, b.byteOffset, b.length);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw new RepokitError('IO_ERROR', `cannot read: ${typeof code === 'string' ? code : String(e)}`, { file, cause: e });
    }
  } else {
    raw = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  }
  try {
    const compression = sniffCompression(raw.subarray(0, SNIFF_BYTES));
    const dopts = { ...(options.maxOutput !== undefined ? { maxOutput: options.maxOutput } : {}), ...(options.signal ? { signal: options.signal } : {}) };
    const bytes = compression === 'none' ? raw : await decompress(raw, dopts);
    return parseRepodata(bytes, compression, options);
  } catch (e) {
    if (isRepokitError(e) && file !== undefined) e.withFile(file);
    throw e;
  }
}
