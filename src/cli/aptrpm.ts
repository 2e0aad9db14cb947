/**
 * `repokit aptrpm ...`: index, list, verify. Presentation only; the work is done by repokit/aptrpm
 * (buildArchIndexes, readPkglist, verifyArch) and the JSON form of headers by repokit/rpm.
 */
import {
  buildArchIndexes,
  listComponents,
  readPkglist,
  verifyArch,
  type IndexOptions,
  type ListCompression,
  type ReleaseOptions,
  type VerifyReport,
} from '../aptrpm/index.js';
import { headerToJson, RpmType, type Header } from '../rpm/index.js';
import { RepokitError } from '../shared/errors.js';
import { UsageError, formatOptions, parseArgs, type OptionSpec, type Parsed } from './args.js';
import { errorLine, errorToJson, formatSize, isRepokitError, plural, table, toJson, visible } from './output.js';
import type { Context } from './rpm.js';

/** The lines this area adds to the main help's command list. */
export const APTRPM_SUMMARY =
  '  aptrpm index ROOT     (re)build an arch\'s apt-rpm indexes: pkglist, release (--arch, ...)\n' +
  '  aptrpm list FILE      every header of a pkglist or srclist, plain or compressed (--json)\n' +
  '  aptrpm verify ROOT    check an arch\'s files against its release and pkglists (--arch)\n';

export const APTRPM_HELP = `Usage: repokit aptrpm <command> [options]

Build, read and check apt-rpm (ALT Linux) repositories:
<ROOT>/<ARCH>/RPMS.<COMPONENT>/*.rpm and <ROOT>/<ARCH>/base/{pkglist,srclist,release}.*

Commands:
  index ROOT    (re)build one arch's indexes from its RPMS.<component> directories
  list FILE     every header of a pkglist or srclist (plain, .xz or .bz2)
  verify ROOT   check every file the arch's release lists, and every package its pkglists list

Run 'repokit aptrpm <command> --help' for the options of a command.
`;

export async function aptrpmCommand(argv: readonly string[], ctx: Context): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw new UsageError('missing command (index, list or verify)', 'aptrpm');
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    ctx.io.out(APTRPM_HELP);
    return 0;
  }
  switch (sub) {
    case 'index':
      return index(rest, ctx);
    case 'list':
      return list(rest, ctx);
    case 'verify':
      return verify(rest, ctx);
    default:
      throw new UsageError(`unknown command '${sub}' (expected index, list or verify)`, 'aptrpm');
  }
}

const JSON_OPTION: OptionSpec = { name: 'json', help: 'print JSON instead of text' };
const ARCH_OPTION: OptionSpec = { name: 'arch', value: 'ARCH', help: 'the architecture directory, e.g. x86_64, i586 or noarch (required)' };

function fail(e: unknown, ctx: Context, json: boolean): number {
  if (!isRepokitError(e)) throw e;
  ctx.io.err(`${errorLine(e)}\n`);
  if (json) ctx.io.out(toJson({ error: errorToJson(e) }));
  return 1;
}

function requireArch(p: Parsed, command: string): string {
  const arch = p.options.get('arch');
  if (typeof arch !== 'string') throw new UsageError('missing --arch ARCH', command);
  return arch;
}

function oneRoot(p: Parsed, command: string): string {
  if (p.positionals.length !== 1) throw new UsageError(p.positionals.length === 0 ? 'missing ROOT' : 'expects exactly one ROOT', command);
  return p.positionals[0]!;
}

// --- aptrpm index ---------------------------------------------------------------------------

const INDEX_OPTIONS: readonly OptionSpec[] = [
  ARCH_OPTION,
  { name: 'component', value: 'LIST', help: 'components to index, comma-separated (default: every RPMS.* directory)' },
  { name: 'compress', value: 'LIST', help: "compressed forms, comma-separated: xz, bz2 or none (default xz)" },
  { name: 'stripped-filelists', help: "keep only genpkglist's useful files (bin/sbin, lib*.so*, path dependencies)" },
  { name: 'no-uncompressed', help: 'do not publish the uncompressed lists (the release still lists them)' },
  { name: 'flat', help: 'source packages are in ROOT/ARCH/SRPMS.<component> (default ROOT/SRPMS.<component>)' },
  { name: 'origin', value: 'TEXT', help: 'release Origin (default Unknown)' },
  { name: 'label', value: 'TEXT', help: 'release Label (default Unknown)' },
  { name: 'suite', value: 'TEXT', help: 'release Suite (default Unknown)' },
  { name: 'codename', value: 'TEXT', help: 'release Codename (default Unknown)' },
  { name: 'description', value: 'TEXT', help: 'release Description (default Not Available)' },
  { name: 'archive', value: 'TEXT', help: 'release.<component> Archive (default Unknown)' },
  { name: 'version', value: 'TEXT', help: 'release.<component> Version (default Unknown)' },
  { name: 'workers', value: 'N', help: 'threads reading and hashing packages (default: automatic)' },
  JSON_OPTION,
];

export const INDEX_HELP = `Usage: repokit aptrpm index [options] --arch ARCH ROOT

Build (or rebuild) the indexes of ROOT/ARCH, as ALT's genbasedir does: for every component,
base/pkglist.<component> from the packages in ROOT/ARCH/RPMS.<component>/ (and
base/srclist.<component> when a SRPMS.<component> directory exists), their compressed forms,
base/release.<component>, and finally base/release with MD5Sum and BLAKE2b blocks. Every file is
replaced atomically and the release is written last. The release Date is the current time, or
SOURCE_DATE_EPOCH when that is set.

Options:
${formatOptions(INDEX_OPTIONS)}

With --json the output is {"arch", "components": [{"component", "packages", "sources"}],
"files": [{"path", "size", "md5", "blake2b"}]}; on a data error {"error": {...}}.

Exit status: 0 on success, 1 if a package or directory could not be read, 2 for a usage error.
`;

function compressionList(v: string | undefined): ListCompression[] {
  if (v === undefined) return ['xz'];
  const out: ListCompression[] = [];
  for (const w of v.split(',').map((s) => s.trim())) {
    if (w === 'none') continue;
    if (w === 'xz') out.push('xz');
    else if (w === 'bz2' || w === 'bzip2') out.push('bzip2');
    else throw new UsageError(`--compress: unknown format '${w}' (xz, bz2 or none)`, 'aptrpm index');
  }
  return [...new Set(out)];
}

function releaseDate(): Date | undefined {
  const sde = process.env['SOURCE_DATE_EPOCH'];
  if (sde === undefined || sde === '') return undefined;
  if (!/^\d{1,15}$/.test(sde)) throw new UsageError(`SOURCE_DATE_EPOCH must be a number of seconds, not '${sde}'`, 'aptrpm index');
  return new Date(Number(sde) * 1000);
}

async function index(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, INDEX_OPTIONS, 'aptrpm index');
  if (p.help) {
    ctx.io.out(INDEX_HELP);
    return 0;
  }
  const root = oneRoot(p, 'aptrpm index');
  const arch = requireArch(p, 'aptrpm index');
  const json = p.options.has('json');
  const opt = (name: string) => {
    const v = p.options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const release: ReleaseOptions = {};
  for (const k of ['origin', 'label', 'suite', 'codename', 'description', 'archive', 'version'] as const) {
    const v = opt(k);
    if (v !== undefined) release[k] = v;
  }
  const date = releaseDate();
  if (date !== undefined) release.date = date;
  const options: IndexOptions = {
    compress: compressionList(opt('compress')),
    fileList: p.options.has('stripped-filelists') ? 'stripped' : 'full',
    uncompressed: !p.options.has('no-uncompressed'),
    flat: p.options.has('flat'),
    release,
  };
  const workers = opt('workers');
  if (workers !== undefined) {
    if (!/^\d{1,3}$/.test(workers)) throw new UsageError(`--workers must be a number, not '${workers}'`, 'aptrpm index');
    options.workers = Number(workers);
  }
  const comps = opt('component');
  try {
    if (comps !== undefined) {
      options.components = comps.split(',').map((s) => s.trim()).filter((s) => s !== '');
    } else if ((await listComponents(root, arch)).length === 0) {
      throw new RepokitError('IO_ERROR', `no RPMS.<component> directory in ${root}/${arch}`, { file: `${root}/${arch}` });
    }
    const r = await buildArchIndexes(root, arch, options);
    if (json) {
      ctx.io.out(toJson({ arch: r.arch, components: r.components, files: r.files }));
      return 0;
    }
    const lines = r.components.map(
      (c) => `${c.component}: ${plural(c.packages.length, 'package')}${c.sources === null ? '' : `, ${plural(c.sources.length, 'source package')}`}`,
    );
    const rows = r.files.map((f) => [`${r.arch}/${f.path}`, formatSize(f.size), f.md5]);
    ctx.io.out(`${lines.join('\n')}\n${table(rows)}\n${r.arch}/base/release written\n`);
    return 0;
  } catch (e) {
    return fail(e, ctx, json);
  }
}

// --- aptrpm list ----------------------------------------------------------------------------

const LIST_OPTIONS: readonly OptionSpec[] = [JSON_OPTION];

export const LIST_HELP = `Usage: repokit aptrpm list [options] FILE

Print every header of a pkglist or srclist, which may be plain or compressed (xz, also
concatenated streams, bzip2, gzip, zstd; detected by content). The list is read as a stream,
one header at a time, with rpm's checks on each header. Text output is one line per header:
name, [epoch:]version-release, arch, and the package file (directory/name, size).

Options:
${formatOptions(LIST_OPTIONS)}

With --json the output is a JSON array with one object per header, in the form 'repokit rpm
tags --json' uses for a main header: {"<tag>": {"type": <rpm type number>, "value": ...}, ...}.
On a data error the output ends the array early and an error line is printed on stderr.
FILE may be '-' for standard input.

Exit status: 0 if the whole list was read, 1 if it could not be read, 2 for a usage error.
`;

function str(h: Header, tag: number): string | undefined {
  const e = h.entry(tag);
  return e !== undefined && e.type === RpmType.STRING ? h.getString(tag) : undefined;
}

function headerLine(h: Header): string[] {
  const epoch = h.entry(1003)?.type === RpmType.INT32 ? h.getNumber(1003) : undefined;
  const evr = `${epoch !== undefined ? `${epoch}:` : ''}${str(h, 1001) ?? '?'}-${str(h, 1002) ?? '?'}`;
  const size = h.entry(1000001)?.type === RpmType.INT32 ? h.getNumber(1000001) : undefined;
  const dir = str(h, 1000010);
  const file = str(h, 1000000);
  return [
    visible(str(h, 1000) ?? '?'),
    visible(evr),
    visible(str(h, 1022) ?? '?'),
    file === undefined ? '' : visible(dir === undefined ? file : `${dir}/${file}`),
    size === undefined ? '' : String(size),
  ];
}

async function list(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, LIST_OPTIONS, 'aptrpm list');
  if (p.help) {
    ctx.io.out(LIST_HELP);
    return 0;
  }
  if (p.positionals.length !== 1) throw new UsageError(p.positionals.length === 0 ? 'missing FILE' : 'expects exactly one FILE', 'aptrpm list');
  const file = p.positionals[0]!;
  const json = p.options.has('json');
  let n = 0;
  const rows: string[][] = [];
  try {
    const input = file === '-' ? await ctx.readStdin() : file;
    if (json) ctx.io.out('[');
    for await (const { header } of readPkglist(input)) {
      if (json) ctx.io.out(`${n === 0 ? '\n' : ',\n'}${JSON.stringify(headerToJson(header))}`);
      else rows.push(headerLine(header));
      n++;
    }
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    e.withFile(file === '-' ? '<stdin>' : file);
    if (json) ctx.io.out(`${n === 0 ? '' : '\n'}]\n`);
    else if (rows.length > 0) ctx.io.out(`${table(rows)}\n`);
    ctx.io.err(`${errorLine(e)}\n`);
    return 1;
  }
  if (json) ctx.io.out(`${n === 0 ? '' : '\n'}]\n`);
  else ctx.io.out(rows.length === 0 ? '' : `${table(rows)}\n`);
  return 0;
}

// --- aptrpm verify --------------------------------------------------------------------------

const VERIFY_OPTIONS: readonly OptionSpec[] = [
  ARCH_OPTION,
  { name: 'no-packages', help: 'check only the files the release lists, not the packages in the pkglists' },
  JSON_OPTION,
];

export const VERIFY_HELP = `Usage: repokit aptrpm verify [options] --arch ARCH ROOT

Check ROOT/ARCH against ROOT/ARCH/base/release: the size, MD5 and BLAKE2b of every file it lists
(an uncompressed list that is not published is checked through its compressed form, after
decompression, as apt does), then every package the listed pkglists and srclists name, against
their FILESIZE, MD5 and BLAKE2B tags.

Options:
${formatOptions(VERIFY_OPTIONS)}

Text output is one line per file: ok, missing, size or hash, and the path. With --json the
output is {"arch", "ok", "files": [{"path", "status", "checked", "via"?, "detail"?}]}.

Exit status: 0 if every file matches, 1 if any does not or the release cannot be read,
2 for a usage error.
`;

async function verify(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, VERIFY_OPTIONS, 'aptrpm verify');
  if (p.help) {
    ctx.io.out(VERIFY_HELP);
    return 0;
  }
  const root = oneRoot(p, 'aptrpm verify');
  const arch = requireArch(p, 'aptrpm verify');
  const json = p.options.has('json');
  let report: VerifyReport;
  try {
    report = await verifyArch(root, arch, { packages: !p.options.has('no-packages') });
  } catch (e) {
    return fail(e, ctx, json);
  }
  if (json) {
    ctx.io.out(toJson(report));
  } else {
    const rows = report.files.map((f) => [f.status, `${arch}/${f.path}`, [f.via === undefined ? '' : `(via ${f.via})`, f.detail ?? ''].join(' ').trim()]);
    ctx.io.out(`${table(rows)}\n`);
  }
  if (!report.ok) {
    const bad = report.files.filter((f) => f.status !== 'ok').length;
    ctx.io.err(`repokit: ${root}/${arch}: ${plural(bad, 'file')} of ${report.files.length} do not match the release or pkglists\n`);
    return 1;
  }
  return 0;
}
