/**
 * The ALPM adapter: `<name>.db.tar<.c>` and `<name>.files.tar<.c>` in the repository directory,
 * read with readRepo, package files read on worker threads (readPackages, as repoAdd does),
 * written with buildSyncDb + installArchives under repo-add's lock `<db>.lck`.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { nodeBuiltin } from '../shared/input.js';
import { COMPRESSION_SUFFIX, type Compression } from '../shared/compression.js';
import { parseDependency } from '../alpm/dependency.js';
import { packageDescEntry, type AlpmPackageFile } from '../alpm/package.js';
import { defaultReadWorkers, readPackages } from '../alpm/read-pool.js';
import { isSigned, readRepo, resolveDbPath, verifyExisting, type DbPath } from '../alpm/repo.js';
import { formatIssue } from '../alpm/validate.js';
import type { DbVerifier } from '../alpm/gpg.js';
import type { SyncDbEntry } from '../alpm/sync-db-read.js';
import { buildSyncDb, installArchives, type DbSigner, type InstallOptions, type SyncDbWriteOptions } from '../alpm/sync-db-write.js';
import type { DescEntry } from '../alpm/types.js';
import { batches, checkAborted, decide, type Adapter, type Candidate, type Ctx, type Decision, type Prepared } from './adapter.js';
import { Version, emptyDependencies, type Dependency, type PackageView } from './view.js';

type NodeFsPromises = typeof import('node:fs/promises');

/** The in-memory index: the entries, and whether the archives existed. */
export interface AlpmState {
  entries: SyncDbEntry[];
  hadDb: boolean;
  hadFiles: boolean;
  /** Whether both archives had a `.sig`. */
  signed: boolean;
  /** What verifying the database's signature noticed (a missing signature). */
  warnings: string[];
}

/** What the ALPM adapter is configured with. */
export interface AlpmSettings {
  dir: string;
  name: string;
  compression: Compression | undefined;
  arch: string | undefined;
  includeSignatures: boolean;
  /** Writer settings (repod's, through fromRepodConfig). */
  write: Omit<SyncDbWriteOptions, 'compression'>;
  /** Signs both archives at every write. */
  sign: DbSigner | undefined;
  /** Checks the database's signature whenever it is read. */
  verify: DbVerifier | undefined;
  /** Keeps the replaced archives as `.old`. */
  backup: boolean;
}

const deps = (list: readonly string[]): Dependency[] => list.map((t) => ({ ...parseDependency(t) }));

/** The common view of a sync-database entry. */
export function alpmView(e: SyncDbEntry): PackageView<SyncDbEntry> {
  const d: DescEntry = e.entry;
  const version = d.version ?? e.version;
  const checksums: PackageView['checksums'] = {};
  if (d.sha256sum !== undefined) checksums.sha256 = d.sha256sum.toLowerCase();
  if (d.md5sum !== undefined) checksums.md5 = d.md5sum.toLowerCase();
  const dependencies = emptyDependencies();
  dependencies.depends = deps(d.depends);
  dependencies.optional = deps(d.optdepends);
  dependencies.provides = deps(d.provides);
  dependencies.conflicts = deps(d.conflicts);
  dependencies.replaces = deps(d.replaces);
  return {
    format: 'alpm',
    name: d.name ?? e.name,
    version: new Version('alpm', version),
    arch: d.arch ?? '',
    summary: d.desc ?? '',
    description: d.desc ?? '',
    fileName: d.filename ?? '',
    size: d.csize,
    installedSize: d.isize,
    checksums,
    dependencies,
    raw: e,
  };
}

function entryFromPackage(pkg: AlpmPackageFile): SyncDbEntry {
  const entry = packageDescEntry(pkg);
  const name = entry.name!;
  const version = entry.version!;
  return { dir: `${name}-${version}`, name, version, entry, layout: 'merged', raw: {}, warnings: [] };
}

async function exists(p: string): Promise<boolean> {
  try {
    await nodeBuiltin<NodeFsPromises>('node:fs/promises').lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Where the database is: the existing one's compression (through its `<name>.db` alias) unless one is asked for. */
export async function alpmDbPath(dir: string, name: string, compression: Compression | undefined): Promise<DbPath> {
  const path = nodeBuiltin<typeof import('node:path')>('node:path');
  if (compression !== undefined) {
    if (!(compression in COMPRESSION_SUFFIX)) throw new RepokitError('INVALID_ARGUMENT', `unknown compression ${JSON.stringify(compression)}`);
    return resolveDbPath(path.join(dir, `${name}.db.tar${COMPRESSION_SUFFIX[compression]}`));
  }
  const alias = path.join(dir, `${name}.db`);
  if (await exists(alias)) return resolveDbPath(alias);
  return resolveDbPath(path.join(dir, `${name}.db.tar.gz`));
}

/** The ALPM adapter over a resolved database path. */
export class AlpmAdapter implements Adapter<AlpmState, SyncDbEntry> {
  readonly format = 'alpm' as const;
  readonly lockFile: string;
  readonly db: DbPath;
  readonly #settings: AlpmSettings;

  constructor(db: DbPath, settings: AlpmSettings) {
    this.db = db;
    this.lockFile = db.lock;
    this.#settings = settings;
  }

  async load(ctx: Ctx): Promise<AlpmState> {
    ctx.progress({ phase: 'load', done: 0, total: 1, bytes: 0 });
    // Before the entries are read: a database whose signature fails is not used at all.
    const verified = await verifyExisting(this.db, this.#settings.verify);
    const r = await readRepo(this.db, ctx.signal ? { signal: ctx.signal } : {});
    const signed = this.#settings.sign !== undefined && (await isSigned(this.db));
    ctx.progress({ phase: 'load', done: 1, total: 1, bytes: 0 });
    return { entries: r.entries, hadDb: r.hadDb, hadFiles: r.hadFiles, signed, warnings: verified.map(formatIssue) };
  }

  clone(s: AlpmState): AlpmState {
    return { ...s, entries: [...s.entries] };
  }

  /** With `sign`, a database whose archives lack a signature counts as missing: it is written (and signed) even if nothing changed, as repo-add signs on every run. */
  exists(s: AlpmState): boolean {
    return s.hadDb && s.hadFiles && (this.#settings.sign === undefined || s.signed);
  }

  warnings(s: AlpmState): string[] {
    return s.warnings;
  }

  async read(paths: readonly string[], ctx: Ctx): Promise<Candidate<SyncDbEntry>[]> {
    const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
    const sizes = await Promise.all(paths.map((p) => fs.stat(p).then((s) => s.size, () => 0)));
    const totalBytes = sizes.reduce((a, b) => a + b, 0);
    const out: Candidate<SyncDbEntry>[] = [];
    let bytes = 0;
    ctx.progress({ phase: 'read', done: 0, total: paths.length, bytes, totalBytes });
    let at = 0;
    for (const batch of batches(paths)) {
      checkAborted(ctx.signal);
      const workers = ctx.concurrency !== undefined ? (ctx.concurrency <= 1 ? 0 : ctx.concurrency) : batch.length >= 8 ? defaultReadWorkers() : 0;
      const read = await readPackages(batch, workers, {
        signature: this.#settings.includeSignatures,
        concurrency: 4,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      for (let i = 0; i < read.length; i++) {
        const path = batch[i]!;
        let entry: SyncDbEntry;
        try {
          entry = entryFromPackage(read[i]!);
        } catch (e) {
          if (isRepokitError(e)) e.withFile(path);
          throw e;
        }
        out.push({ path, view: alpmView(entry), entry });
        bytes += sizes[at++]!;
      }
      ctx.progress({ phase: 'read', done: at, total: paths.length, bytes, totalBytes });
    }
    return out;
  }

  archAccepted(view: PackageView): string | undefined {
    const want = this.#settings.arch;
    if (want === undefined || view.arch === want || view.arch === 'any') return undefined;
    return `${view.name} is for ${view.arch}, the repository for ${want}`;
  }

  add(s: AlpmState, c: Candidate<SyncDbEntry>, force: boolean): Decision {
    const same = s.entries.filter((e) => e.name === c.entry.name);
    const d = decide(same.map(alpmView), c.view, force);
    if (d.kind === 'skipped') return d;
    s.entries = s.entries.filter((e) => e.name !== c.entry.name);
    s.entries.push(c.entry);
    return d;
  }

  remove(s: AlpmState, name: string): PackageView[] {
    const hit = s.entries.filter((e) => e.name === name);
    s.entries = s.entries.filter((e) => e.name !== name);
    return hit.map(alpmView);
  }

  views(s: AlpmState): PackageView[] {
    return [...s.entries].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0)).map(alpmView);
  }

  async prepare(s: AlpmState, ctx: Ctx): Promise<Prepared> {
    checkAborted(ctx.signal);
    const archives = await buildSyncDb(
      s.entries.map((e) => ({ entry: e.entry, dir: e.dir, raw: e.raw })),
      { ...this.#settings.write, compression: this.db.compression },
    );
    const files = [this.db.db, this.db.files];
    return {
      files,
      install: async () => {
        ctx.progress({ phase: 'write', done: 0, total: 2, bytes: 0 });
        const install: InstallOptions = { backup: this.#settings.backup };
        if (this.#settings.sign !== undefined) install.sign = this.#settings.sign;
        const w = await installArchives(this.db.dir, this.db.repo, this.db.compression, archives, install);
        ctx.progress({ phase: 'write', done: 2, total: 2, bytes: 0 });
        return { copied: [], deleted: w.removedSignatures, warnings: w.removedSignatures.map((f) => `removed the stale signature ${f}`), files: [...w.signatures.slice(0, 2), ...w.backups] };
      },
    };
  }

  settle(s: AlpmState): void {
    s.hadDb = true;
    s.hadFiles = true;
    s.signed = this.#settings.sign !== undefined;
    s.warnings = [];
  }
}
