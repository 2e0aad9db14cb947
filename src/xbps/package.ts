/**
 * `.xbps` packages: one streaming pass over the file gives `./props.plist`, `./files.plist`, the
 * SHA-256 and the size. The compressed stream is decoded only until both plists have been seen
 * (xbps-create writes them first, after the optional INSTALL/REMOVE scripts); the rest of the file
 * is only hashed. Compression (zstd, xz, gzip, bzip2, lz4 or none) is found by magic bytes.
 *
 * File and stream reading, hashing and decompression are edges (node:fs, node:crypto and the
 * codecs of src/shared/compression.ts), all reached at call time.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { DEFAULT_MAX_OUTPUT, decompressStream, sniffCompression, SNIFF_BYTES, type DetectedCompression } from '../shared/compression.js';
import { parseTar, readTar, type TarMember, type TarReadOptions } from '../shared/tar.js';
import { nodeBuiltin, type ByteInput } from '../shared/input.js';
import { parsePlist } from './codecs.js';
import { isPlistDict, type PlistDict } from './types.js';
import { entryString } from './repodata.js';
import { ioError } from '../shared/io-error.js';

type NodeFs = typeof import('node:fs');
type NodeCrypto = typeof import('node:crypto');

/** A `.xbps` package as read by {@link readXbpsPackage}. */
export interface XbpsPackage {
  /** `./props.plist`, every key as stored. */
  readonly props: PlistDict;
  /** `./files.plist` (undefined when reading was asked to skip it). */
  readonly files: PlistDict | undefined;
  /** `props.pkgver`. */
  readonly pkgver: string;
  /** `props.architecture`. */
  readonly architecture: string;
  /** SHA-256 of the whole file, lowercase hex (what repodata calls `filename-sha256`). */
  readonly sha256: string;
  /** Size of the whole file in bytes (`filename-size`). */
  readonly size: number;
  /** The package's compression, by magic bytes. */
  readonly compression: DetectedCompression;
  /** Names of the archive members read before the plists were complete (e.g. `./INSTALL`, `./props.plist`). */
  readonly leadingMembers: readonly string[];
}

/** Options of {@link readXbpsPackage}. */
export interface ReadXbpsPackageOptions {
  /**
   * Read `./files.plist` (default true). With false only `./props.plist` is needed, as for
   * xbps-rindex, which reads nothing else.
   */
  files?: boolean;
  /** Largest props.plist/files.plist accepted, in bytes (default 128 MiB); more is LIMIT_EXCEEDED. */
  maxPlistSize?: number;
  /** Largest decompressed size read while looking for the plists (default 1 GiB). */
  maxOutput?: number;
  signal?: AbortSignal;
}

/** How many leading members may come before both plists: xbps looks at the first four. */
const MAX_LEADING_MEMBERS = 4;
const DEFAULT_MAX_PLIST = 128 * 1024 * 1024;
const FIRST_CHUNK = 64 * 1024;
const CHUNK = 1024 * 1024;

/** Raw chunks of any input: small first chunk (so little is decoded), then 1 MiB reads. */
async function* inputChunks(input: ByteInput, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  if (input instanceof Uint8Array) {
    yield input.subarray(0, FIRST_CHUNK);
    for (let at = FIRST_CHUNK; at < input.length; at += CHUNK) yield input.subarray(at, at + CHUNK);
    return;
  }
  if (input instanceof ArrayBuffer) {
    yield* inputChunks(new Uint8Array(input), signal);
    return;
  }
  if (typeof input === 'string' || input instanceof URL) {
    const fs = nodeBuiltin<NodeFs>('node:fs');
    const path = typeof input === 'string' ? input : nodeBuiltin<typeof import('node:url')>('node:url').fileURLToPath(input);
    let fh: import('node:fs/promises').FileHandle;
    try {
      fh = await fs.promises.open(path, 'r');
    } catch (e) {
      throw ioError(e, path);
    }
    try {
      let size = FIRST_CHUNK;
      for (;;) {
        signal?.throwIfAborted();
        const buf = new Uint8Array(size);
        let n: number;
        try {
          ({ bytesRead: n } = await fh.read(buf, 0, size, null));
        } catch (e) {
          throw ioError(e, path);
        }
        if (n === 0) return;
        yield n === size ? buf : buf.subarray(0, n);
        size = CHUNK;
      }
    } finally {
      await fh.close().catch(() => undefined);
    }
  }
  const stream = input as unknown as AsyncIterable<unknown>;
  if (typeof (stream as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') {
    throw new RepokitError('INVALID_ARGUMENT', 'input must be a path, URL, Uint8Array, ArrayBuffer, Node Readable or ReadableStream');
  }
  try {
    for await (const c of stream) {
      signal?.throwIfAborted();
      if (c instanceof Uint8Array) yield c;
      else if (typeof c === 'string') yield new TextEncoder().encode(c);
      else throw new RepokitError('INVALID_ARGUMENT', 'stream produced a chunk that is not bytes');
    }
  } catch (e) {
    if (isRepokitError(e) || (e as { name?: string }).name === 'AbortError') throw e;
    throw ioError(e, undefined);
  }
}

/**
 * Hashes and counts every raw chunk as it passes, on the way to the decompressor. Its iterator's
 * `return` is a no-op, so the decompressor letting go early leaves the source open for
 * {@link HashingTee.drain}.
 */
class HashingTee implements AsyncIterable<Uint8Array> {
  readonly #it: AsyncIterator<Uint8Array>;
  readonly #hash: import('node:crypto').Hash | undefined;
  size = 0;
  head: Uint8Array | undefined;

  constructor(it: AsyncIterator<Uint8Array>, hash: boolean) {
    this.#it = it;
    this.#hash = hash ? nodeBuiltin<NodeCrypto>('node:crypto').createHash('sha256') : undefined;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    const r = await this.#it.next();
    if (!r.done) {
      this.#hash?.update(r.value);
      this.size += r.value.length;
      this.head ??= r.value.subarray(0, SNIFF_BYTES);
    }
    return r;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return { next: () => this.next(), return: async () => ({ done: true, value: undefined }) };
  }

  /** Hash everything not yet pulled; returns the digest. */
  async drain(): Promise<string> {
    while (!(await this.next()).done) {
      // hashed in next()
    }
    return this.#hash?.digest('hex') ?? '';
  }

  async close(): Promise<void> {
    await this.#it.return?.();
  }
}

function checkMaxPlist(v: number | undefined): number {
  if (v === undefined) return DEFAULT_MAX_PLIST;
  if (!Number.isSafeInteger(v) || v < 0) throw new RepokitError('INVALID_ARGUMENT', `maxPlistSize must be a non-negative integer, got ${String(v)}`);
  return v;
}

/** Parse a plist member that must be a dictionary. */
function plistDictMember(data: Uint8Array, name: string): PlistDict {
  let v;
  try {
    v = parsePlist(data);
  } catch (e) {
    if (isRepokitError(e)) throw new RepokitError(e.code, `${name}: ${e.detail}`, { line: e.line, column: e.column, cause: e });
    throw e;
  }
  if (!isPlistDict(v)) throw new RepokitError('XBPS_BAD_PACKAGE', `${name} is not a dictionary`);
  return v;
}

/**
 * Read a `.xbps` package in one streaming pass: `./props.plist` and `./files.plist` (which must be
 * among the first four members, as xbps requires), the SHA-256 and the size of the whole file.
 * The input is a path, URL, bytes, a Node Readable or a web ReadableStream.
 *
 * ```ts
 * const pkg = await readXbpsPackage('foo-1.0_1.x86_64.xbps');
 * pkg.pkgver; pkg.sha256; pkg.props.get('run_depends');
 * ```
 */
export async function readXbpsPackage(input: ByteInput, options: ReadXbpsPackageOptions = {}): Promise<XbpsPackage> {
  return readPackage(input, options, true) as Promise<XbpsPackage>;
}

/** The plists of a package without hashing it (sha256 is '' and size counts only the bytes read). @internal */
export function readXbpsPackageHead(input: ByteInput, options: ReadXbpsPackageOptions = {}): Promise<XbpsPackage> {
  return readPackage(input, options, false);
}

/** Collects the plists from the leading members, whichever driver (sync or async tar) feeds them. */
class PlistCollector {
  propsData: Uint8Array | undefined;
  filesData: Uint8Array | undefined;
  sawFiles = false;
  readonly leading: string[] = [];
  constructor(readonly wantFiles: boolean) {}

  /** Tar options selecting the plists' data. */
  tarOptions(maxPlist: number): TarReadOptions {
    const want = this.wantFiles;
    return {
      maxMemberSize: maxPlist,
      wantData: (e) => e.type === 'file' && (e.name === './props.plist' || e.name === 'props.plist' || (want && (e.name === './files.plist' || e.name === 'files.plist'))),
    };
  }

  /** Take one member; true when reading can stop. */
  add(m: TarMember): boolean {
    const name = m.entry.name.replace(/^\.\//, '');
    this.leading.push(m.entry.name);
    if (name === 'props.plist' && m.entry.type === 'file') this.propsData = m.data ?? new Uint8Array(0);
    if (name === 'files.plist' && m.entry.type === 'file') {
      this.sawFiles = true;
      this.filesData = m.data;
    }
    if (this.propsData !== undefined && (this.sawFiles || !this.wantFiles)) return true;
    return this.leading.length >= MAX_LEADING_MEMBERS;
  }

  /** The package, once the members are read. */
  finish(sha256: string, size: number, compression: DetectedCompression): XbpsPackage {
    const { propsData, leading } = this;
    if (propsData === undefined) throw new RepokitError('XBPS_BAD_PACKAGE', `no ./props.plist among the first ${MAX_LEADING_MEMBERS} members (${leading.join(', ') || 'empty archive'})`);
    if (!this.sawFiles && this.wantFiles) throw new RepokitError('XBPS_BAD_PACKAGE', `no ./files.plist among the first ${MAX_LEADING_MEMBERS} members (${leading.join(', ')})`);
    const props = plistDictMember(propsData, 'props.plist');
    const files = this.wantFiles ? plistDictMember(this.filesData ?? new Uint8Array(0), 'files.plist') : undefined;
    const pkgver = entryString(props, 'pkgver', 'props.plist');
    const architecture = entryString(props, 'architecture', 'props.plist');
    if (pkgver === undefined) throw new RepokitError('XBPS_BAD_PACKAGE', 'props.plist has no pkgver');
    if (architecture === undefined) throw new RepokitError('XBPS_BAD_PACKAGE', 'props.plist has no architecture');
    return { props, files, pkgver, architecture, sha256, size, compression, leadingMembers: leading };
  }
}

/** Packages up to this size, given as bytes, are decoded in one synchronous step (see below). */
const SMALL_PACKAGE = 256 * 1024;

/**
 * A small in-memory package in gzip, zstd or no compression: decompressed in one synchronous
 * node:zlib call (capped at maxOutput) and walked with the sync tar reader. For small packages
 * this is several times cheaper than setting up the streaming pipeline, and decoding all of a
 * package of at most 256 KiB costs less than the stream's own overhead.
 */
function readSmallPackage(bytes: Uint8Array, compression: 'none' | 'gzip' | 'zstd', options: ReadXbpsPackageOptions, hash: boolean): XbpsPackage {
  const maxOutput = options.maxOutput ?? DEFAULT_MAX_OUTPUT;
  let tar = bytes;
  if (compression !== 'none') {
    const zlib = nodeBuiltin<typeof import('node:zlib')>('node:zlib');
    try {
      const out = compression === 'gzip' ? zlib.gunzipSync(bytes, { maxOutputLength: maxOutput }) : zlib.zstdDecompressSync(bytes, { maxOutputLength: maxOutput });
      tar = new Uint8Array(out.buffer, out.byteOffset, out.length);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new RepokitError('LIMIT_EXCEEDED', `decompressed data is larger than maxOutput (${maxOutput} bytes)`, { cause: e });
      }
      const msg = e instanceof Error ? e.message : String(e);
      if (/unexpected end|truncated/i.test(msg)) throw new RepokitError('TRUNCATED', `${compression} data ends early: ${msg}`, { cause: e });
      throw new RepokitError('CORRUPT_COMPRESSED_DATA', `${compression} data is damaged: ${msg}`, { cause: e });
    }
  } else if (bytes.length > maxOutput) {
    throw new RepokitError('LIMIT_EXCEEDED', `decompressed data is larger than maxOutput (${maxOutput} bytes)`);
  }
  const collect = new PlistCollector(options.files ?? true);
  for (const m of parseTar(tar, collect.tarOptions(checkMaxPlist(options.maxPlistSize)))) {
    if (collect.add(m)) break;
  }
  const sha256 = hash ? nodeBuiltin<NodeCrypto>('node:crypto').createHash('sha256').update(bytes).digest('hex') : '';
  return collect.finish(sha256, bytes.length, compression);
}

async function readPackage(input: ByteInput, options: ReadXbpsPackageOptions, hash: boolean): Promise<XbpsPackage> {
  const maxPlist = checkMaxPlist(options.maxPlistSize);
  const file = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
  const bytes = input instanceof Uint8Array ? input : input instanceof ArrayBuffer ? new Uint8Array(input) : undefined;
  if (bytes !== undefined && bytes.length <= SMALL_PACKAGE) {
    const c = sniffCompression(bytes.subarray(0, SNIFF_BYTES));
    const zlib = (globalThis as { process?: { getBuiltinModule?: (n: string) => { zstdDecompressSync?: unknown } | undefined } }).process?.getBuiltinModule?.('node:zlib');
    if (c === 'none' || c === 'gzip' || (c === 'zstd' && typeof zlib?.zstdDecompressSync === 'function')) {
      options.signal?.throwIfAborted();
      try {
        return readSmallPackage(bytes, c, options, hash);
      } catch (e) {
        if (isRepokitError(e) && e.code === 'XBPS_BAD_ENTRY') throw new RepokitError('XBPS_BAD_PACKAGE', e.detail, { cause: e });
        throw e;
      }
    }
  }
  const tee = new HashingTee(inputChunks(input, options.signal)[Symbol.asyncIterator](), hash);
  try {
    const collect = new PlistCollector(options.files ?? true);
    const decoded = decompressStream(tee, { ...(options.maxOutput !== undefined ? { maxOutput: options.maxOutput } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    for await (const m of readTar(decoded, collect.tarOptions(maxPlist))) {
      if (collect.add(m)) break;
    }
    const compression = sniffCompression(tee.head ?? new Uint8Array(0));
    const sha256 = hash && collect.propsData !== undefined ? await tee.drain() : '';
    return collect.finish(sha256, tee.size, compression);
  } catch (e) {
    if (isRepokitError(e) && file !== undefined) e.withFile(file);
    if (isRepokitError(e) && e.code === 'XBPS_BAD_ENTRY') throw new RepokitError('XBPS_BAD_PACKAGE', e.detail, { file, cause: e });
    throw e;
  } finally {
    await tee.close();
  }
}
