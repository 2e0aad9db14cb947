/**
 * The typed repository model shared by the repodata reader, the writer and xbps-rindex's modes:
 * one shape for every index generation xbps ever wrote (see docs/xbps.md, "Packages and
 * repodata"). Pure: no Node built-ins.
 */
import { RepokitError } from '../shared/errors.js';
import type { DetectedCompression } from '../shared/compression.js';
import { isPlistDict, isPlistInteger, integerValue, plistInteger, type PlistDict, type PlistValue } from './types.js';
import { compareUtf8 } from './plist-write.js';

/**
 * Which generation of repository index a file is (named after the first xbps version that wrote it):
 *
 * - `repodata-0.60`: `<arch>-repodata` tar with `index.plist`, `index-meta.plist`, `stage.plist`.
 * - `repodata-0.42`: tar with `index.plist` + `index-meta.plist` (0.42–0.59; meta may be `DEADBEEF`).
 * - `repodata-0.27`: tar with `index.plist`, `index-meta.plist`, `index-files.plist` (0.27–0.41).
 * - `repodata-0.25`: tar with `index.plist` + `index-files.plist` (0.25–0.26).
 * - `index-1.6`: a plain (or gzip) plist dict keyed by pkgname (`<arch>-index.plist`, 0.19–0.24).
 * - `index-1.4`: a plist array of package dicts (`rindex.plist`/`index.plist`, 0.12–0.18).
 * - `pkgindex-1.0`: a plist dict with `pkgindex-version` and a `packages` (or, as the
 *   BINPKG_REPOSITORY document says, `available-packages`) array (xbps 0.1–0.11).
 */
export type XbpsIndexLayout =
  | 'repodata-0.60'
  | 'repodata-0.42'
  | 'repodata-0.27'
  | 'repodata-0.25'
  | 'index-1.6'
  | 'index-1.4'
  | 'pkgindex-1.0';

/** One package in an index (or stage): its name, pkgver and the dictionary exactly as stored. */
export interface XbpsIndexEntry {
  /** The dictionary key (for legacy array indexes: derived from `pkgver` or `pkgname`). */
  readonly pkgname: string;
  /** `name-version_revision`; synthesised from legacy `pkgname` + `version` when absent. */
  readonly pkgver: string;
  /** Every key as stored, in the order read (the writer sorts keys like proplib). */
  readonly dict: PlistDict;
}

/** What `index-meta.plist` says about a signed repository. */
export interface XbpsRepoMeta {
  /** The dictionary as stored. */
  readonly dict: PlistDict;
  /** `signature-by`. */
  readonly signatureBy: string | undefined;
  /** `public-key`: PEM text of the RSA public key, as bytes. */
  readonly publicKey: Uint8Array | undefined;
  /** `public-key-size` in bits. */
  readonly publicKeySize: number | undefined;
  /** `signature-type` (always "rsa"; xbps never reads it). */
  readonly signatureType: string | undefined;
  /** True when all three keys xbps requires (signature-by, public-key-size ≠ 0, public-key) are there. */
  readonly complete: boolean;
}

/** How the meta member looked: absent, 0 bytes, the legacy `DEADBEEF` marker, or a dict. */
export type XbpsMetaForm = 'absent' | 'empty' | 'DEADBEEF' | 'dict';

/** A tar member of a repodata archive, as read. */
export interface XbpsRepodataMember {
  readonly name: string;
  readonly size: number;
}

/** Header fields of the 1.0–1.3 `pkgindex` documents (BINPKG_REPOSITORY). */
export interface XbpsPkgIndexHeader {
  readonly pkgindexVersion: string | undefined;
  readonly locationLocal: string | undefined;
  readonly locationRemote: string | undefined;
  readonly totalPkgs: number | bigint | undefined;
  /** Which array key held the packages. */
  readonly packagesKey: 'packages' | 'available-packages';
}

/** Any generation of XBPS repository index, in one model. */
export interface XbpsRepodata {
  readonly layout: XbpsIndexLayout;
  /** The container's compression, by magic bytes. */
  readonly compression: DetectedCompression;
  /** Tar members in archive order (empty for the plain plist generations). */
  readonly members: readonly XbpsRepodataMember[];
  /** Published packages keyed by pkgname (an empty member gives an empty map). */
  readonly index: Map<string, XbpsIndexEntry>;
  /** Staged packages (`stage.plist`, 0.60+); empty when absent. */
  readonly stage: Map<string, XbpsIndexEntry>;
  /** The repository key, when `index-meta.plist` is a dict. */
  readonly meta: XbpsRepoMeta | undefined;
  readonly metaForm: XbpsMetaForm;
  /** True when the meta is complete, i.e. xbps treats the repository as signed. */
  readonly signed: boolean;
  /** For `pkgindex-1.0`: the document's header fields. */
  readonly pkgindex?: XbpsPkgIndexHeader;
  /** Things the real xbps would refuse (e.g. `./index.plist`, members out of order) that were accepted. */
  readonly warnings: readonly string[];
}

/** Keys `xbps-rindex -a` removes from props.plist when it makes an index entry. */
export const INDEX_DROPPED_KEYS: readonly string[] = ['pkgname', 'version', 'packaged-with'];

// --- field access --------------------------------------------------------------------------------

/** A string field of an entry, or undefined when absent (XBPS_BAD_ENTRY when present with another type). */
export function entryString(dict: PlistDict, key: string, where = 'entry'): string | undefined {
  const v = dict.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new RepokitError('XBPS_BAD_ENTRY', `${where}: ${key} is not a string`);
  return v;
}

/** A string-array field (absent: []); non-string elements are XBPS_BAD_ENTRY. */
export function entryStrings(dict: PlistDict, key: string, where = 'entry'): string[] {
  const v = dict.get(key);
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new RepokitError('XBPS_BAD_ENTRY', `${where}: ${key} is not an array of strings`);
  }
  return v as string[];
}

/** An integer field as a number when exact, else a bigint. */
export function entryInteger(dict: PlistDict, key: string, where = 'entry'): number | bigint | undefined {
  const v = dict.get(key);
  if (v === undefined) return undefined;
  if (!isPlistInteger(v)) throw new RepokitError('XBPS_BAD_ENTRY', `${where}: ${key} is not an integer`);
  return integerValue(v);
}

/** The `architecture` of an entry. */
export function entryArch(e: XbpsIndexEntry): string | undefined {
  return entryString(e.dict, 'architecture', e.pkgname);
}

/** `filename-sha256` (lowercase hex) of an entry. */
export function entrySha256(e: XbpsIndexEntry): string | undefined {
  return entryString(e.dict, 'filename-sha256', e.pkgname);
}

/** `filename-size` of an entry. */
export function entrySize(e: XbpsIndexEntry): number | bigint | undefined {
  return entryInteger(e.dict, 'filename-size', e.pkgname);
}

/** The package file name xbps expects for an entry: `<pkgver>.<arch>.xbps`. */
export function entryFileName(e: XbpsIndexEntry): string {
  const arch = entryArch(e);
  if (arch === undefined) throw new RepokitError('XBPS_BAD_ENTRY', `${e.pkgname}: no architecture`);
  const name = xbpsFileName(e.pkgver, arch);
  // The name comes from the repodata, which may be hostile: it must stay one path component.
  if (/[/\0]/.test(name) || name.startsWith('.')) {
    throw new RepokitError('XBPS_BAD_ENTRY', `${e.pkgname}: ${JSON.stringify(name)} is not a package file name`);
  }
  return name;
}

/** `<pkgver>.<arch>.xbps`, the name xbps-create gives a package. */
export function xbpsFileName(pkgver: string, arch: string): string {
  return `${pkgver}.${arch}.xbps`;
}

/**
 * Split a package file name `<pkgver>.<arch>.xbps` into pkgver and arch (at the last `.` before
 * `.xbps`, as xbps_binpkg_pkgver/arch do). Undefined when the name does not end in `.xbps` or has
 * no arch part.
 */
export function parseXbpsFileName(name: string): { pkgver: string; arch: string } | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (!base.endsWith('.xbps')) return undefined;
  const stem = base.slice(0, -'.xbps'.length);
  const dot = stem.lastIndexOf('.');
  if (dot <= 0 || dot === stem.length - 1) return undefined;
  return { pkgver: stem.slice(0, dot), arch: stem.slice(dot + 1) };
}

/** The file name of a repository index: `<arch>-repodata`. */
export function repodataFileName(arch: string): string {
  return `${arch}-repodata`;
}

/** The typed view of an `index-meta.plist` dictionary. */
export function repoMetaOf(dict: PlistDict): XbpsRepoMeta {
  const str = (k: string) => {
    const v = dict.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const pk = dict.get('public-key');
  const size = dict.get('public-key-size');
  const publicKeySize = isPlistInteger(size) && size.value >= 0n && size.value <= 0xffffn ? Number(size.value) : undefined;
  const publicKey = pk instanceof Uint8Array ? pk : undefined;
  const signatureBy = str('signature-by');
  return {
    dict,
    signatureBy,
    publicKey,
    publicKeySize,
    signatureType: str('signature-type'),
    complete: signatureBy !== undefined && publicKey !== undefined && publicKeySize !== undefined && publicKeySize !== 0,
  };
}

/** The `index-meta.plist` dictionary `xbps-rindex --sign` writes. */
export function repoMetaDict(publicKey: Uint8Array, publicKeySize: number, signatureBy: string): PlistDict {
  return new Map<string, PlistValue>([
    ['public-key', publicKey],
    ['public-key-size', plistInteger(publicKeySize)],
    ['signature-by', signatureBy],
    ['signature-type', 'rsa'],
  ]);
}

/** Throws XBPS_BAD_ENTRY unless `v` is a dict (the value of an index key). */
export function asEntryDict(v: PlistValue, where: string): PlistDict {
  if (!isPlistDict(v)) throw new RepokitError('XBPS_BAD_ENTRY', `${where}: the entry is not a dictionary`);
  return v;
}

/** JSON form of a plist value: integers as numbers when exact (else decimal strings), data as base64, dicts as objects. */
export type XbpsJson = string | number | boolean | XbpsJson[] | { [key: string]: XbpsJson };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + (i + 2 < b.length ? B64[n & 63]! : '=');
  }
  return s;
}

/**
 * A plist value as JSON: dictionaries become objects (keys in proplib's sorted order, created with
 * no prototype so `__proto__` stays an ordinary key), integers numbers when exact and decimal
 * strings otherwise, `<data>` base64 strings.
 */
export function plistToJson(v: PlistValue): XbpsJson {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Uint8Array) return base64(v);
  if (Array.isArray(v)) return v.map(plistToJson);
  if (isPlistDict(v)) {
    const o = Object.create(null) as { [key: string]: XbpsJson };
    for (const k of [...v.keys()].sort(compareUtf8)) o[k] = plistToJson(v.get(k)!);
    return o;
  }
  const n = integerValue(v);
  return typeof n === 'number' ? n : n.toString();
}
