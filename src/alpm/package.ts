/**
 * Reading pacman package files (`.pkg.tar.zst`, `.xz`, `.gz`, `.bz2`, `.lz4`, `.lz`, `.Z`, `.lzo`,
 * `.lrz`, or plain `.pkg.tar`: every compression makepkg writes; `.lzo` and `.lrz` need the `lzop`
 * / `lrzip` program, as libarchive does) in one streaming pass: the raw bytes are hashed (SHA-256, MD5) and counted (`%CSIZE%`) while they are
 * decompressed and walked as a tar, which yields `.PKGINFO` and the file list. Only `.PKGINFO` is
 * buffered; every other member's data is skipped. The compression is sniffed from the content.
 *
 * The result feeds {@link packageDescEntry}, which gives the sync-database entry repo-add writes
 * for the package.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { decodeUtf8, toHex } from '../shared/bytes.js';
import { nodeBuiltin, type NodeReadableLike } from '../shared/input.js';
import { COMPRESSION_SUFFIX, SNIFF_BYTES, decompress, decompressStream, sniffCompression, type DetectedCompression } from '../shared/compression.js';
import { normalizeTarPath, parseTar, readTar, type TarEntry, type TarMember } from '../shared/tar.js';
import { createHasher, fileChunks } from '../shared/hash.js';
import { decodePkginfo, descEntryFromPkginfo, type Pkginfo } from './pkginfo.js';
import { compareCodePoints } from './text.js';
import type { DescEntry } from './types.js';
import type { AlpmIssue } from './validate.js';
import { argArray, argObject, argOptions, argString } from './args.js';

/** What {@link readPackage} accepts: a path, bytes, a Node Readable, a web stream or any async iterable of bytes. */
export type PackageInput = string | URL | Uint8Array | ArrayBuffer | NodeReadableLike | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Limits of {@link readPackage} (see docs/alpm.md, "Limits"). */
export const PACKAGE_LIMITS = {
  /** Largest `.PKGINFO` read (1 MiB). */
  maxPkginfoSize: 1024 * 1024,
  /** Most tar members (1,000,000). */
  maxMembers: 1_000_000,
  /** Largest decompressed archive (64 GiB): a decompression bomb stops here. */
  maxUncompressedSize: 64 * 1024 * 1024 * 1024,
} as const;

/** repo-add refuses signature files larger than this (16 KiB). */
export const MAX_SIGNATURE_SIZE = 16384;

export interface ReadPackageOptions {
  /**
   * The `%FILENAME%` of the package. Default: the base name of a path input; for bytes and
   * streams `name-version-arch.pkg.tar<suffix>` built from `.PKGINFO` and the sniffed compression.
   */
  filename?: string;
  /**
   * The detached signature to embed as `%PGPSIG%`: `true` reads `<path>.sig` when it exists (path
   * inputs only), bytes are used as given, `false` (default) reads none. An ASCII-armored or
   * oversized (> 16 KiB) signature is ALPM_BAD_SIGNATURE, as in repo-add.
   */
  signature?: boolean | Uint8Array;
  /** Largest `.PKGINFO` (default {@link PACKAGE_LIMITS}.maxPkginfoSize). */
  maxPkginfoSize?: number;
  /** Most tar members (default {@link PACKAGE_LIMITS}.maxMembers). */
  maxMembers?: number;
  /** Largest decompressed size (default {@link PACKAGE_LIMITS}.maxUncompressedSize). */
  maxUncompressedSize?: number;
  signal?: AbortSignal;
}

/** A package file as repo-add sees it. */
export interface AlpmPackageFile {
  /** `%FILENAME%`: the package file's base name. */
  filename: string;
  /** The `.PKGINFO` text as stored. */
  pkginfoText: string;
  /** `.PKGINFO` decoded (tolerant, libalpm's rules). */
  pkginfo: Pkginfo;
  /** What the tolerant `.PKGINFO` decoder noticed. */
  warnings: AlpmIssue[];
  /**
   * The `%FILES%` list: member names without the top-level dot entries (`.PKGINFO`, `.MTREE`,
   * `.BUILDINFO`, `.INSTALL`, `.CHANGELOG`, any name starting with `.`), directories ending in
   * `/`, sorted by byte order and unique — what repo-add's `bsdtar --exclude='^.*' -tf | sort -u` gives.
   */
  files: string[];
  /** Top-level metadata members present (`.PKGINFO`, `.BUILDINFO`, `.MTREE`, `.INSTALL`, ...). */
  metadataFiles: string[];
  /** `%CSIZE%`: size of the package file in bytes. */
  csize: number;
  /** `%ISIZE%`: installed size from `.PKGINFO` `size`, when it is a number. */
  isize: number | undefined;
  /** SHA-256 of the package file, lower-case hex. */
  sha256sum: string;
  /** MD5 of the package file, lower-case hex (desc v1 only). */
  md5sum: string;
  /** Base64 of the detached signature, when one was asked for and found. */
  pgpsig?: string;
  /** Compression of the package file, sniffed from its first bytes. */
  compression: DetectedCompression;
}

type NodeFs = typeof import('node:fs');
type NodeFsPromises = typeof import('node:fs/promises');
type NodePath = typeof import('node:path');

const ARMOR = 'BEGIN PGP SIGNATURE';
/** Whole-file reads below this size: one read, then the synchronous tar walk (faster for typical packages). */
export const WHOLE_FILE_MAX = 32 * 1024 * 1024;
/** Largest tar inflated into memory in one piece; beyond it the walk streams. */
export const WHOLE_TAR_MAX = 64 * 1024 * 1024;

function posInt(v: number | undefined, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < 1) throw new RepokitError('INVALID_ARGUMENT', `${what} must be a positive integer, not ${String(v)}`);
  return v;
}

/**
 * repo-add's file-list rule: `bsdtar --exclude='^.*'` drops every member whose name, after any
 * leading `./`, starts with `.` (so `.PKGINFO` and a top-level `.hidden/` tree, but not
 * `usr/.hidden`); the archive root `./` itself stays, as bsdtar lists it.
 */
export function isListedInFiles(name: string): boolean {
  argString(name, 'name');
  let s = name;
  while (s.startsWith('./')) {
    s = s.slice(2);
    while (s.startsWith('/')) s = s.slice(1);
  }
  return !s.startsWith('.');
}

/** Sort paths by byte order (UTF-8 byte order equals code point order) and drop duplicates. */
export function sortFileList(paths: Iterable<string>): string[] {
  if (paths === null || typeof paths !== 'object' || !(Symbol.iterator in paths)) argArray(paths, 'paths');
  return [...new Set(paths)].sort(compareCodePoints);
}

/** Collects what the tar walk yields. */
class PackageCollector {
  pkginfo: Uint8Array | undefined;
  names: string[] = [];
  metadata: string[] = [];

  add(m: TarMember): void {
    const e = m.entry;
    const norm = normalizeTarPath(e.name);
    if (norm === '.PKGINFO' && this.pkginfo === undefined && m.data !== undefined) this.pkginfo = m.data.slice();
    if (!norm.includes('/') && norm.startsWith('.') && norm !== '.') this.metadata.push(norm);
    if (!isListedInFiles(e.name)) return;
    // A directory stored without its trailing slash is still listed as a directory (pacman's rule).
    this.names.push(e.type === 'directory' && !e.name.endsWith('/') ? `${e.name}/` : e.name);
  }
}

function tarOptions(o: ReadPackageOptions) {
  const maxPkginfo = posInt(o.maxPkginfoSize, PACKAGE_LIMITS.maxPkginfoSize, 'maxPkginfoSize');
  return {
    maxMemberSize: maxPkginfo,
    maxMembers: posInt(o.maxMembers, PACKAGE_LIMITS.maxMembers, 'maxMembers'),
    maxTotalSize: posInt(o.maxUncompressedSize, PACKAGE_LIMITS.maxUncompressedSize, 'maxUncompressedSize'),
    wantData: (e: TarEntry) => e.type === 'file' && normalizeTarPath(e.name) === '.PKGINFO',
  };
}

/** Hashes and counts the raw bytes as they pass; `return()` from a consumer does not stop the source. */
class HashingTap implements AsyncIterableIterator<Uint8Array> {
  readonly sha256 = createHasher('sha256');
  readonly md5 = createHasher('md5');
  size = 0;
  head: Uint8Array | undefined;
  #src: AsyncIterator<Uint8Array>;
  #done = false;

  constructor(src: AsyncIterable<Uint8Array>) {
    this.#src = src[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#done) return { done: true, value: undefined };
    const r = await this.#src.next();
    if (r.done) {
      this.#done = true;
      return r;
    }
    const c = toBytes(r.value);
    if (this.head === undefined) this.head = c.slice(0, SNIFF_BYTES);
    this.size += c.length;
    this.sha256.update(c);
    this.md5.update(c);
    return { done: false, value: c };
  }

  /** The decompressor stopping early must not end hashing: the rest is read by {@link finish}. */
  async return(): Promise<IteratorResult<Uint8Array>> {
    return { done: true, value: undefined };
  }

  /** Read (and hash) whatever the consumer left unread. */
  async finish(): Promise<void> {
    while (!(await this.next()).done) {
      // hashing happens in next()
    }
  }

  async close(): Promise<void> {
    if (!this.#done) {
      this.#done = true;
      await this.#src.return?.();
    }
  }
}

function toBytes(c: unknown): Uint8Array {
  if (c instanceof Uint8Array) return c;
  if (c instanceof ArrayBuffer) return new Uint8Array(c);
  if (typeof c === 'string') return new TextEncoder().encode(c);
  throw new RepokitError('INVALID_ARGUMENT', 'the stream produced a chunk that is not bytes');
}

function asChunks(input: Exclude<PackageInput, string | URL | Uint8Array | ArrayBuffer>): AsyncIterable<Uint8Array> {
  if (typeof (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') return input as AsyncIterable<Uint8Array>;
  if (typeof (input as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (input as ReadableStream<Uint8Array>).getReader();
    return {
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            const r = await reader.read();
            if (r.done) return;
            yield r.value;
          }
        } finally {
          reader.releaseLock();
        }
      },
    };
  }
  throw new RepokitError('INVALID_ARGUMENT', 'input must be a path, URL, bytes, a Node Readable, a ReadableStream or an async iterable of bytes');
}

function base64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/**
 * The `%PGPSIG%` value of a detached signature as repo-add computes it: base64 without line
 * breaks. ASCII-armored signatures and signatures over 16 KiB are ALPM_BAD_SIGNATURE; an empty
 * file gives `undefined` (repo-add writes no `%PGPSIG%` then).
 */
export function signatureToPgpsig(sig: Uint8Array, file?: string): string | undefined {
  if (!(sig instanceof Uint8Array)) throw new RepokitError('INVALID_ARGUMENT', 'sig must be a Uint8Array');
  if (sig.length > MAX_SIGNATURE_SIZE) {
    throw new RepokitError('ALPM_BAD_SIGNATURE', `signature is ${sig.length} bytes, more than repo-add's limit of ${MAX_SIGNATURE_SIZE}`, { file });
  }
  if (decodeUtf8(sig, 0, sig.length).includes(ARMOR)) {
    throw new RepokitError('ALPM_BAD_SIGNATURE', 'ASCII-armored signatures cannot be embedded (repo-add needs a binary .sig)', { file });
  }
  return sig.length === 0 ? undefined : base64(sig);
}

async function readSignatureFile(path: string): Promise<Uint8Array | undefined> {
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  try {
    const st = await fs.stat(path);
    if (!st.isFile()) return undefined;
    if (st.size > MAX_SIGNATURE_SIZE) {
      throw new RepokitError('ALPM_BAD_SIGNATURE', `signature is ${st.size} bytes, more than repo-add's limit of ${MAX_SIGNATURE_SIZE}`, { file: path });
    }
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    if (isRepokitError(e)) throw e;
    if ((e as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new RepokitError('IO_ERROR', `cannot read the signature: ${(e as Error).message}`, { file: path, cause: e });
  }
}

const SUFFIX_OF: Record<DetectedCompression, string> = COMPRESSION_SUFFIX;

/**
 * Read a package file in one pass: `.PKGINFO`, the file list, size, SHA-256 and MD5, and (with
 * `signature`) the detached signature. Paths up to 32 MiB are read in one piece and larger ones streamed; archives that inflate past 64 MiB are walked streaming;
 * bytes, Node Readables, web streams and async iterables are streamed.
 *
 * Throws RepokitError: ALPM_BAD_PACKAGE (no `.PKGINFO`), ALPM_BAD_SIGNATURE, TAR_UNSAFE_PATH
 * (an absolute or `..` member name), TAR_BAD_HEADER, TRUNCATED, CORRUPT_COMPRESSED_DATA,
 * UNSUPPORTED_COMPRESSION (lzop or lrzip data when the `lzop` / `lrzip` program is missing),
 * LIMIT_EXCEEDED, IO_ERROR. Errors carry the path.
 */
export async function readPackage(input: PackageInput, options: ReadPackageOptions = {}): Promise<AlpmPackageFile> {
  const path = typeof input === 'string' ? input : input instanceof URL ? nodeBuiltin<typeof import('node:url')>('node:url').fileURLToPath(input) : undefined;
  try {
    return await readPackageInner(input, path, options);
  } catch (e) {
    if (isRepokitError(e) && path !== undefined) e.withFile(path);
    throw e;
  }
}

/** @internal A package file already read and hashed (by a worker of read-pool.ts), maybe inflated. */
export interface PreparedPackage {
  whole: Uint8Array;
  sha256: string;
  md5: string;
  /** The inflated tar, when the worker could inflate it within {@link WHOLE_TAR_MAX}. */
  tar?: Uint8Array;
}

/** @internal {@link readPackage} of a path whose bytes, hashes and maybe tar are at hand. */
export async function readPackagePrepared(path: string, pre: PreparedPackage, options: ReadPackageOptions = {}): Promise<AlpmPackageFile> {
  try {
    return await readPackageInner(path, path, options, pre);
  } catch (e) {
    if (isRepokitError(e)) e.withFile(path);
    throw e;
  }
}

async function readPackageInner(input: PackageInput, path: string | undefined, options: ReadPackageOptions, pre?: PreparedPackage): Promise<AlpmPackageFile> {
  const topts = tarOptions(options);
  const maxOutput = topts.maxTotalSize + 1024 * 1024; // tar headers and padding on top of member data
  const collector = new PackageCollector();
  let size: number;
  let sha256: string;
  let md5: string;
  let head: Uint8Array;

  let whole: Uint8Array | undefined;
  if (pre !== undefined) {
    whole = pre.whole;
  } else if (path !== undefined) {
    const fs = nodeBuiltin<NodeFs>('node:fs');
    let st: import('node:fs').Stats;
    try {
      st = await fs.promises.stat(path);
    } catch (e) {
      throw new RepokitError('IO_ERROR', `cannot stat: ${(e as Error).message.replace(/^[A-Z]+: /, '').replace(/, stat .*$/, '')}`, { file: path, cause: e });
    }
    if (st.isFile() && st.size <= WHOLE_FILE_MAX) {
      try {
        const b = await fs.promises.readFile(path);
        whole = new Uint8Array(b.buffer, b.byteOffset, b.length);
      } catch (e) {
        throw new RepokitError('IO_ERROR', `cannot read: ${(e as Error).message}`, { file: path, cause: e });
      }
    }
  } else if (input instanceof Uint8Array) {
    whole = input;
  } else if (input instanceof ArrayBuffer) {
    whole = new Uint8Array(input);
  }

  if (whole !== undefined) {
    // One buffer: hash it, then walk it — synchronously when it is a plain tar, else through the
    // streaming decompressor (so only .PKGINFO is ever held, however far the data expands).
    options.signal?.throwIfAborted();
    if (pre !== undefined) {
      sha256 = pre.sha256;
      md5 = pre.md5;
    } else {
      const h1 = createHasher('sha256');
      const h2 = createHasher('md5');
      h1.update(whole);
      h2.update(whole);
      sha256 = toHex(h1.digest());
      md5 = toHex(h2.digest());
    }
    size = whole.length;
    head = whole.subarray(0, SNIFF_BYTES);
    const sig = options.signal ? { signal: options.signal } : {};
    let tar: Uint8Array | undefined = pre?.tar ?? whole;
    if (pre?.tar === undefined && sniffCompression(head) !== 'none') {
      // Small archives are inflated in one go (faster); one that expands past WHOLE_TAR_MAX is
      // walked through the streaming decompressor instead, so memory stays bounded.
      tar = await decompress(whole, { maxOutput: Math.min(maxOutput, WHOLE_TAR_MAX), ...sig }).catch((e: unknown) => {
        if (isRepokitError(e) && e.code === 'LIMIT_EXCEEDED' && maxOutput > WHOLE_TAR_MAX) return undefined;
        throw e;
      });
    }
    if (tar !== undefined) {
      for (const m of parseTar(tar, topts)) collector.add(m);
    } else {
      const one = whole;
      const chunks = (async function* () {
        yield one;
      })();
      for await (const m of readTar(decompressStream(chunks, { maxOutput, ...sig }), topts)) collector.add(m);
    }
  } else {
    const raw = path !== undefined ? fileChunks(path, options.signal ? { signal: options.signal } : {}) : asChunks(input as Exclude<PackageInput, string | URL | Uint8Array | ArrayBuffer>);
    const tap = new HashingTap(raw);
    try {
      const dopts = { maxOutput, ...(options.signal ? { signal: options.signal } : {}) };
      for await (const m of readTar(decompressStream(tap, dopts), topts)) collector.add(m);
      await tap.finish();
    } finally {
      await tap.close();
    }
    size = tap.size;
    sha256 = toHex(tap.sha256.digest());
    md5 = toHex(tap.md5.digest());
    head = tap.head ?? new Uint8Array(0);
  }

  if (collector.pkginfo === undefined) {
    throw new RepokitError('ALPM_BAD_PACKAGE', 'not a package file: the archive has no .PKGINFO');
  }
  const pkginfoText = new TextDecoder().decode(collector.pkginfo);
  const decoded = decodePkginfo(collector.pkginfo);
  const pkginfo = decoded.entry;
  const compression = sniffCompression(head);

  let pgpsig: string | undefined;
  if (options.signature instanceof Uint8Array) {
    pgpsig = signatureToPgpsig(options.signature);
  } else if (options.signature === true && path !== undefined) {
    const sig = await readSignatureFile(`${path}.sig`);
    if (sig !== undefined) pgpsig = signatureToPgpsig(sig, `${path}.sig`);
  }

  let filename = options.filename;
  if (filename === undefined && path !== undefined) filename = nodeBuiltin<NodePath>('node:path').basename(path);
  if (filename === undefined) {
    const arch = pkginfo.arch ?? 'any';
    filename = `${pkginfo.pkgname ?? 'unknown'}-${pkginfo.pkgver ?? '0-0'}-${arch}.pkg.tar${SUFFIX_OF[compression] ?? ''}`;
  }
  const isize = pkginfo.size;

  const out: AlpmPackageFile = {
    filename,
    pkginfoText,
    pkginfo,
    warnings: decoded.warnings,
    files: sortFileList(collector.names),
    metadataFiles: collector.metadata,
    csize: size,
    isize,
    sha256sum: sha256,
    md5sum: md5,
    compression,
  };
  if (pgpsig !== undefined) out.pgpsig = pgpsig;
  return out;
}

/** Options of {@link packageDescEntry}. */
export interface PackageDescOptions {
  /** Embed `%PGPSIG%` when the package has a signature (default true: `readPackage` only reads one when asked). */
  includeSignature?: boolean;
}

/**
 * The sync-database entry repo-add writes for a package (`.PKGINFO` read the way repo-add's bash
 * loop reads it, plus file name, size, checksums and signature). `encodeDesc(entry, { version })`
 * then gives repo-add's `desc` byte for byte; `files` is the package's `%FILES%` list.
 * Throws ALPM_BAD_PKGINFO when `.PKGINFO` has no `pkgname` or `pkgver`.
 */
export function packageDescEntry(pkg: AlpmPackageFile, options: PackageDescOptions = {}): DescEntry {
  argObject(pkg, 'pkg');
  argOptions(options);
  const facts: { filename: string; csize: number; sha256sum: string; md5sum: string; pgpsig?: string } = {
    filename: pkg.filename,
    csize: pkg.csize,
    sha256sum: pkg.sha256sum,
    md5sum: pkg.md5sum,
  };
  if (pkg.pgpsig !== undefined && options.includeSignature !== false) facts.pgpsig = pkg.pgpsig;
  const entry = descEntryFromPkginfo(pkg.pkginfoText, facts);
  entry.files = [...pkg.files];
  return entry;
}
