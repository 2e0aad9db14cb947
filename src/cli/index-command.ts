/**
 * `repokit index DIR`: detect the package kinds in DIR by content and write the matching index in
 * place, through the Repository facade. Presentation only: the work is src/repository's.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { machine } from 'node:os';
import { RepokitError } from '../shared/errors.js';
import type { Compression } from '../shared/compression.js';
import { readXbpsPackageHead } from '../xbps/package.js';
import { Repository, detectPackageKind, type AddResult, type PackageKind, type PackageView, type ProgressEvent, type RepositoryFormat, type WriteResult } from '../repository/index.js';
import { UsageError, formatOptions, parseArgs, type OptionSpec } from './args.js';
import { errorLine, errorToJson, isRepokitError, oneLine, plural, toJson, visible } from './output.js';
import type { Context } from './rpm.js';

/** The lines this command adds to the main help's command list. */
export const INDEX_SUMMARY = '  index DIR             write the index of the packages in DIR (pacman, xbps or apt-rpm)\n';

const FORMAT_OF: Record<Exclude<PackageKind, 'unknown'>, RepositoryFormat> = { pacman: 'alpm', xbps: 'xbps', rpm: 'aptrpm' };

const OPTIONS: readonly OptionSpec[] = [
  { name: 'format', value: 'FORMAT', choices: ['alpm', 'xbps', 'aptrpm'], help: 'index only this format (default: every kind found in DIR)' },
  { name: 'name', value: 'NAME', help: "alpm: the repository name, <NAME>.db (default: DIR's base name)" },
  { name: 'arch', value: 'ARCH', help: 'xbps: the repository arch (default: those of the packages); alpm, aptrpm: take only ARCH (and any/noarch)' },
  { name: 'component', value: 'C', help: 'aptrpm: the component, RPMS.<C> (default classic)' },
  { name: 'compression', value: 'C', choices: ['gzip', 'xz', 'zstd', 'bzip2', 'lz4', 'none'], help: 'alpm: database (default: as it is, else gzip); xbps: repodata (default zstd); aptrpm: xz (default), bzip2 or none' },
  { name: 'force', help: 'also replace indexed packages by equal or older versions' },
  { name: 'lock', value: 'MODE', choices: ['wait', 'fail'], help: 'when another process holds the lock: wait (default) or fail' },
  { name: 'jobs', value: 'N', help: 'worker threads reading and hashing packages (default: every core)' },
  { name: 'json', help: 'print the summary as JSON' },
];

export const INDEX_HELP = `Usage: repokit index DIR [options]

Write the index of the packages in DIR, in place. The package kind of every regular file
directly in DIR is detected by content (not by name), and each kind found gets its index:

  pacman packages  DIR/<name>.db.tar.gz and <name>.files.tar.gz with the <name>.db and
                   <name>.files links, as repo-add makes them (lock <name>.db.tar.gz.lck)
  xbps packages    DIR/<arch>-repodata for each architecture of the packages (noarch ones go
                   into each), as xbps-rindex -a makes it (lock <arch>-repodata.lock)
  RPMs             an apt-rpm tree rooted at DIR: each binary RPM is linked (or copied) to
                   DIR/<arch>/RPMS.<component>/N-V-R.A.rpm and DIR/<arch>/base/ gets the
                   pkglist and release files; RPMs already in the tree stay (lock .aptrpm.lock)

Existing indexes are updated: a newer version replaces the indexed one, an equal or older one is
skipped (unless --force); packages that are in the index but no longer in DIR stay indexed.
Every index file is replaced atomically under the format's lock. A progress bar is drawn on
standard error when it is a terminal; a summary (added, replaced, skipped and why, the files
written) goes to standard output.

Options:
${formatOptions(OPTIONS)}

Exit status: 0 on success, 1 if a package or an index cannot be read or written (or DIR holds
no package and no --format is given), 2 for a usage error.
`;

/** A progress line on stderr, redrawn in place; nothing when stderr is not a terminal. */
class ProgressBar {
  #ctx: Context;
  #label = '';
  #drawn = false;
  #last = 0;
  constructor(ctx: Context) {
    this.#ctx = ctx;
  }
  label(text: string): void {
    this.#label = text;
  }
  update(e: ProgressEvent): void {
    if (this.#ctx.isTTY !== true) return;
    const now = Date.now();
    if (e.done !== e.total && now - this.#last < 100) return;
    this.#last = now;
    const width = 24;
    const fill = e.total === 0 ? width : Math.round((e.done / e.total) * width);
    const mib = e.totalBytes !== undefined ? ` ${(e.bytes / 1048576).toFixed(1)}/${(e.totalBytes / 1048576).toFixed(1)} MiB` : '';
    this.#ctx.io.err(`\r\x1b[K${this.#label} ${e.phase.padEnd(5)} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${e.done}/${e.total}${mib}`);
    this.#drawn = true;
  }
  clear(): void {
    if (this.#drawn) this.#ctx.io.err('\r\x1b[K');
    this.#drawn = false;
  }
}

interface Job {
  format: RepositoryFormat;
  arch?: string;
  files: string[];
}

function viewLine(v: PackageView): string {
  return `${visible(v.name)} ${visible(v.version.text)}${v.arch !== '' ? ` (${visible(v.arch)})` : ''}`;
}

function summaryText(label: string, add: AddResult, w: WriteResult, dir: string): string {
  const rel = (f: string): string => (f.startsWith(`${dir}/`) ? f.slice(dir.length + 1) : f);
  const lines = [`${label}: ${plural(w.packages, 'package')} in the index; ${add.added.length} added, ${add.replaced.length} replaced, ${add.skipped.length} skipped`];
  for (const v of add.added) lines.push(`  added     ${viewLine(v)}`);
  for (const r of add.replaced) lines.push(`  replaced  ${viewLine(r.old)} -> ${visible(r.new.version.text)}`);
  for (const s of add.skipped) lines.push(`  skipped   ${visible(basename(s.path))}: ${s.reason} (${visible(oneLine(s.message))})`);
  for (const wn of w.warnings) lines.push(`  warning   ${visible(oneLine(wn))}`);
  if (w.written) lines.push(`  wrote     ${w.files.map(rel).map(visible).join(', ')}`);
  else lines.push('  nothing to write (the index is up to date)');
  return `${lines.join('\n')}\n`;
}

/** `repokit index ...` */
export async function indexCommand(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, OPTIONS, 'index');
  if (p.help) {
    ctx.io.out(INDEX_HELP);
    return 0;
  }
  if (p.positionals.length !== 1) throw new UsageError(p.positionals.length === 0 ? 'missing DIR' : 'give one DIR', 'index');
  const str = (name: string): string | undefined => {
    const v = p.options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const jobsText = str('jobs');
  let jobs: number | undefined;
  if (jobsText !== undefined) {
    if (!/^[1-9][0-9]{0,3}$/.test(jobsText)) throw new UsageError(`--jobs must be a positive integer, not '${jobsText}'`, 'index');
    jobs = Number(jobsText);
  }
  const format = str('format') as RepositoryFormat | undefined;
  const compression = str('compression') as Compression | undefined;
  if (format === 'aptrpm' && compression !== undefined && !['xz', 'bzip2', 'none'].includes(compression)) {
    throw new UsageError(`--compression for aptrpm is xz, bzip2 or none, not '${compression}'`, 'index');
  }
  const json = p.options.has('json');
  const dir = resolve(p.positionals[0]!);
  const bar = new ProgressBar(ctx);
  const reports: unknown[] = [];
  try {
    let names: string[];
    try {
      if (!statSync(dir).isDirectory()) throw new Error('ENOTDIR');
      names = readdirSync(dir).sort();
    } catch (e) {
      throw new RepokitError('IO_ERROR', `cannot list the directory: ${String((e as { code?: unknown }).code ?? (e as Error).message)}`, { file: dir, cause: e });
    }
    // Kinds by content; dot files (temporary files, lock files) are not looked at.
    const byFormat = new Map<RepositoryFormat, string[]>();
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const f = join(dir, n);
      let isFile = false;
      try {
        isFile = statSync(f).isFile();
      } catch {
        continue;
      }
      if (!isFile) continue;
      const kind = await detectPackageKind(f);
      if (kind === 'unknown') continue;
      const fmt = FORMAT_OF[kind];
      byFormat.set(fmt, [...(byFormat.get(fmt) ?? []), f]);
    }
    const formats: RepositoryFormat[] = format !== undefined ? [format] : (['alpm', 'xbps', 'aptrpm'] as const).filter((f) => byFormat.has(f));
    if (formats.length === 0) throw new RepokitError('INVALID_ARGUMENT', 'no pacman, xbps or RPM packages here (give --format to write an empty index)', { file: dir });

    const list: Job[] = [];
    for (const fmt of formats) {
      const files = byFormat.get(fmt) ?? [];
      if (fmt !== 'xbps') {
        list.push({ format: fmt, files });
        continue;
      }
      // One repodata per architecture; noarch packages go into each.
      const arches = new Map<string, string[]>();
      const noarch: string[] = [];
      for (const f of files) {
        const a = (await readXbpsPackageHead(f, { files: false })).architecture;
        if (a === 'noarch') noarch.push(f);
        else arches.set(a, [...(arches.get(a) ?? []), f]);
      }
      const wanted = str('arch');
      if (wanted !== undefined) list.push({ format: fmt, arch: wanted, files: [...(arches.get(wanted) ?? []), ...noarch].sort() });
      else if (arches.size === 0) list.push({ format: fmt, arch: machine(), files: noarch });
      else for (const [a, fs] of [...arches].sort(([x], [y]) => (x < y ? -1 : 1))) list.push({ format: fmt, arch: a, files: [...fs, ...noarch].sort() });
    }

    for (const job of list) {
      const label = job.format === 'xbps' ? `xbps ${job.arch}` : job.format;
      bar.label(label);
      const common = { ...(jobs !== undefined ? { concurrency: jobs } : {}), onProgress: (e: ProgressEvent) => bar.update(e) };
      const arch = job.arch ?? str('arch');
      const name = str('name');
      const component = str('component');
      const lock = str('lock') as 'wait' | 'fail' | undefined;
      const repo = await Repository.open({
        format: job.format,
        dir,
        ...common,
        ...(name !== undefined && job.format === 'alpm' ? { name } : {}),
        ...(arch !== undefined ? { arch } : {}),
        ...(component !== undefined ? { component } : {}),
        ...(compression !== undefined ? { compression } : {}),
        ...(lock !== undefined ? { lock } : {}),
      });
      if (job.files.length > 0) await repo.add(job.files, { ...common, force: p.options.has('force') });
      const w = await repo.write(common);
      bar.clear();
      if (json) {
        const v = (x: PackageView) => ({ name: x.name, version: x.version.text, arch: x.arch, fileName: x.fileName });
        reports.push({
          format: job.format,
          ...(job.arch !== undefined ? { arch: job.arch } : {}),
          written: w.written,
          files: w.files,
          packages: w.packages,
          added: w.add.added.map(v),
          replaced: w.add.replaced.map((r) => ({ old: v(r.old), new: v(r.new) })),
          skipped: w.add.skipped.map((s) => ({ path: s.path, reason: s.reason, message: s.message })),
          warnings: w.warnings,
        });
      } else {
        ctx.io.out(summaryText(label, w.add, w, dir));
      }
    }
    if (json) ctx.io.out(toJson(reports));
    return 0;
  } catch (e) {
    bar.clear();
    if (!isRepokitError(e)) throw e;
    ctx.io.err(`${errorLine(e)}\n`);
    if (json) ctx.io.out(toJson({ error: errorToJson(e) }));
    return 1;
  }
}
