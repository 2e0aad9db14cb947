/**
 * apt-rpm repository trees on disk (edge: node:fs, loaded at call time), laid out as ALT's
 * genbasedir and ALT apt expect them (reference aptrpm.md §1.2, §4.4):
 *
 * ```
 * <root>/<arch>/RPMS.<component>/*.rpm        binary packages (noarch is an arch of its own)
 * <root>/<arch>/base/pkglist.<component>[.xz|.bz2]
 * <root>/<arch>/base/srclist.<component>[.xz|.bz2]   when SRPMS.<component> exists
 * <root>/<arch>/base/release.<component>
 * <root>/<arch>/base/release                   written last
 * <root>/SRPMS.<component>/*.src.rpm           (or <root>/<arch>/SRPMS.<component> with `flat`)
 * ```
 *
 * Every file is replaced atomically (temporary file, fsync, rename); the global release is
 * written after everything it lists, so a client never sees a release naming files that are not
 * there yet. Stale index files are removed only after the new release is in place.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { nodeBuiltin } from '../shared/input.js';
import { concatBytes, toHex } from '../shared/bytes.js';
import { parseRpm, readRpm, readRpmSync, type Header, type RpmPackage } from '../rpm/index.js';
import { withLockFile, writeFileAtomic } from '../shared/atomic.js';
import { loadLzma } from '../shared/compression.js';
import {
  binaryIndexInOrder,
  checkComponent,
  compareBytewise,
  isBinaryHeader,
  packageNameOf,
  pkglistContext,
  pkglistHeader,
  sourceRpmOf,
  srclistHeader,
  type ChangelogPolicy,
  type PackageFileInfo,
  type PackageRecord,
  type PkglistOptions,
} from './pkglist.js';
import { formatComponentRelease, formatRelease, parseRelease, type ReleaseChecksum, type ReleaseFile } from './release.js';
import { setStringInPlace } from './raw-header.js';
import { ScanJob, type ScanOptions } from './scan.js';
import { readPkglist } from './reader.js';
import { CRPMTAG, TAG } from './tags.js';
import { errno, ioError } from '../shared/io-error.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');
type Crypto = typeof import('node:crypto');

/** Compressed forms of the lists (besides the uncompressed one). */
export type ListCompression = 'xz' | 'bzip2';

/** Values of the release files; defaults are genbasedir's (`Unknown`, `Not Available`, now). */
export interface ReleaseOptions {
  origin?: string;
  label?: string;
  suite?: string;
  codename?: string;
  /** Default: now. */
  date?: Date | string;
  /** `Architectures:` of the global release. Default: the arch directory's name. */
  architectures?: string | readonly string[];
  description?: string;
  /** `Archive:` of release.<component>. */
  archive?: string;
  /** `Version:` of release.<component>. */
  version?: string;
  notAutomatic?: boolean;
}

export interface IndexOptions {
  /** Components to index. Default: every `RPMS.<component>` directory of the arch. */
  components?: readonly string[];
  /** `'full'` (default) or `'stripped'` file lists (see usefulFile). */
  fileList?: 'full' | 'stripped';
  /** Extra paths kept in stripped file lists. */
  usefulFiles?: Iterable<string>;
  /** Changelog entries to copy (default `'all'`). */
  changelog?: ChangelogPolicy;
  /** Compressed forms to write (default `['xz']`). */
  compress?: readonly ListCompression[];
  /**
   * Also publish the uncompressed `pkglist.<comp>`/`srclist.<comp>` (default true). Either way
   * the release lists their size and hashes, which apt checks after decompressing a download.
   */
  uncompressed?: boolean;
  /** Add CRPMTAG_BLAKE2B and the release's `BLAKE2b:` block (default true). */
  blake2b?: boolean;
  /** Source packages in `<root>/<arch>/SRPMS.<comp>` (`./SRPMS.<comp>`) instead of `<root>/SRPMS.<comp>`. */
  flat?: boolean;
  release?: ReleaseOptions;
  /** Worker threads for reading and hashing packages (see scanPackageFiles). */
  workers?: number;
  signal?: AbortSignal;
}

/** What one component's indexes hold. */
export interface ComponentIndex {
  component: string;
  /** Binary package file names, in pkglist order. */
  packages: string[];
  /** Source package file names in the srclist, or null when there is no SRPMS directory. */
  sources: string[] | null;
}

export interface IndexResult {
  arch: string;
  components: ComponentIndex[];
  /** Files listed in the release, in release order (paths relative to the arch directory). */
  files: ReleaseFile[];
  /** Text of the global release written. */
  release: string;
}

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

/** Check an architecture directory name (`x86_64`, `noarch`, `i586`, ...). */
export function checkArch(arch: string): string {
  if (typeof arch !== 'string' || !NAME_RE.test(arch) || arch.length > 100) {
    throw new RepokitError('APTRPM_BAD_NAME', `architecture ${JSON.stringify(arch)}: use letters, digits and . _ + - (not starting with . + -)`);
  }
  return arch;
}

function checkPackageFileName(name: string): string {
  if (typeof name !== 'string' || !/^[^/\0\s]+\.rpm$/.test(name) || name.startsWith('.') || name.length > 255) {
    throw new RepokitError('APTRPM_BAD_NAME', `package file name ${JSON.stringify(name)}: expected a plain name ending in .rpm`);
  }
  return name;
}

/** Directory entries, or [] when the directory does not exist. */
async function entries(dir: string): Promise<import('node:fs').Dirent[]> {
  const fs = nodeBuiltin<Fs>('node:fs/promises');
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return [];
    throw ioError(e, dir);
  }
}

/** Bytewise ascending (genpkglist's asciisort). */
function asciiSort(names: string[]): string[] {
  const enc = new TextEncoder();
  const keyed = names.map((n) => [n, enc.encode(n)] as const);
  keyed.sort(([, x], [, y]) => {
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
  return keyed.map(([n]) => n);
}

/** `*.rpm` files not starting with a dot (genpkglist's selectRPMs), sorted. */
async function rpmFiles(dir: string): Promise<string[]> {
  const list = await entries(dir);
  return asciiSort(list.filter((d) => (d.isFile() || d.isSymbolicLink()) && d.name.endsWith('.rpm') && !d.name.startsWith('.')).map((d) => d.name));
}

/** Components present as `RPMS.<component>` directories of an arch, sorted. */
export async function listComponents(root: string, arch: string): Promise<string[]> {
  const path = nodeBuiltin<Path>('node:path');
  const dir = path.join(root, checkArch(arch));
  const out: string[] = [];
  for (const d of await entries(dir)) {
    if (!d.isDirectory() || !d.name.startsWith('RPMS.')) continue;
    const c = d.name.slice(5);
    try {
      out.push(checkComponent(c));
    } catch {
      // Not a name we could have written; leave it alone.
    }
  }
  return asciiSort(out);
}

/** Architecture directories of a tree (those with RPMS.* or base/), sorted. */
export async function listArches(root: string): Promise<string[]> {
  const path = nodeBuiltin<Path>('node:path');
  const out: string[] = [];
  for (const d of await entries(root)) {
    if (!d.isDirectory() || !NAME_RE.test(d.name) || d.name.startsWith('SRPMS.')) continue;
    const inner = await entries(path.join(root, d.name));
    if (inner.some((x) => x.isDirectory() && (x.name === 'base' || x.name.startsWith('RPMS.')))) out.push(d.name);
  }
  return asciiSort(out);
}

interface Hashes {
  md5: string;
  blake2b: string;
}

function hashBytes(parts: readonly Uint8Array[]): Hashes {
  const crypto = nodeBuiltin<Crypto>('node:crypto');
  const a = crypto.createHash('md5');
  const b = crypto.createHash('blake2b512');
  for (const p of parts) {
    a.update(p);
    b.update(p);
  }
  return { md5: a.digest('hex'), blake2b: b.digest('hex') };
}

function checkIndexOptions(o: IndexOptions): void {
  for (const c of o.compress ?? []) {
    if (c !== 'xz' && c !== 'bzip2') throw new RepokitError('INVALID_ARGUMENT', `compress: unknown format ${JSON.stringify(c)} (xz or bzip2)`);
  }
}

/** One index file to write: its name in base/, its data, and what the release lists. */
interface Planned {
  name: string;
  data: Uint8Array[];
  size: number;
  hashes: Hashes;
  /** False: listed in the release but not written (the uncompressed list with `uncompressed: false`). */
  publish: boolean;
}

async function compressList(parts: readonly Uint8Array[], format: ListCompression): Promise<Uint8Array> {
  const { compress } = await import('../shared/compression.js');
  return compress(parts, format === 'xz' ? 'xz' : 'bzip2');
}

/** One package of a list being built: what ordering, the result and the srclist need, and its index header. */
interface ListEntry {
  name: string;
  size: number;
  /** SOURCERPM ('' when absent): the pkglist's first sort key and the srclist's link. */
  sourceRpm: string;
  /** NAME, for the srclist's CRPMTAG_BINARY. */
  packageName: string | undefined;
  /** The main header, kept only while its index header cannot be encoded yet. */
  header: Header | null;
  /** The index header, encoded with placeholder digests until the file's own are known. */
  blob: Uint8Array | null;
}

/** How one kind of list is made from the packages of a directory. */
interface ListPlan {
  kind: 'pkglist' | 'srclist';
  /** True when encoding needs every header first (stripped file lists keep the repository's `/…` dependencies). */
  needsAllHeaders: boolean;
  /** The header encoder; given every header when `needsAllHeaders`, else none. */
  encoder(headers: readonly Header[]): (r: PackageRecord) => Uint8Array;
  compare(a: ListEntry, b: ListEntry): number;
}

/** A list built by {@link streamList}: its packages and headers in order, hashes, and its xz form when asked. */
interface BuiltList {
  entries: ListEntry[];
  headers: Uint8Array[];
  size: number;
  hashes: Hashes;
  xz: Uint8Array[] | null;
}

/**
 * Bytes of index headers handed to the xz encoder at once: its per-call cost is high for
 * header-sized pieces, and small enough batches keep the work left after the last file small.
 */
const XZ_BATCH = 256 * 1024;
async function xzEncoder(): Promise<InstanceType<Awaited<ReturnType<typeof loadLzma>>['XzCompressor']>> {
  // genbasedir runs `xz -k`: xz's default preset 6 (also compress()'s in src/shared).
  return new (await loadLzma()).XzCompressor({ preset: 6 });
}

/** Placeholders of the digests' lengths: headers are encoded before the files are hashed. */
const MD5_PLACEHOLDER = '0'.repeat(32);
const BLAKE2B_PLACEHOLDER = '0'.repeat(128);

/**
 * Build one list from the packages `names` in `dir`, reading every file once for its digests
 * while doing everything else:
 *   1. worker threads (when asked) start hashing the files at once, in directory order;
 *   2. meanwhile this thread reads each package's headers (the bytes up to the end of the main
 *      header), encodes its index header with placeholder digests and drops the parsed header
 *      (stripped pkglists first need every header's `/…` dependencies: those headers are kept
 *      until all are read);
 *   3. the packages are ordered, and the files not yet taken are hashed in that order;
 *   4. as each file's digests arrive in that order, they are written into its index header, which
 *      goes to the list's MD5/BLAKE2b and to the xz encoder — compression overlaps the hashing.
 * The bytes depend neither on the number of threads nor on the timing.
 */
async function streamList(dir: string, names: readonly string[], plan: ListPlan, options: IndexOptions, wantXz: boolean, from?: readonly string[]): Promise<BuiltList> {
  const path = nodeBuiltin<Path>('node:path');
  const crypto = nodeBuiltin<Crypto>('node:crypto');
  const wantB2 = options.blake2b !== false;
  // `from`: where each file is read (it is listed under its name in `dir`, where it will be).
  const paths = from ?? names.map((n) => path.join(dir, n));
  const scanOptions: ScanOptions = { blake2b: wantB2 };
  if (options.workers !== undefined) scanOptions.workers = options.workers;
  if (options.signal !== undefined) scanOptions.signal = options.signal;
  const job = new ScanJob(paths, scanOptions, false);
  try {
    const placeholder = (e: { name: string; size: number }): PackageFileInfo =>
      wantB2 ? { name: e.name, size: e.size, md5: MD5_PLACEHOLDER, blake2b: BLAKE2B_PLACEHOLDER } : { name: e.name, size: e.size, md5: MD5_PLACEHOLDER };
    const encodeNow = plan.needsAllHeaders ? null : plan.encoder([]);
    const entries: ListEntry[] = paths.map((file, i) => {
      options.signal?.throwIfAborted();
      let pkg: RpmPackage;
      try {
        pkg = readRpmSync(file);
      } catch (e) {
        if (isRepokitError(e)) e.withFile(file);
        throw e;
      }
      const h = pkg.header;
      const e: ListEntry = { name: names[i]!, size: pkg.offsets.fileSize ?? 0, sourceRpm: sourceRpmOf(h), packageName: packageNameOf(h), header: h, blob: null };
      if (encodeNow !== null) {
        e.blob = encodeNow({ header: h, file: placeholder(e) });
        e.header = null;
      }
      return e;
    });
    if (encodeNow === null) {
      const encode = plan.encoder(entries.map((e) => e.header!));
      for (const e of entries) {
        e.blob = encode({ header: e.header!, file: placeholder(e) });
        e.header = null;
      }
    }
    const order = entries.map((_, i) => i).sort((a, b) => plan.compare(entries[a]!, entries[b]!));
    job.prioritize(order);

    const xz = wantXz ? await xzEncoder() : null;
    const xzParts: Uint8Array[] = [];
    const md5 = crypto.createHash('md5');
    const b2 = crypto.createHash('blake2b512');
    const headers: Uint8Array[] = [];
    let size = 0;
    let batch: Uint8Array[] = [];
    let batchSize = 0;
    const flushXz = () => {
      if (batchSize === 0) return;
      const z = xz!.update(batch.length === 1 ? batch[0]! : concatBytes(batch));
      if (z.length > 0) xzParts.push(Uint8Array.prototype.slice.call(z));
      batch = [];
      batchSize = 0;
    };
    await job.deliverInOrder(order, (i, raw) => {
      const e = entries[i]!;
      if (raw.size !== e.size) {
        throw new RepokitError('IO_ERROR', `${plan.kind}: the file changed while it was indexed (${e.size} then ${raw.size} bytes)`, { file: paths[i]! });
      }
      const h = e.blob!;
      e.blob = null;
      setStringInPlace(h, CRPMTAG.MD5, raw.md5);
      if (raw.b2 !== null) setStringInPlace(h, CRPMTAG.BLAKE2B, raw.b2);
      headers.push(h);
      size += h.length;
      md5.update(h);
      b2.update(h);
      if (xz !== null) {
        batch.push(h);
        batchSize += h.length;
        if (batchSize >= XZ_BATCH) flushXz();
      }
    });
    if (xz !== null) {
      flushXz();
      xzParts.push(Uint8Array.prototype.slice.call(await xz.finish()));
    }
    return {
      entries: order.map((i) => entries[i]!),
      headers,
      size,
      hashes: { md5: md5.digest('hex'), blake2b: b2.digest('hex') },
      xz: xz === null ? null : xzParts,
    };
  } finally {
    job.close();
  }
}

/**
 * (Re)build one architecture's indexes from the packages in its `RPMS.<component>` directories
 * (and the matching `SRPMS.<component>`): pkglists, srclists, their compressed forms,
 * `release.<component>` and finally `release`. Every file is written atomically, the global
 * release last; index files of components or compressions no longer produced are removed after
 * it. An arch with no component directory gets no indexes (see {@link dropArchIndexes}).
 */
export async function buildArchIndexes(root: string, arch: string, options: IndexOptions = {}): Promise<IndexResult> {
  const prepared = await prepareArchIndexes(root, arch, options);
  await prepared.install();
  return prepared.result;
}

/** One component's binary packages as an index is to list them: file name in `RPMS.<component>` and where to read it now. */
export interface PlannedPackageFile {
  name: string;
  path: string;
}

/**
 * {@link buildArchIndexes} in two steps: everything is read, hashed, encoded and compressed first
 * (honouring `signal`; nothing on disk changes), then `install()` writes the files (no longer
 * abortable). `packages` replaces the directory listing of a component's `RPMS.<component>`:
 * the list then names those files, read from their `path` — for a caller that puts them in place
 * only after the indexes are ready. Used by the Repository facade.
 */
export async function prepareArchIndexes(
  root: string,
  arch: string,
  options: IndexOptions = {},
  packages?: ReadonlyMap<string, readonly PlannedPackageFile[]>,
): Promise<{ result: IndexResult; install(): Promise<void> }> {
  const path = nodeBuiltin<Path>('node:path');
  const fs = nodeBuiltin<Fs>('node:fs/promises');
  checkArch(arch);
  checkIndexOptions(options);
  const archDir = path.join(root, arch);
  const baseDir = path.join(archDir, 'base');
  const components = options.components !== undefined ? [...options.components].map(checkComponent) : await listComponents(root, arch);
  if (new Set(components).size !== components.length) throw new RepokitError('INVALID_ARGUMENT', 'components: a component is listed twice');
  const compressions = options.compress ?? ['xz'];
  const blake2b = options.blake2b !== false;
  const publishPlain = options.uncompressed !== false;
  const rel = options.release ?? {};

  const planned: Planned[][] = [];
  const result: ComponentIndex[] = [];
  for (const component of components) {
    options.signal?.throwIfAborted();
    const rpmsDir = path.join(archDir, `RPMS.${component}`);
    const wantXz = compressions.includes('xz');
    const given = packages?.get(component);
    const pkgNames = given !== undefined ? given.map((f) => f.name) : await rpmFiles(rpmsDir);
    const pkglistOptions: PkglistOptions = { component, fileList: options.fileList ?? 'full' };
    if (options.usefulFiles !== undefined) pkglistOptions.usefulFiles = options.usefulFiles;
    if (options.changelog !== undefined) pkglistOptions.changelog = options.changelog;
    const pkglist = await streamList(
      rpmsDir,
      pkgNames,
      {
        kind: 'pkglist',
        needsAllHeaders: pkglistOptions.fileList === 'stripped',
        encoder: (headers) => {
          const ctx = pkglistContext(headers, pkglistOptions);
          return (r) => pkglistHeader(r, ctx);
        },
        compare: (a, b) => compareBytewise(a.sourceRpm, b.sourceRpm) || compareBytewise(a.name, b.name),
      },
      options,
      wantXz,
      given?.map((f) => f.path),
    );

    const srpmsDir = options.flat === true ? path.join(archDir, `SRPMS.${component}`) : path.join(root, `SRPMS.${component}`);
    const hasSources = (await entries(path.dirname(srpmsDir))).some((d) => d.isDirectory() && d.name === `SRPMS.${component}`);
    let srclist: BuiltList | null = null;
    if (hasSources) {
      const bins = binaryIndexInOrder(pkglist.entries.map((e) => ({ sourceRpm: e.sourceRpm, name: e.packageName })));
      const srcOptions = { component, flat: options.flat === true, binaries: bins };
      srclist = await streamList(
        srpmsDir,
        await rpmFiles(srpmsDir),
        {
          kind: 'srclist',
          needsAllHeaders: false,
          encoder: () => (r) => srclistHeader(r, bins.get(r.file.name), srcOptions),
          compare: (a, b) => compareBytewise(a.name, b.name),
        },
        options,
        wantXz,
      );
    }
    result.push({ component, packages: pkglist.entries.map((e) => e.name), sources: srclist ? srclist.entries.map((e) => e.name) : null });

    // genbasedir's order: pkglist, srclist, pkglist.bz2, srclist.bz2, pkglist.xz, srclist.xz, release.<comp>.
    const lists: [string, BuiltList][] = [[`pkglist.${component}`, pkglist]];
    if (srclist) lists.push([`srclist.${component}`, srclist]);
    const files: Planned[] = [];
    for (const [name, l] of lists) files.push({ name, data: l.headers, size: l.size, hashes: l.hashes, publish: publishPlain });
    if (compressions.includes('bzip2')) {
      for (const [name, l] of lists) {
        const z = await compressList(l.headers, 'bzip2');
        files.push({ name: `${name}.bz2`, data: [z], size: z.length, hashes: hashBytes([z]), publish: true });
      }
    }
    if (wantXz) {
      for (const [name, l] of lists) {
        const z = l.xz!;
        files.push({ name: `${name}.xz`, data: z, size: z.reduce((n, b) => n + b.length, 0), hashes: hashBytes(z), publish: true });
      }
    }
    const compRelease = new TextEncoder().encode(
      formatComponentRelease({
        component,
        architecture: arch,
        ...(rel.archive !== undefined && { archive: rel.archive }),
        ...(rel.version !== undefined && { version: rel.version }),
        ...(rel.origin !== undefined && { origin: rel.origin }),
        ...(rel.label !== undefined && { label: rel.label }),
        ...(rel.notAutomatic !== undefined && { notAutomatic: rel.notAutomatic }),
      }),
    );
    files.push({ name: `release.${component}`, data: [compRelease], size: compRelease.length, hashes: hashBytes([compRelease]), publish: true });
    planned.push(files);
  }

  const listed: ReleaseFile[] = [];
  for (const files of planned) {
    for (const f of files) {
      const entry: ReleaseFile = { path: `base/${f.name}`, size: f.size, md5: f.hashes.md5 };
      if (blake2b) entry.blake2b = f.hashes.blake2b;
      listed.push(entry);
    }
  }
  const releaseText = formatRelease(
    {
      architectures: rel.architectures ?? arch,
      components,
      ...(rel.origin !== undefined && { origin: rel.origin }),
      ...(rel.label !== undefined && { label: rel.label }),
      ...(rel.suite !== undefined && { suite: rel.suite }),
      ...(rel.codename !== undefined && { codename: rel.codename }),
      ...(rel.date !== undefined && { date: rel.date }),
      ...(rel.description !== undefined && { description: rel.description }),
    },
    listed,
  );

  const install = async (): Promise<void> => {
    // Write: every listed file first, then the release; then remove what the release no longer lists.
    try {
      await fs.mkdir(baseDir, { recursive: true });
    } catch (e) {
      throw ioError(e, baseDir);
    }
    const written = new Set<string>(['release']);
    // In parallel (their fsyncs overlap), each as one write: a list is thousands of header blobs.
    await Promise.all(
      planned.flat().map(async (f) => {
        if (!f.publish) return;
        await writeFileAtomic(path.join(baseDir, f.name), f.data.length === 1 ? f.data[0]! : concatBytes(f.data));
        written.add(f.name);
      }),
    );
    await writeFileAtomic(path.join(baseDir, 'release'), new TextEncoder().encode(releaseText));
    for (const d of await entries(baseDir)) {
      if (d.isFile() && /^(pkglist|srclist|release)\./.test(d.name) && !written.has(d.name)) {
        await fs.unlink(path.join(baseDir, d.name)).catch((e: unknown) => {
          if (errno(e) !== 'ENOENT') throw ioError(e, path.join(baseDir, d.name));
        });
      }
    }
  };
  return { result: { arch, components: result, files: listed, release: releaseText }, install };
}

/**
 * Remove an arch's indexes: `base/release` first (so clients stop at once), then the other index
 * files and `base/` itself if nothing else is in it. Returns whether anything was removed.
 */
export async function dropArchIndexes(root: string, arch: string): Promise<boolean> {
  const path = nodeBuiltin<Path>('node:path');
  const fs = nodeBuiltin<Fs>('node:fs/promises');
  const baseDir = path.join(root, checkArch(arch), 'base');
  const list = await entries(baseDir);
  if (list.length === 0) return false;
  const rm = async (name: string) => {
    try {
      await fs.unlink(path.join(baseDir, name));
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw ioError(e, path.join(baseDir, name));
    }
  };
  const names = list.filter((d) => d.isFile()).map((d) => d.name);
  if (names.includes('release')) await rm('release');
  for (const n of names) if (/^(pkglist|srclist|release)\./.test(n)) await rm(n);
  await fs.rmdir(baseDir).catch(() => undefined); // keeps a base/ that holds anything else
  return true;
}

// --- verification ------------------------------------------------------------------------------

/** The outcome for one listed file. */
export interface VerifiedFile {
  /** Path relative to the arch directory (`base/pkglist.classic.xz`, `RPMS.classic/foo.rpm`). */
  path: string;
  /** `ok`, `missing`, `size` (size differs) or `hash` (a digest differs). */
  status: 'ok' | 'missing' | 'size' | 'hash';
  /** Which digests were compared (`md5`, `blake2b`). */
  checked: ('md5' | 'blake2b')[];
  /** For an unpublished uncompressed list: the compressed file whose decompressed bytes were checked. */
  via?: string;
  detail?: string;
}

export interface VerifyReport {
  arch: string;
  ok: boolean;
  files: VerifiedFile[];
}

export interface VerifyOptions {
  /** Also check every package a pkglist/srclist lists against its FILESIZE, MD5 and BLAKE2B (default true). */
  packages?: boolean;
  signal?: AbortSignal;
}

async function statSize(p: string): Promise<number | null> {
  const fs = nodeBuiltin<Fs>('node:fs/promises');
  try {
    const s = await fs.stat(p);
    return s.isFile() ? s.size : null;
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return null;
    throw ioError(e, p);
  }
}

async function hashPath(p: string): Promise<Hashes & { size: number }> {
  const { hashFile } = await import('../shared/hash.js');
  const r = await hashFile(p, ['md5', 'blake2b512']);
  return { size: r.size, md5: toHex(r.digests.md5), blake2b: toHex(r.digests.blake2b512) };
}

function compare(
  rel: string,
  actual: Hashes & { size: number },
  want: { size: number; md5?: string | undefined; blake2b?: string | undefined },
  via?: string,
): VerifiedFile {
  const checked: ('md5' | 'blake2b')[] = [];
  const base: Pick<VerifiedFile, 'path' | 'checked'> & { via?: string } = { path: rel, checked };
  if (via !== undefined) base.via = via;
  if (want.md5 !== undefined) checked.push('md5');
  if (want.blake2b !== undefined) checked.push('blake2b');
  if (actual.size !== want.size) return { ...base, status: 'size', detail: `${actual.size} bytes, the list says ${want.size}` };
  if (want.md5 !== undefined && actual.md5 !== want.md5) return { ...base, status: 'hash', detail: `MD5 ${actual.md5}, the list says ${want.md5}` };
  if (want.blake2b !== undefined && actual.blake2b !== want.blake2b) {
    return { ...base, status: 'hash', detail: `BLAKE2b ${actual.blake2b.slice(0, 16)}…, the list says ${want.blake2b.slice(0, 16)}…` };
  }
  return { ...base, status: 'ok' };
}

/**
 * Check an arch's tree against its `base/release`: size, MD5 and BLAKE2b of every listed file
 * (compressed files as stored; an unpublished uncompressed list through its listed `.xz`/`.bz2`,
 * decompressed, as apt does) and, with `packages` (default), every package a listed list names
 * against its FILESIZE, MD5 and BLAKE2B tags. A missing `base/release` is an IO_ERROR; an
 * unparsable one APTRPM_BAD_RELEASE.
 */
export async function verifyArch(root: string, arch: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const path = nodeBuiltin<Path>('node:path');
  const fs = nodeBuiltin<Fs>('node:fs/promises');
  // Absolute, so the containment checks below compare like with like.
  const rootDir = path.resolve(root);
  const archDir = path.join(rootDir, checkArch(arch));
  const releasePath = path.join(archDir, 'base', 'release');
  let text: Uint8Array;
  try {
    text = await fs.readFile(releasePath);
  } catch (e) {
    throw ioError(e, releasePath);
  }
  let release;
  try {
    release = parseRelease(text);
  } catch (e) {
    if (isRepokitError(e)) e.withFile(releasePath);
    throw e;
  }
  // One entry per path, with whichever digests the release gives.
  const want = new Map<string, { size: number; md5?: string; blake2b?: string }>();
  const add = (list: ReleaseChecksum[], key: 'md5' | 'blake2b') => {
    for (const c of list) {
      const w = want.get(c.path) ?? { size: c.size };
      if (w.size !== c.size) w.size = -1; // the two blocks disagree: no size can match
      w[key] = c.hash;
      want.set(c.path, w);
    }
  };
  add(release.md5, 'md5');
  add(release.blake2b, 'blake2b');

  const files: VerifiedFile[] = [];
  const lists: string[] = [];
  for (const [rel, w] of want) {
    options.signal?.throwIfAborted();
    const abs = path.resolve(archDir, rel);
    if (!abs.startsWith(archDir + path.sep) && abs !== archDir) {
      files.push({ path: rel, status: 'missing', checked: [], detail: 'path leaves the arch directory' });
      continue;
    }
    const size = await statSize(abs);
    if (size !== null) {
      const r = compare(rel, await hashPath(abs), w);
      files.push(r);
      if (r.status === 'ok' && /^base\/(pkglist|srclist)\./.test(rel)) lists.push(abs);
      continue;
    }
    // apt fetches the compressed form and checks the decompressed bytes against this entry.
    const via = ['.xz', '.bz2'].map((s) => rel + s).find((c) => want.has(c));
    const viaSize = via !== undefined ? await statSize(path.resolve(archDir, via)) : null;
    if (via === undefined || viaSize === null) {
      files.push({ path: rel, status: 'missing', checked: [] });
      continue;
    }
    const { decompress } = await import('../shared/compression.js');
    const plain = await decompress(await fs.readFile(path.resolve(archDir, via)));
    files.push(compare(rel, { size: plain.length, ...hashBytes([plain]) }, w, via));
  }

  if (options.packages !== false) {
    const seen = new Set<string>();
    for (const list of lists) {
      for await (const { header } of readPkglist(list, options.signal ? { signal: options.signal } : {})) {
        const dir = header.getString(CRPMTAG.DIRECTORY);
        const name = header.getString(CRPMTAG.FILENAME);
        if (dir === undefined || name === undefined) continue;
        const rel = `${dir}/${name}`;
        if (seen.has(rel)) continue;
        seen.add(rel);
        const abs = path.resolve(archDir, rel);
        // The list may be hostile: never hash a file outside the repository.
        if (!abs.startsWith(rootDir + path.sep)) {
          files.push({ path: rel, status: 'missing', checked: [], detail: 'path leaves the repository' });
          continue;
        }
        const size = await statSize(abs);
        const expect = {
          size: header.getNumber(CRPMTAG.FILESIZE) ?? -1,
          md5: header.getString(CRPMTAG.MD5),
          blake2b: header.getString(CRPMTAG.BLAKE2B),
        };
        if (size === null) files.push({ path: rel, status: 'missing', checked: [] });
        else files.push(compare(rel, await hashPath(abs), expect));
      }
    }
  }
  return { arch, ok: files.every((f) => f.status === 'ok'), files };
}

// --- registry facade --------------------------------------------------------------------------

export interface RepositoryOptions extends Omit<IndexOptions, 'components' | 'signal'> {
  /** Component for packages added without one (default `classic`). */
  component?: string;
  /**
   * Lock file serialising changes across processes (default `<root>/.aptrpm.lock`), and how long
   * to wait for it (default 60 s; then LOCKED).
   */
  lockFile?: string;
  lockTimeoutMs?: number;
}

export interface AddedPackage {
  arch: string;
  component: string;
  fileName: string;
  /** Absolute path of the stored file. */
  path: string;
  /** The indexes after the rebuild (undefined with `rebuild: false`). */
  index?: IndexResult;
}

export interface RemovedPackage {
  arch: string;
  component: string;
  fileName: string;
  /** True when this was the arch's last package and its indexes were dropped. */
  droppedIndexes: boolean;
  index?: IndexResult;
}

/**
 * A directory of apt-rpm trees managed the way a package registry (such as Forgejo's "Alt"
 * registry) needs: add a binary package (stored as `<arch>/RPMS.<component>/<N-V-R.A>.rpm`, arch
 * from its ARCH tag, refusing a file name that is already there with APTRPM_DUPLICATE_PACKAGE),
 * remove one by file name (APTRPM_PACKAGE_NOT_FOUND when absent), rebuild an arch's indexes, and
 * drop them when its last package goes. Changes are serialised through a lock file.
 */
export class AptRpmRepository {
  readonly root: string;
  readonly options: RepositoryOptions;

  constructor(root: string, options: RepositoryOptions = {}) {
    if (typeof root !== 'string' || root === '') throw new RepokitError('INVALID_ARGUMENT', 'root must be a non-empty path');
    this.root = nodeBuiltin<Path>('node:path').resolve(root);
    this.options = options;
    checkComponent(options.component ?? 'classic');
    checkIndexOptions(options);
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const path = nodeBuiltin<Path>('node:path');
    const fs = nodeBuiltin<Fs>('node:fs/promises');
    return (async () => {
      await fs.mkdir(this.root, { recursive: true }).catch((e: unknown) => {
        throw ioError(e, this.root);
      });
      return withLockFile(this.options.lockFile ?? path.join(this.root, '.aptrpm.lock'), fn, {
        wait: true,
        timeoutMs: this.options.lockTimeoutMs ?? 60_000,
      });
    })();
  }

  #indexOptions(): IndexOptions {
    const { component: _c, lockFile: _l, lockTimeoutMs: _t, ...rest } = this.options;
    return rest;
  }

  /** Architecture directories present, sorted. */
  arches(): Promise<string[]> {
    return listArches(this.root);
  }

  /** Package file names of an arch's component, sorted. */
  async packages(arch: string, component = this.options.component ?? 'classic'): Promise<string[]> {
    const path = nodeBuiltin<Path>('node:path');
    return rpmFiles(path.join(this.root, checkArch(arch), `RPMS.${checkComponent(component)}`));
  }

  /**
   * Store a binary package and (by default) rebuild its arch's indexes. `input` is a path or the
   * file's bytes. Errors: APTRPM_INVALID_PACKAGE (not a readable binary RPM; the RPM error is the
   * `cause`), APTRPM_DUPLICATE_PACKAGE (that file name is already in the component),
   * APTRPM_BAD_NAME (an ARCH/NAME that cannot be a file name).
   */
  async addPackage(input: string | Uint8Array, options: { component?: string; rebuild?: boolean } = {}): Promise<AddedPackage> {
    const path = nodeBuiltin<Path>('node:path');
    const fs = nodeBuiltin<Fs>('node:fs/promises');
    const component = checkComponent(options.component ?? this.options.component ?? 'classic');
    let pkg: RpmPackage;
    try {
      pkg = typeof input === 'string' ? await readRpm(input) : parseRpm(input);
    } catch (e) {
      if (!isRepokitError(e) || e.code === 'IO_ERROR') throw e;
      throw new RepokitError('APTRPM_INVALID_PACKAGE', `not a valid RPM package: ${e.message}`, { cause: e, ...(typeof input === 'string' && { file: input }) });
    }
    const h = pkg.header;
    if (!isBinaryHeader(h)) throw new RepokitError('APTRPM_INVALID_PACKAGE', 'source packages cannot be added (only binary RPMs)');
    const field = (tag: number, what: string): string => {
      const v = h.entry(tag)?.type === 6 ? h.getString(tag) : undefined;
      if (v === undefined || v === '') throw new RepokitError('APTRPM_INVALID_PACKAGE', `the package has no ${what}`);
      return v;
    };
    const arch = field(TAG.ARCH, 'ARCH');
    const fileName = `${field(TAG.NAME, 'NAME')}-${field(TAG.VERSION, 'VERSION')}-${field(TAG.RELEASE, 'RELEASE')}.${arch}.rpm`;
    checkArch(arch);
    checkPackageFileName(fileName);
    return this.#locked(async () => {
      const dir = path.join(this.root, arch, `RPMS.${component}`);
      const target = path.join(dir, fileName);
      if ((await statSize(target)) !== null) {
        throw new RepokitError('APTRPM_DUPLICATE_PACKAGE', `${arch}/RPMS.${component}/${fileName} already exists`);
      }
      try {
        await fs.mkdir(dir, { recursive: true });
      } catch (e) {
        throw ioError(e, dir);
      }
      if (typeof input === 'string') {
        const { fileChunks } = await import('../shared/hash.js');
        await writeFileAtomic(target, fileChunks(input));
      } else {
        await writeFileAtomic(target, input);
      }
      const out: AddedPackage = { arch, component, fileName, path: target };
      if (options.rebuild !== false) out.index = await buildArchIndexes(this.root, arch, this.#indexOptions());
      return out;
    });
  }

  /**
   * Remove a package by file name and rebuild its arch's indexes, or drop them when it was the
   * arch's last package (then the empty directories go too). APTRPM_PACKAGE_NOT_FOUND when absent.
   */
  async removePackage(arch: string, fileName: string, options: { component?: string; rebuild?: boolean } = {}): Promise<RemovedPackage> {
    const path = nodeBuiltin<Path>('node:path');
    const fs = nodeBuiltin<Fs>('node:fs/promises');
    checkArch(arch);
    const component = checkComponent(options.component ?? this.options.component ?? 'classic');
    if (typeof fileName !== 'string' || !/^[^/\0]+$/.test(fileName) || fileName === '.' || fileName === '..') {
      throw new RepokitError('APTRPM_PACKAGE_NOT_FOUND', `${arch}/RPMS.${component}/${String(fileName)} does not exist`);
    }
    return this.#locked(async () => {
      const target = path.join(this.root, arch, `RPMS.${component}`, fileName);
      try {
        await fs.unlink(target);
      } catch (e) {
        if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') {
          throw new RepokitError('APTRPM_PACKAGE_NOT_FOUND', `${arch}/RPMS.${component}/${fileName} does not exist`);
        }
        throw ioError(e, target);
      }
      const out: RemovedPackage = { arch, component, fileName, droppedIndexes: false };
      if (options.rebuild === false) return out;
      const rebuilt = await this.#rebuild(arch);
      if (rebuilt === null) out.droppedIndexes = true;
      else out.index = rebuilt;
      return out;
    });
  }

  /** Rebuild an arch's indexes; when it has no package left, drop them and return null. */
  rebuild(arch: string): Promise<IndexResult | null> {
    checkArch(arch);
    return this.#locked(() => this.#rebuild(arch));
  }

  async #rebuild(arch: string): Promise<IndexResult | null> {
    const path = nodeBuiltin<Path>('node:path');
    const fs = nodeBuiltin<Fs>('node:fs/promises');
    const archDir = path.join(this.root, arch);
    const components = await listComponents(this.root, arch);
    let any = false;
    for (const c of components) {
      const dir = path.join(archDir, `RPMS.${c}`);
      if ((await rpmFiles(dir)).length > 0) any = true;
      // An emptied component directory goes, so its indexes stop being built.
      else if ((await entries(dir)).length === 0) await fs.rmdir(dir).catch(() => undefined);
    }
    if (!any) {
      await dropArchIndexes(this.root, arch);
      await fs.rmdir(archDir).catch(() => undefined);
      return null;
    }
    return buildArchIndexes(this.root, arch, this.#indexOptions());
  }

  /** Check an arch's tree (see {@link verifyArch}). */
  verify(arch: string, options: VerifyOptions = {}): Promise<VerifyReport> {
    return verifyArch(this.root, arch, options);
  }
}
