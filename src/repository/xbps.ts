/**
 * The XBPS adapter: `<arch>-repodata` in the repository directory, packages read and hashed as
 * `xbps-rindex -a` does (readForIndex, big files hashed on worker threads), xbps-rindex's own
 * decisions (addDecision with `reverts`, the shlib staging rule of commitStage), written atomically
 * (mode 0664) under `<arch>-repodata.lock`.
 */
import { isRepokitError, RepokitError } from '../shared/errors.js';
import { nodeBuiltin } from '../shared/input.js';
import type { Compression } from '../shared/compression.js';
import { writeFileAtomic } from '../shared/atomic.js';
import { dependencyName, pkgpatternVersion } from '../xbps/cmpver.js';
import { pkgverName, pkgverVersion } from '../xbps/pkgver.js';
import { addDecision, commitStage, readForIndex } from '../xbps/rindex.js';
import { defaultWorkerCount } from '../xbps/rindex-hash.js';
import { entryFileName, entryInteger, entryString, entryStrings, repodataFileName, type XbpsIndexEntry } from '../xbps/repodata.js';
import { readRepodata } from '../xbps/repodata-read.js';
import { indexEntryFromPackage, writeRepodata } from '../xbps/repodata-write.js';
import type { PlistDict } from '../xbps/types.js';
import { checkAborted, type Adapter, type Candidate, type Ctx, type Decision, type Prepared } from './adapter.js';
import { Version, emptyDependencies, type Dependency, type DependencyOperator, type PackageView } from './view.js';

/** The in-memory repodata. */
export interface XbpsState {
  index: Map<string, XbpsIndexEntry>;
  stage: Map<string, XbpsIndexEntry>;
  meta: PlistDict | undefined;
  existed: boolean;
}

/** An xbps dependency pattern in the common shape: `name<op>version` splits; other patterns keep their text. */
export function xbpsDependency(pattern: string): Dependency {
  const m = /^([^<>=*?[\]]+?)(<=|>=|<|>|=)([^<>=]+)$/.exec(pattern);
  if (m !== null) return { name: m[1]!, operator: m[2] as DependencyOperator, version: m[3]! };
  const name = dependencyName(pattern);
  if (name === pattern) return { name };
  // `foo-1.0_1` (an exact pkgver) is `=`; anything else (`foo>=1<2`, `foo-1.*`) stays as written.
  const exact = pkgverVersion(pattern);
  if (pkgpatternVersion(pattern) === undefined && exact !== undefined) return { name, operator: '=', version: exact };
  return { name, description: pattern };
}

function toNumber(v: number | bigint | undefined): number | undefined {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** The common view of a repodata entry. */
export function xbpsView(e: XbpsIndexEntry): PackageView<XbpsIndexEntry> {
  const d = e.dict;
  const where = e.pkgname;
  const summary = entryString(d, 'short_desc', where) ?? '';
  const sha256 = entryString(d, 'filename-sha256', where);
  const dependencies = emptyDependencies();
  dependencies.depends = entryStrings(d, 'run_depends', where).map(xbpsDependency);
  dependencies.provides = entryStrings(d, 'provides', where).map(xbpsDependency);
  dependencies.conflicts = entryStrings(d, 'conflicts', where).map(xbpsDependency);
  dependencies.replaces = entryStrings(d, 'replaces', where).map(xbpsDependency);
  let fileName = '';
  try {
    fileName = entryFileName(e);
  } catch {
    // no usable architecture: leave the name empty
  }
  return {
    format: 'xbps',
    name: e.pkgname,
    version: new Version('xbps', pkgverVersion(e.pkgver) ?? e.pkgver),
    arch: entryString(d, 'architecture', where) ?? '',
    summary,
    description: summary,
    fileName,
    size: toNumber(entryInteger(d, 'filename-size', where)),
    installedSize: toNumber(entryInteger(d, 'installed_size', where)),
    checksums: sha256 === undefined ? {} : { sha256: sha256.toLowerCase() },
    dependencies,
    raw: e,
  };
}

/** What the xbps adapter is configured with. */
export interface XbpsSettings {
  dir: string;
  arch: string;
  compression: Compression | undefined;
}

export class XbpsAdapter implements Adapter<XbpsState, XbpsIndexEntry> {
  readonly format = 'xbps' as const;
  readonly lockFile: string;
  readonly repodata: string;
  readonly #settings: XbpsSettings;

  constructor(settings: XbpsSettings) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(settings.arch)) throw new RepokitError('INVALID_ARGUMENT', `not an architecture name: ${JSON.stringify(settings.arch)}`);
    const path = nodeBuiltin<typeof import('node:path')>('node:path');
    this.#settings = settings;
    this.repodata = path.join(settings.dir, repodataFileName(settings.arch));
    this.lockFile = `${this.repodata}.lock`;
  }

  async load(ctx: Ctx): Promise<XbpsState> {
    ctx.progress({ phase: 'load', done: 0, total: 1, bytes: 0 });
    let state: XbpsState;
    try {
      const r = await readRepodata(this.repodata);
      state = { index: new Map(r.index), stage: new Map(r.stage), meta: r.meta?.dict, existed: true };
    } catch (e) {
      if (!(isRepokitError(e) && e.code === 'IO_ERROR' && /ENOENT/.test(e.detail))) throw e;
      state = { index: new Map(), stage: new Map(), meta: undefined, existed: false };
    }
    ctx.progress({ phase: 'load', done: 1, total: 1, bytes: 0 });
    return state;
  }

  clone(s: XbpsState): XbpsState {
    return { index: new Map(s.index), stage: new Map(s.stage), meta: s.meta, existed: s.existed };
  }

  exists(s: XbpsState): boolean {
    return s.existed;
  }

  async read(paths: readonly string[], ctx: Ctx): Promise<Candidate<XbpsIndexEntry>[]> {
    const fs = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
    const totalBytes = (await Promise.all(paths.map((p) => fs.stat(p).then((s) => s.size, () => 0)))).reduce((a, b) => a + b, 0);
    let done = 0;
    let bytes = 0;
    ctx.progress({ phase: 'read', done, total: paths.length, bytes, totalBytes });
    const workers = ctx.concurrency !== undefined ? (ctx.concurrency <= 1 ? 0 : ctx.concurrency) : defaultWorkerCount();
    const read = await readForIndex(paths, { workers, ...(ctx.signal ? { signal: ctx.signal } : {}) }, (size) => {
      bytes += size;
      ctx.progress({ phase: 'read', done: ++done, total: paths.length, bytes, totalBytes });
    });
    return read.map(({ path, pkg }) => {
      const name = pkgverName(pkg.pkgver);
      if (name === undefined) throw new RepokitError('XBPS_BAD_PACKAGE', `props.plist pkgver "${pkg.pkgver}" is not name-version_revision`, { file: path });
      const entry = indexEntryFromPackage(pkg, name);
      return { path, view: xbpsView(entry), entry };
    });
  }

  archAccepted(view: PackageView): string | undefined {
    if (view.arch === this.#settings.arch || view.arch === 'noarch') return undefined;
    return `${view.name} is for ${view.arch}, the repository for ${this.#settings.arch} (xbps-rindex: unmatched arch)`;
  }

  add(s: XbpsState, c: Candidate<XbpsIndexEntry>, force: boolean): Decision {
    const current = s.stage.get(c.entry.pkgname) ?? s.index.get(c.entry.pkgname);
    const why = addDecision(c.entry, s.index, s.stage, force);
    if (why === 'already-registered') return { kind: 'skipped', reason: 'already-present', message: `${current!.pkgver} is already in the index` };
    if (why === 'older') return { kind: 'skipped', reason: 'older', message: `the index holds ${current!.pkgver}, newer than ${c.entry.pkgver}` };
    s.stage.set(c.entry.pkgname, c.entry);
    return current === undefined ? { kind: 'added' } : { kind: 'replaced', old: [xbpsView(current)] };
  }

  remove(s: XbpsState, name: string): PackageView[] {
    const out: PackageView[] = [];
    for (const m of [s.stage, s.index]) {
      const e = m.get(name);
      if (e !== undefined) {
        out.push(xbpsView(e));
        m.delete(name);
      }
    }
    return out;
  }

  views(s: XbpsState): PackageView[] {
    // What clients would see: the index with the stage merged in when the staging rule allows it.
    const { index } = commitStage(s.index, s.stage);
    return [...index.values()].sort((a, b) => (a.pkgname < b.pkgname ? -1 : a.pkgname > b.pkgname ? 1 : 0)).map(xbpsView);
  }

  async prepare(s: XbpsState, ctx: Ctx): Promise<Prepared> {
    checkAborted(ctx.signal);
    const commit = commitStage(s.index, s.stage);
    const compression = this.#settings.compression;
    const bytes = await writeRepodata({ index: commit.index, stage: commit.stage, meta: s.meta }, compression === undefined ? {} : { compression });
    const warnings = commit.consistent
      ? []
      : [...commit.missingShlibs].map(([so, users]) => `kept staged: publishing would take ${so} away from ${users.join(', ')} (xbps-rindex's staging rule)`);
    return {
      files: [this.repodata],
      install: async () => {
        ctx.progress({ phase: 'write', done: 0, total: 1, bytes: 0 });
        await writeFileAtomic(this.repodata, bytes, { mode: 0o664 });
        ctx.progress({ phase: 'write', done: 1, total: 1, bytes: 0 });
        return { copied: [], deleted: [], warnings };
      },
    };
  }

  settle(s: XbpsState): void {
    const commit = commitStage(s.index, s.stage);
    s.index = commit.index;
    s.stage = commit.stage;
    s.existed = true;
  }
}
