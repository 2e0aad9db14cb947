/**
 * The apt-rpm adapter. An apt-rpm index describes the package files of a tree: binary packages
 * live in `<root>/<arch>/RPMS.<component>/` and `<root>/<arch>/base/` holds the pkglists and
 * release files made from them. So adding a package means copying it into the tree (as
 * `N-V-R.A.rpm`, the name AptRpmRepository gives it) and rebuilding its arch's indexes; replacing
 * or removing one deletes its file. Under the lock (`<root>/.aptrpm.lock`, AptRpmRepository's),
 * the indexes are built first from the files where they are (new ones still at their source
 * path), then the new files are put in place, the indexes written (release last), and only then
 * the files of replaced or removed packages deleted: a reader of the old index never finds a file
 * missing.
 */
import { RepokitError } from '../shared/errors.js';
import { nodeBuiltin } from '../shared/input.js';
import { writeFileAtomic } from '../shared/atomic.js';
import { errno, ioError } from '../shared/io-error.js';
import type { Header } from '../rpm/header.js';
import { dependencies as rpmDependencies, type RpmDependency } from '../rpm/metadata.js';
import { checkComponent, isBinaryHeader } from '../aptrpm/pkglist.js';
import { readPkglist } from '../aptrpm/reader.js';
import { checkArch, dropArchIndexes, listArches, listComponents, prepareArchIndexes, type IndexOptions, type ListCompression, type PlannedPackageFile } from '../aptrpm/repository.js';
import { scanPackageFiles } from '../aptrpm/scan.js';
import { CRPMTAG, TAG } from '../aptrpm/tags.js';
import { batches, checkAborted, decide, type Adapter, type Candidate, type Ctx, type Decision, type Prepared } from './adapter.js';
import { Version, emptyDependencies, type Dependency, type DependencyOperator, type PackageView } from './view.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

/** One package of the tree. */
export interface AptItem {
  arch: string;
  component: string;
  fileName: string;
  view: PackageView<Header>;
  /** Where a package not yet in the tree is copied from. */
  source?: string;
}

/** The in-memory tree: packages by `arch/component/fileName`. */
export interface AptState {
  items: Map<string, AptItem>;
  /** Arches whose `base/release` exists. */
  indexed: Set<string>;
  /** Arches whose packages changed. */
  dirty: Set<string>;
  /** Package files (absolute) to delete after the indexes are written. */
  deleted: Set<string>;
}

/** A package read from a file. */
export interface AptEntry {
  arch: string;
  fileName: string;
}

const key = (arch: string, component: string, fileName: string): string => `${arch}/${component}/${fileName}`;

const OPERATORS = new Set<string>(['<', '<=', '=', '>=', '>']);

function commonDependency(d: RpmDependency): Dependency {
  const out: Dependency = { name: d.name };
  if (OPERATORS.has(d.operator) && d.version !== '') {
    out.operator = d.operator as DependencyOperator;
    out.version = d.version;
  }
  return out;
}

function deps(h: Header, kind: string, dropRpmlib = false): Dependency[] {
  const list = rpmDependencies(h, kind);
  return (dropRpmlib ? list.filter((d) => !d.name.startsWith('rpmlib(')) : list).map(commonDependency);
}

/** The `[epoch:]version-release` of a header. */
function evrOf(h: Header): string {
  const epoch = h.has(TAG.EPOCH) ? h.getNumber(TAG.EPOCH) : undefined;
  return `${epoch !== undefined ? `${epoch}:` : ''}${h.getString(TAG.VERSION) ?? ''}-${h.getString(TAG.RELEASE) ?? ''}`;
}

/**
 * The common view of an RPM header: a pkglist header (with ALT's CRPMTAG_* file facts) or a
 * package's main header with the file facts given.
 */
export function aptView(h: Header, component: string, file?: { name: string; size: number; md5: string; blake2b?: string | undefined }): PackageView<Header> {
  const str = (tag: number): string | undefined => (h.has(tag) ? h.getString(tag) : undefined);
  const num = (tag: number): number | undefined => (h.has(tag) ? h.getNumber(tag) : undefined);
  const checksums: PackageView['checksums'] = {};
  const md5 = file?.md5 ?? str(CRPMTAG.MD5);
  const blake2b = file?.blake2b ?? str(CRPMTAG.BLAKE2B);
  if (md5 !== undefined) checksums.md5 = md5;
  if (blake2b !== undefined) checksums.blake2b = blake2b;
  const dependencies = emptyDependencies();
  dependencies.depends = deps(h, 'requires', true);
  dependencies.optional = [...deps(h, 'recommends'), ...deps(h, 'suggests')];
  dependencies.provides = deps(h, 'provides');
  dependencies.conflicts = deps(h, 'conflicts');
  dependencies.replaces = deps(h, 'obsoletes');
  return {
    format: 'aptrpm',
    name: str(TAG.NAME) ?? '',
    version: new Version('aptrpm', evrOf(h)),
    arch: str(TAG.ARCH) ?? '',
    summary: str(TAG.SUMMARY) ?? '',
    description: str(TAG.DESCRIPTION) ?? '',
    fileName: file?.name ?? str(CRPMTAG.FILENAME) ?? '',
    size: file?.size ?? num(CRPMTAG.FILESIZE),
    installedSize: num(TAG.SIZE),
    checksums,
    dependencies,
    component,
    raw: h,
  };
}

/** What the apt-rpm adapter is configured with. */
export interface AptSettings {
  root: string;
  component: string;
  arch: string | undefined;
  compress: ListCompression[];
  index: Omit<IndexOptions, 'components' | 'compress' | 'workers' | 'signal'>;
}

async function readdirNames(dir: string): Promise<string[]> {
  try {
    return await nodeBuiltin<Fs>('node:fs/promises').readdir(dir);
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return [];
    throw ioError(e, dir);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await nodeBuiltin<Fs>('node:fs/promises').stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Put `src` at `dst` atomically: a hard link under a temporary name renamed over `dst` (no copy
 * when both are on one file system), else a copy through writeFileAtomic.
 */
async function placeFile(src: string, dst: string): Promise<void> {
  const fs = nodeBuiltin<Fs>('node:fs/promises');
  const path = nodeBuiltin<Path>('node:path');
  if (path.resolve(src) === path.resolve(dst)) return;
  const tmp = path.join(path.dirname(dst), `.${path.basename(dst)}.tmp-${process.pid}-${Math.floor(Math.random() * 1e9)}`);
  try {
    await fs.link(src, tmp);
    await fs.rename(tmp, dst);
    return;
  } catch {
    await fs.unlink(tmp).catch(() => undefined);
  }
  const { fileChunks } = await import('../shared/hash.js');
  await writeFileAtomic(dst, fileChunks(src), { mode: 0o644 });
}

export class AptRpmAdapter implements Adapter<AptState, AptEntry> {
  readonly format = 'aptrpm' as const;
  readonly lockFile: string;
  readonly #s: AptSettings;

  constructor(settings: AptSettings) {
    checkComponent(settings.component);
    if (settings.arch !== undefined) checkArch(settings.arch);
    this.#s = settings;
    this.lockFile = nodeBuiltin<Path>('node:path').join(settings.root, '.aptrpm.lock');
  }

  #rpmsDir(arch: string, component: string): string {
    return nodeBuiltin<Path>('node:path').join(this.#s.root, arch, `RPMS.${component}`);
  }

  async load(ctx: Ctx): Promise<AptState> {
    const path = nodeBuiltin<Path>('node:path');
    const state: AptState = { items: new Map(), indexed: new Set(), dirty: new Set(), deleted: new Set() };
    const arches = await listArches(this.#s.root);
    ctx.progress({ phase: 'load', done: 0, total: arches.length, bytes: 0 });
    let done = 0;
    for (const arch of arches) {
      checkAborted(ctx.signal);
      const base = path.join(this.#s.root, arch, 'base');
      if (await exists(path.join(base, 'release'))) state.indexed.add(arch);
      for (const component of await listComponents(this.#s.root, arch)) {
        const names = (await readdirNames(this.#rpmsDir(arch, component))).filter((n) => n.endsWith('.rpm') && !n.startsWith('.'));
        const wanted = new Set(names);
        // The pkglist has every fact the view needs; files it does not list are read.
        const known = new Map<string, Header>();
        for (const list of [`pkglist.${component}`, `pkglist.${component}.xz`, `pkglist.${component}.bz2`]) {
          const p = path.join(base, list);
          if (!(await exists(p))) continue;
          for await (const { header } of readPkglist(p)) {
            const name = header.has(CRPMTAG.FILENAME) ? header.getString(CRPMTAG.FILENAME) : undefined;
            if (name !== undefined && wanted.has(name)) known.set(name, header);
          }
          break;
        }
        const missing = names.filter((n) => !known.has(n));
        const scanned = missing.length === 0 ? [] : await scanPackageFiles(missing.map((n) => path.join(this.#rpmsDir(arch, component), n)), {
          ...(ctx.concurrency !== undefined ? { workers: ctx.concurrency <= 1 ? 0 : ctx.concurrency } : {}),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        for (const n of names) {
          const h = known.get(n);
          const view = h !== undefined ? aptView(h, component) : aptView(scanned[missing.indexOf(n)]!.package.header, component, scanned[missing.indexOf(n)]!.file);
          state.items.set(key(arch, component, n), { arch, component, fileName: n, view });
        }
      }
      ctx.progress({ phase: 'load', done: ++done, total: arches.length, bytes: 0 });
    }
    return state;
  }

  clone(s: AptState): AptState {
    return { items: new Map(s.items), indexed: new Set(s.indexed), dirty: new Set(s.dirty), deleted: new Set(s.deleted) };
  }

  exists(s: AptState): boolean {
    const arches = new Set([...s.items.values()].map((i) => i.arch));
    return [...arches].every((a) => s.indexed.has(a));
  }

  async read(paths: readonly string[], ctx: Ctx): Promise<(Candidate<AptEntry> | { path: string; reason: 'source-package'; message: string })[]> {
    const fs = nodeBuiltin<Fs>('node:fs/promises');
    const sizes = await Promise.all(paths.map((p) => fs.stat(p).then((s) => s.size, () => 0)));
    const totalBytes = sizes.reduce((a, b) => a + b, 0);
    const out: (Candidate<AptEntry> | { path: string; reason: 'source-package'; message: string })[] = [];
    let done = 0;
    let bytes = 0;
    ctx.progress({ phase: 'read', done, total: paths.length, bytes, totalBytes });
    for (const batch of batches(paths)) {
      checkAborted(ctx.signal);
      const scanned = await scanPackageFiles(batch, {
        ...(ctx.concurrency !== undefined ? { workers: ctx.concurrency <= 1 ? 0 : ctx.concurrency } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      for (const s of scanned) {
        const h = s.package.header;
        bytes += sizes[done++]!;
        if (!isBinaryHeader(h)) {
          out.push({ path: s.path, reason: 'source-package', message: 'a source package: pkglists hold binary packages only' });
          continue;
        }
        const field = (tag: number, what: string): string => {
          const v = h.has(tag) ? h.getString(tag) : undefined;
          if (v === undefined || v === '') throw new RepokitError('APTRPM_INVALID_PACKAGE', `the package has no ${what}`, { file: s.path });
          return v;
        };
        const arch = checkArch(field(TAG.ARCH, 'ARCH'));
        const fileName = `${field(TAG.NAME, 'NAME')}-${field(TAG.VERSION, 'VERSION')}-${field(TAG.RELEASE, 'RELEASE')}.${arch}.rpm`;
        if (fileName.includes('/') || fileName.startsWith('.')) throw new RepokitError('APTRPM_BAD_NAME', `package file name ${JSON.stringify(fileName)} cannot be stored`, { file: s.path });
        const view = aptView(h, this.#s.component, { ...s.file, name: fileName });
        out.push({ path: s.path, view, entry: { arch, fileName } });
      }
      ctx.progress({ phase: 'read', done, total: paths.length, bytes, totalBytes });
    }
    return out;
  }

  archAccepted(view: PackageView): string | undefined {
    const want = this.#s.arch;
    if (want === undefined || view.arch === want || view.arch === 'noarch') return undefined;
    return `${view.name} is for ${view.arch}, the repository takes ${want} (and noarch)`;
  }

  #delete(s: AptState, item: AptItem): void {
    s.items.delete(key(item.arch, item.component, item.fileName));
    s.dirty.add(item.arch);
    if (item.source === undefined) s.deleted.add(nodeBuiltin<Path>('node:path').join(this.#rpmsDir(item.arch, item.component), item.fileName));
  }

  add(s: AptState, c: Candidate<AptEntry>, force: boolean): Decision {
    const { arch, fileName } = c.entry;
    const component = this.#s.component;
    const same = [...s.items.values()].filter((i) => i.arch === arch && i.component === component && i.view.name === c.view.name);
    const d = decide(
      same.map((i) => i.view),
      c.view,
      force,
    );
    if (d.kind === 'skipped') return d;
    for (const old of same) this.#delete(s, old);
    const target = nodeBuiltin<Path>('node:path').join(this.#rpmsDir(arch, component), fileName);
    s.deleted.delete(target); // a forced re-add of the same file name overwrites it instead
    s.items.set(key(arch, component, fileName), { arch, component, fileName, view: c.view as PackageView<Header>, source: c.path });
    s.dirty.add(arch);
    return d;
  }

  remove(s: AptState, name: string): PackageView[] {
    const hit = [...s.items.values()].filter((i) => i.view.name === name);
    for (const i of hit) this.#delete(s, i);
    return hit.map((i) => i.view);
  }

  views(s: AptState): PackageView[] {
    return [...s.items.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, i]) => i.view);
  }

  async prepare(s: AptState, ctx: Ctx): Promise<Prepared> {
    const path = nodeBuiltin<Path>('node:path');
    const fs = nodeBuiltin<Fs>('node:fs/promises');
    const byArch = new Map<string, AptItem[]>();
    for (const i of s.items.values()) byArch.set(i.arch, [...(byArch.get(i.arch) ?? []), i]);
    const todo = new Set<string>([...s.dirty]);
    for (const arch of byArch.keys()) if (!s.indexed.has(arch)) todo.add(arch);
    const builds: { arch: string; install(): Promise<void> }[] = [];
    const drops: string[] = [];
    const files: string[] = [];
    for (const arch of [...todo].sort()) {
      checkAborted(ctx.signal);
      const items = byArch.get(arch) ?? [];
      if (items.length === 0) {
        drops.push(arch);
        continue;
      }
      const packages = new Map<string, PlannedPackageFile[]>();
      for (const i of items) {
        const list = packages.get(i.component) ?? [];
        list.push({ name: i.fileName, path: i.source ?? path.join(this.#rpmsDir(arch, i.component), i.fileName) });
        packages.set(i.component, list);
      }
      const options: IndexOptions = {
        ...this.#s.index,
        components: [...packages.keys()].sort(),
        compress: this.#s.compress,
        ...(ctx.concurrency !== undefined ? { workers: ctx.concurrency <= 1 ? 0 : ctx.concurrency } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      };
      const p = await prepareArchIndexes(this.#s.root, arch, options, packages);
      checkAborted(ctx.signal);
      builds.push({ arch, install: p.install });
      for (const f of p.result.files) files.push(path.join(this.#s.root, arch, f.path));
      files.push(path.join(this.#s.root, arch, 'base', 'release'));
    }
    const copies = [...s.items.values()].filter((i) => i.source !== undefined);
    return {
      files,
      install: async () => {
        const total = copies.length + builds.length + drops.length + s.deleted.size;
        let done = 0;
        ctx.progress({ phase: 'write', done, total, bytes: 0 });
        const copied: string[] = [];
        for (const i of copies) {
          const dir = this.#rpmsDir(i.arch, i.component);
          await fs.mkdir(dir, { recursive: true }).catch((e: unknown) => {
            throw ioError(e, dir);
          });
          const dst = path.join(dir, i.fileName);
          await placeFile(i.source!, dst);
          copied.push(dst);
          ctx.progress({ phase: 'write', done: ++done, total, bytes: 0 });
        }
        for (const b of builds) {
          await b.install();
          ctx.progress({ phase: 'write', done: ++done, total, bytes: 0 });
        }
        for (const arch of drops) {
          await dropArchIndexes(this.#s.root, arch);
          ctx.progress({ phase: 'write', done: ++done, total, bytes: 0 });
        }
        const deleted: string[] = [];
        for (const f of [...s.deleted].sort()) {
          await fs.unlink(f).catch((e: unknown) => {
            if (errno(e) !== 'ENOENT') throw ioError(e, f);
          });
          deleted.push(f);
          ctx.progress({ phase: 'write', done: ++done, total, bytes: 0 });
        }
        return { copied, deleted, warnings: [] };
      },
    };
  }

  settle(s: AptState): void {
    for (const [k, i] of s.items) if (i.source !== undefined) s.items.set(k, { arch: i.arch, component: i.component, fileName: i.fileName, view: i.view });
    s.indexed = new Set([...s.items.values()].map((i) => i.arch));
    s.dirty.clear();
    s.deleted.clear();
  }
}
