/**
 * The Repository facade: one typed entry point over the ALPM, XBPS and apt-rpm repository
 * writers. `add` and `remove` only stage operations in memory (reading and hashing the package
 * files, on worker threads where the format's code does that); `write` takes the format's lock,
 * reads the index on disk again, replays the staged operations onto it and replaces the index
 * atomically. So two processes adding to one repository never lose each other's packages, and
 * nothing on disk changes before `write`.
 */
import { RepokitError } from '../shared/errors.js';
import { nodeBuiltin } from '../shared/input.js';
import { withLockFile, type LockOptions } from '../shared/atomic.js';
import type { RepodConfig, RepodArchitecture, RepodLayer } from '../repod/model.js';
import { findRepodRepository, repodLayerDirs } from '../repod/lookup.js';
import { repodSyncDbOptions } from '../repod/syncdb.js';
import type { ListCompression } from '../aptrpm/repository.js';
import { abortable, checkAborted, emptyAddResult, type Adapter, type Candidate, type Ctx } from './adapter.js';
import { AlpmAdapter, alpmDbPath } from './alpm.js';
import { XbpsAdapter } from './xbps.js';
import { AptRpmAdapter } from './aptrpm.js';
import { detectPackageKind, KIND_OF_FORMAT } from './detect.js';
import type { AddOptions, AddResult, OpenOptions, OperationOptions, RemoveResult, SkipReason, WriteOptions, WriteResult } from './types.js';
import type { PackageView, RepositoryFormat } from './view.js';

type Path = typeof import('node:path');
type AnyAdapter = Adapter<unknown, unknown>;
type ReadItem = Candidate<unknown> | { path: string; reason: SkipReason; message: string };
type Op = { kind: 'add'; items: ReadItem[]; force: boolean } | { kind: 'remove'; names: string[] };

/** Options of {@link Repository.fromRepodConfig}. */
export interface RepodRepositoryOptions extends OperationOptions, Pick<OpenOptions, 'lock' | 'lockTimeoutMs' | 'includeSignatures' | 'arch' | 'sign' | 'verify' | 'backup'> {
  /** The repository's name in the configuration (`core`). */
  repository: string;
  /** The stability layer whose sync database to open (default `stable`). */
  layer?: RepodLayer;
  /** Needed when several repositories share the name. */
  architecture?: RepodArchitecture;
}

const FORMATS: readonly RepositoryFormat[] = ['alpm', 'xbps', 'aptrpm'];

function checkConcurrency(c: number | undefined): void {
  if (c !== undefined && (!Number.isInteger(c) || c < 1)) throw new RepokitError('INVALID_ARGUMENT', `concurrency must be a positive integer, not ${String(c)}`);
}

function makeCtx(options: OperationOptions): Ctx {
  checkConcurrency(options.concurrency);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new RepokitError('INVALID_ARGUMENT', 'onProgress must be a function');
  const cb = options.onProgress;
  return {
    signal: options.signal,
    concurrency: options.concurrency,
    progress: cb === undefined ? () => undefined : (e) => cb({ ...e }),
  };
}

/** Map `fn` over `items`, at most `limit` at a time; results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, run));
  return out;
}

/**
 * A package repository of one format, opened on a directory. Create one with
 * {@link Repository.open} or {@link Repository.fromRepodConfig}.
 */
export class Repository {
  /** The repository format. */
  readonly format: RepositoryFormat;
  /** The repository directory (absolute). */
  readonly dir: string;
  /** The lock file `write` takes. */
  readonly lockFile: string;
  readonly #adapter: AnyAdapter;
  readonly #lock: LockOptions;
  #state: unknown;
  #ops: Op[] = [];

  private constructor(format: RepositoryFormat, dir: string, adapter: AnyAdapter, lock: LockOptions, state: unknown) {
    this.format = format;
    this.dir = dir;
    this.#adapter = adapter;
    this.lockFile = adapter.lockFile;
    this.#lock = lock;
    this.#state = state;
  }

  /**
   * Open the repository in `options.dir` (which need not exist yet: `write` creates it) and read
   * its index, if any. Errors: INVALID_ARGUMENT for bad options; the format's errors for an index
   * that cannot be read; ABORTED.
   */
  static async open(options: OpenOptions): Promise<Repository> {
    if (typeof options !== 'object' || options === null) throw new RepokitError('INVALID_ARGUMENT', 'options must be an object');
    const { format } = options;
    if (!FORMATS.includes(format)) throw new RepokitError('INVALID_ARGUMENT', `format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
    if (typeof options.dir !== 'string' || options.dir === '') throw new RepokitError('INVALID_ARGUMENT', 'dir must be a non-empty path');
    if (options.lock !== undefined && options.lock !== 'wait' && options.lock !== 'fail') throw new RepokitError('INVALID_ARGUMENT', `lock must be 'wait' or 'fail', not ${JSON.stringify(options.lock)}`);
    for (const k of ['sign', 'verify'] as const) {
      const f = options[k];
      if (f !== undefined && typeof f !== 'function') throw new RepokitError('INVALID_ARGUMENT', `${k} must be a function`);
      if (f !== undefined && format !== 'alpm') throw new RepokitError('INVALID_ARGUMENT', `${k} is for alpm databases only (${format} indexes are signed otherwise)`);
    }
    if (options.backup !== undefined && typeof options.backup !== 'boolean') throw new RepokitError('INVALID_ARGUMENT', 'backup must be a boolean');
    if (options.backup !== undefined && format !== 'alpm') throw new RepokitError('INVALID_ARGUMENT', `backup is for alpm databases only, not ${format}`);
    const ctx = makeCtx(options);
    const path = nodeBuiltin<Path>('node:path');
    const dir = path.resolve(options.dir);
    const lock: LockOptions = { wait: options.lock !== 'fail', timeoutMs: options.lockTimeoutMs ?? 60_000, pollMs: 50 };
    return abortable(ctx.signal, async () => {
      const adapter = await Repository.#adapterFor(options, dir);
      const state = await adapter.load(ctx);
      return new Repository(format, dir, adapter, lock, state);
    });
  }

  static async #adapterFor(options: OpenOptions & { alpmWrite?: AlpmWriteSettings }, dir: string): Promise<AnyAdapter> {
    const path = nodeBuiltin<Path>('node:path');
    switch (options.format) {
      case 'alpm': {
        const name = options.name ?? path.basename(dir);
        const db = await alpmDbPath(dir, name, options.compression);
        return new AlpmAdapter(db, {
          dir,
          name,
          compression: options.compression,
          arch: options.arch,
          includeSignatures: options.includeSignatures === true,
          write: options.alpmWrite ?? {},
          sign: options.sign,
          verify: options.verify,
          backup: options.backup === true,
        }) as AnyAdapter;
      }
      case 'xbps': {
        const arch = options.arch ?? nodeBuiltin<typeof import('node:os')>('node:os').machine();
        return new XbpsAdapter({ dir, arch, compression: options.compression }) as AnyAdapter;
      }
      case 'aptrpm': {
        const c = options.compression ?? 'xz';
        if (c !== 'xz' && c !== 'bzip2' && c !== 'none') throw new RepokitError('INVALID_ARGUMENT', `aptrpm lists are compressed with xz, bzip2 or none, not ${JSON.stringify(c)}`);
        const compress: ListCompression[] = c === 'none' ? [] : [c];
        return new AptRpmAdapter({ root: dir, component: options.component ?? 'classic', arch: options.arch, compress, index: {} }) as AnyAdapter;
      }
    }
  }

  /**
   * Open the ALPM sync database of a repository of a loaded repod configuration: the layer's
   * package repository directory, the database named after the layer's configured name (as
   * repod names it), with the repository's `database_compression` and the configuration's
   * `[syncdb_settings]`. Errors: REPOD_UNKNOWN_REPOSITORY, REPOD_NO_LAYER, and those of {@link open}.
   */
  static async fromRepodConfig(config: RepodConfig, options: RepodRepositoryOptions): Promise<Repository> {
    if (typeof options !== 'object' || options === null) throw new RepokitError('INVALID_ARGUMENT', 'options must be an object');
    const layer = options.layer ?? 'stable';
    const repo = findRepodRepository(config, options.repository, options.architecture);
    const dirs = repodLayerDirs(repo, layer);
    const sync = repodSyncDbOptions(config, options.repository, { architecture: repo.architecture, layer });
    const name = dirs.configured.slice(dirs.configured.lastIndexOf('/') + 1);
    const { repository: _r, layer: _l, architecture: _a, ...rest } = options;
    const open: OpenOptions & { alpmWrite: AlpmWriteSettings } = {
      ...rest,
      format: 'alpm',
      dir: dirs.packageRepo,
      name,
      compression: sync.compression,
      alpmWrite: { descVersion: sync.descVersion, pgpsig: sync.pgpsig },
    };
    return Repository.open(open);
  }

  /** Number of staged operations (`add` and `remove` calls) not yet written. */
  get pending(): number {
    return this.#ops.length;
  }

  /**
   * Stage package files for the next `write`: each is checked to be a package of this format (by
   * content), read and hashed (on worker threads for large batches), and put into the in-memory
   * index with the format's rules. Returns what this did to the in-memory index; `write` replays
   * it onto the index on disk and returns the final outcome. Nothing on disk changes. A file that
   * is a package of this format but cannot be read (damaged, bad metadata) fails the whole call
   * with its error, and nothing is staged.
   */
  async add(paths: readonly string[], options: AddOptions = {}): Promise<AddResult> {
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p !== '')) throw new RepokitError('INVALID_ARGUMENT', 'paths must be an array of non-empty strings');
    const ctx = makeCtx(options);
    const path = nodeBuiltin<Path>('node:path');
    return abortable(ctx.signal, async () => {
      const abs = paths.map((p) => path.resolve(p));
      const want = KIND_OF_FORMAT[this.format];
      const kinds = await mapLimit(abs, 8, (p) => detectPackageKind(p, ctx.signal ? { signal: ctx.signal } : {}));
      const items: ReadItem[] = new Array(abs.length);
      const toRead: string[] = [];
      abs.forEach((p, i) => {
        const k = kinds[i]!;
        if (k === want) toRead.push(p);
        else items[i] = { path: p, reason: 'not-a-package', message: k === 'unknown' ? 'not a package repokit recognises' : `a ${k} package, not a ${want} one` };
      });
      if (this.format === 'xbps') {
        for (const p of toRead) {
          if (path.dirname(p) !== this.dir) throw new RepokitError('XBPS_NOT_INDEXABLE', `${p} is not in the repository directory ${this.dir} (xbps finds packages next to the repodata)`, { file: p });
        }
      }
      const read = await this.#adapter.read(toRead, ctx);
      let j = 0;
      abs.forEach((_, i) => {
        if (items[i] === undefined) items[i] = read[j++]!;
      });
      checkAborted(ctx.signal);
      const op: Op = { kind: 'add', items, force: options.force === true };
      const next = this.#adapter.clone(this.#state);
      const result = emptyAddResult();
      this.#applyAdd(next, op, result);
      this.#state = next;
      this.#ops.push(op);
      return result;
    });
  }

  /**
   * Stage the removal of every package with one of these names (in every architecture and
   * component, for aptrpm). Names that match nothing are reported in `missing`. Nothing on disk
   * changes before `write`.
   */
  remove(names: readonly string[]): RemoveResult {
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n !== '')) throw new RepokitError('INVALID_ARGUMENT', 'names must be an array of non-empty strings');
    const op: Op = { kind: 'remove', names: [...names] };
    const next = this.#adapter.clone(this.#state);
    const result: RemoveResult = { removed: [], missing: [] };
    this.#applyRemove(next, op, result);
    this.#state = next;
    this.#ops.push(op);
    return result;
  }

  /** Forget the staged operations (the in-memory index goes back to what was last read or written). */
  async discard(options: OperationOptions = {}): Promise<void> {
    const ctx = makeCtx(options);
    this.#state = await abortable(ctx.signal, () => this.#adapter.load(ctx));
    this.#ops = [];
  }

  /** The packages of the in-memory index (as read, plus staged operations), in a stable order. */
  async *packages(options: OperationOptions = {}): AsyncGenerator<PackageView> {
    const ctx = makeCtx(options);
    const views = this.#adapter.views(this.#state);
    let done = 0;
    for (const v of views) {
      checkAborted(ctx.signal);
      yield v;
      ctx.progress({ phase: 'load', done: ++done, total: views.length, bytes: 0 });
    }
  }

  /** The package named `name` in the in-memory index (the first in `packages()` order), or undefined. */
  find(name: string): PackageView | undefined {
    return this.#adapter.views(this.#state).find((v) => v.name === name);
  }

  /**
   * Write the staged operations: take the format's lock (waiting or failing with LOCKED, as opened),
   * read the index on disk again, replay every staged `add` and `remove` onto it, and replace the
   * index files atomically (temporary file, fsync, rename). Until the files start being replaced
   * the signal is honoured and nothing on disk has changed; a crash or error at any point leaves
   * each index file either old or new, never partial. Nothing is written when the replay changed
   * nothing and the index exists (unless `rewrite`).
   */
  async write(options: WriteOptions = {}): Promise<WriteResult> {
    const ctx = makeCtx(options);
    const fs = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
    return abortable(ctx.signal, async () => {
      await fs.mkdir(this.dir, { recursive: true }).catch((e: unknown) => {
        throw new RepokitError('IO_ERROR', `cannot create the repository directory: ${String((e as { code?: unknown }).code ?? e)}`, { file: this.dir, cause: e });
      });
      const lock: LockOptions = { ...this.#lock, ...(ctx.signal ? { signal: ctx.signal } : {}) };
      return withLockFile(
        this.lockFile,
        async () => {
          const fresh = await this.#adapter.load(ctx);
          const add = emptyAddResult();
          const remove: RemoveResult = { removed: [], missing: [] };
          for (const op of this.#ops) {
            if (op.kind === 'add') this.#applyAdd(fresh, op, add);
            else this.#applyRemove(fresh, op, remove);
          }
          const changed = add.added.length + add.replaced.length + remove.removed.length > 0;
          const result: WriteResult = { written: false, files: [], packageFiles: { copied: [], deleted: [] }, add, remove, packages: 0, warnings: [...(this.#adapter.warnings?.(fresh) ?? [])] };
          if (!changed && this.#adapter.exists(fresh) && options.rewrite !== true) {
            this.#state = fresh;
            this.#ops = [];
            result.packages = this.#adapter.views(fresh).length;
            return result;
          }
          const prepared = await this.#adapter.prepare(fresh, ctx);
          // The last moment an abort is honoured: from here on the files are being replaced.
          checkAborted(ctx.signal);
          const done = await prepared.install();
          this.#adapter.settle(fresh);
          this.#state = fresh;
          this.#ops = [];
          result.written = true;
          result.files = [...prepared.files, ...(done.files ?? [])];
          result.packageFiles = { copied: done.copied, deleted: done.deleted };
          result.warnings.push(...done.warnings);
          result.packages = this.#adapter.views(fresh).length;
          return result;
        },
        lock,
      );
    });
  }

  #applyAdd(state: unknown, op: Extract<Op, { kind: 'add' }>, result: AddResult): void {
    /** Packages put in by this batch (name, version, arch), and from which file: a later newer version in the batch supersedes them. */
    const fromBatch = new Map<string, { view: PackageView; path: string }>();
    const keyOf = (v: PackageView): string => `${v.name}\0${v.version.text}\0${v.arch}`;
    for (const item of op.items) {
      if (!('view' in item)) {
        result.skipped.push({ path: item.path, reason: item.reason, message: item.message });
        continue;
      }
      const wrongArch = this.#adapter.archAccepted(item.view);
      if (wrongArch !== undefined) {
        result.skipped.push({ path: item.path, reason: 'wrong-arch', message: wrongArch, package: item.view });
        continue;
      }
      const d = this.#adapter.add(state, item, op.force);
      if (d.kind === 'skipped') {
        const dup = d.reason === 'already-present' && fromBatch.has(keyOf(item.view));
        result.skipped.push(
          dup
            ? { path: item.path, reason: 'duplicate', message: `${item.view.name} ${item.view.version.text} came earlier in the same batch`, package: item.view }
            : { path: item.path, reason: d.reason, message: d.message, package: item.view },
        );
        continue;
      }
      if (d.kind === 'added') {
        result.added.push(item.view);
        fromBatch.set(keyOf(item.view), { view: item.view, path: item.path });
        continue;
      }
      let added = false;
      for (const old of d.old) {
        const earlier = fromBatch.get(keyOf(old));
        if (earlier === undefined) {
          result.replaced.push({ old, new: item.view });
          continue;
        }
        // Put in earlier by this batch: this one takes its place in the result.
        fromBatch.delete(keyOf(old));
        result.skipped.push({ path: earlier.path, reason: 'older', message: `${item.view.name} ${item.view.version.text} came later in the same batch`, package: earlier.view });
        const at = result.added.indexOf(earlier.view);
        if (at >= 0) {
          result.added.splice(at, 1);
          added = true;
        }
        const r = result.replaced.findIndex((x) => x.new === earlier.view);
        if (r >= 0) result.replaced[r] = { old: result.replaced[r]!.old, new: item.view };
      }
      if (added) result.added.push(item.view);
      fromBatch.set(keyOf(item.view), { view: item.view, path: item.path });
    }
  }

  #applyRemove(state: unknown, op: Extract<Op, { kind: 'remove' }>, result: RemoveResult): void {
    for (const name of op.names) {
      const gone = this.#adapter.remove(state, name);
      if (gone.length === 0) {
        if (!result.missing.includes(name)) result.missing.push(name);
      } else {
        result.removed.push(...gone);
      }
    }
  }
}

/** ALPM writer settings that fromRepodConfig passes through. */
interface AlpmWriteSettings {
  descVersion?: 1 | 2;
  pgpsig?: boolean;
}

