/**
 * Writing `<arch>-repodata` as xbps-rindex 0.60 writes it: index entries made from props.plist,
 * the three members `index.plist`, `index-meta.plist`, `stage.plist` (an empty dictionary is a
 * 0-byte member) in a libarchive-style ustar archive, compressed with zstd by default, every
 * format at level 9.
 *
 * The entry and member building is pure; compression reaches node:zlib (and the other codecs of
 * src/shared/compression.ts) at call time.
 */
import { concatBytes } from '../shared/bytes.js';
import { RepokitError } from '../shared/errors.js';
import { compress, type Compression } from '../shared/compression.js';
import { nodeBuiltin } from '../shared/input.js';
import { writePlist } from './codecs.js';
import { plistInteger, type PlistDict, type PlistValue } from './types.js';
import { INDEX_DROPPED_KEYS, type XbpsIndexEntry } from './repodata.js';
import { writeRepodataTar, type RepodataTarMember } from './repodata-tar.js';

/** What an index entry is made from: a package's props.plist, SHA-256 and size. */
export interface IndexEntrySource {
  readonly props: PlistDict;
  readonly pkgver: string;
  readonly sha256: string;
  readonly size: number;
}

/**
 * The index entry `xbps-rindex -a` makes for a package: every props.plist key except `pkgname`,
 * `version` and `packaged-with`, plus `filename-sha256` (lowercase hex) and `filename-size`
 * (unsigned integer). Keyed by `pkgname` (given, or the name part of the pkgver).
 */
export function indexEntryFromPackage(pkg: IndexEntrySource, pkgname: string): XbpsIndexEntry {
  const dict: PlistDict = new Map<string, PlistValue>();
  for (const [k, v] of pkg.props) if (!INDEX_DROPPED_KEYS.includes(k)) dict.set(k, v);
  dict.set('filename-sha256', pkg.sha256.toLowerCase());
  dict.set('filename-size', plistInteger(pkg.size));
  return { pkgname, pkgver: pkg.pkgver, dict };
}

/** The three parts of a 0.60 repodata. */
export interface RepodataContents {
  readonly index: ReadonlyMap<string, XbpsIndexEntry>;
  readonly stage?: ReadonlyMap<string, XbpsIndexEntry>;
  /** The `index-meta.plist` dictionary of a signed repository (undefined or empty: unsigned). */
  readonly meta?: PlistDict | undefined;
}

function entriesDict(entries: ReadonlyMap<string, XbpsIndexEntry> | undefined): PlistDict {
  const d: PlistDict = new Map();
  for (const [k, e] of entries ?? []) d.set(k, e.dict);
  return d;
}

/** A dictionary as xbps stores it in repodata: its proplib text, or 0 bytes when it is empty. */
function memberBytes(d: PlistDict | undefined): Uint8Array {
  return d === undefined || d.size === 0 ? new Uint8Array(0) : writePlist(d);
}

/** The members of a 0.60 repodata in xbps-rindex's order: index.plist, index-meta.plist, stage.plist. */
export function repodataMembers(contents: RepodataContents): RepodataTarMember[] {
  return [
    { name: 'index.plist', data: memberBytes(entriesDict(contents.index)) },
    { name: 'index-meta.plist', data: memberBytes(contents.meta) },
    { name: 'stage.plist', data: memberBytes(entriesDict(contents.stage)) },
  ];
}

/** Options of {@link writeRepodata}. */
export interface WriteRepodataOptions {
  /** Container compression (default zstd, as xbps-rindex ≥ 0.59). */
  compression?: Compression;
  /** Compression level (default 9, what xbps-rindex uses for every format). */
  level?: number;
}

/** The compression names `--compression` accepts, as xbps-rindex spells them (all of xbps-rindex's). */
export const REPODATA_COMPRESSIONS: readonly Compression[] = ['zstd', 'xz', 'gzip', 'bzip2', 'lz4', 'none'];

/**
 * zstd the way libarchive's filter writes it for xbps-rindex: a streamed frame (window
 * descriptor, no content size) without a content checksum. With the same libzstd version the bytes
 * equal xbps-rindex's; other versions may choose slightly different matches.
 */
async function zstdLikeLibarchive(data: Uint8Array, level: number): Promise<Uint8Array> {
  const zlib = nodeBuiltin<typeof import('node:zlib')>('node:zlib');
  if (typeof zlib.createZstdCompress !== 'function') {
    throw new RepokitError('UNSUPPORTED_COMPRESSION', 'zstd needs node:zlib with zstd support (Node >= 22.15)');
  }
  const c = zlib.constants;
  const z = zlib.createZstdCompress({ params: { [c.ZSTD_c_compressionLevel]: level, [c.ZSTD_c_checksumFlag]: 0 } });
  const out: Uint8Array[] = [];
  const done = new Promise<void>((resolve, reject) => {
    z.on('data', (b: Uint8Array) => out.push(new Uint8Array(b.buffer, b.byteOffset, b.length)));
    z.on('end', resolve);
    z.on('error', reject);
  });
  // write() then end(): the size is unknown when the frame starts, as in a streaming writer.
  z.write(data);
  z.end();
  await done;
  return concatBytes(out);
}

/**
 * lz4 the way libarchive's filter writes it for xbps-rindex: one frame of independent blocks with
 * a 4 MiB block maximum (whatever the input size, unlike the `lz4` tool), a content checksum, no
 * block checksums and no content size. The blocks come from repokit's encoder, so only the frame
 * header equals xbps-rindex's bytes.
 */
async function lz4LikeLibarchive(data: Uint8Array, level: number): Promise<Uint8Array> {
  const { lz4Compress } = await import('../shared/lz4.js');
  return lz4Compress(data, { level, blockSize: 4194304, contentChecksum: true, blockChecksum: false, contentSize: false });
}

/**
 * The bytes of an `<arch>-repodata` file: the three members in xbps-rindex's tar layout,
 * compressed (zstd level 9 by default).
 */
export async function writeRepodata(contents: RepodataContents, options: WriteRepodataOptions = {}): Promise<Uint8Array> {
  const compression = options.compression ?? 'zstd';
  if (!REPODATA_COMPRESSIONS.includes(compression)) {
    throw new RepokitError('INVALID_ARGUMENT', `unknown repodata compression ${JSON.stringify(compression)} (expected ${REPODATA_COMPRESSIONS.join(', ')})`);
  }
  const tar = writeRepodataTar(repodataMembers(contents));
  const level = options.level ?? 9;
  if (compression === 'zstd') {
    if (!Number.isInteger(level) || level < 1 || level > 22) throw new RepokitError('INVALID_ARGUMENT', `zstd level must be an integer in 1..22, got ${String(level)}`);
    return zstdLikeLibarchive(tar, level);
  }
  if (compression === 'lz4') {
    if (!Number.isInteger(level) || level < 1 || level > 12) throw new RepokitError('INVALID_ARGUMENT', `lz4 level must be an integer in 1..12, got ${String(level)}`);
    return lz4LikeLibarchive(tar, level);
  }
  return compress(tar, compression, { level });
}
