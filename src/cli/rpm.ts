/**
 * `repokit rpm ...`: inspect, tags, vercmp. Everything here is presentation; the data comes from
 * the library (readRpm, rpmMetadata, verifyRpm, rpmSignatures, rpmTagsToJson, compareEvr).
 */
import {
  RPM_TYPE_NAMES,
  compareEvr,
  parseRpm,
  readRpm,
  rpmMetadata,
  rpmSignatures,
  rpmTagsToJson,
  rpmvercmp,
  tagName,
  rpmDigests,
  verifyRpm,
  type DigestCheck,
  type RpmDependency,
  type RpmFile,
  type RpmMetadata,
  type RpmPackage,
  type RpmProfile,
  type RpmSignatureInfo,
  type TagJson,
} from '../rpm/index.js';
import { UsageError, formatOptions, parseArgs, type OptionSpec, type Parsed } from './args.js';
import {
  errorLine,
  errorToJson,
  formatSize,
  formatTime,
  isRepokitError,
  oneLine,
  plural,
  table,
  toJson,
  truncate,
  visible,
  type Io,
  type JsonError,
} from './output.js';

/** What a command needs from its surroundings. */
export interface Context {
  io: Io;
  /** Reads all of standard input (for the file name `-`). */
  readStdin(): Promise<Uint8Array>;
  /** Standard error is a terminal (progress bars are drawn only then). */
  isTTY?: boolean;
}

const STDIN_NAME = '<stdin>';

// --- rpm (group) -----------------------------------------------------------------------------

export const RPM_HELP = `Usage: repokit rpm <command> [options]

Read RPM package files (.rpm, .src.rpm).

Commands:
  inspect FILE...   metadata of each package: NEVRA, summary, sizes, dependencies, files,
                    payload, digests and signatures (--verify checks the digests)
  tags FILE         every tag of the signature and the main header
  vercmp A B        compare two versions the way rpm does; prints -1, 0 or 1

Run 'repokit rpm <command> --help' for the options of a command.
FILE may be '-' for standard input.
`;

export async function rpmCommand(argv: readonly string[], ctx: Context): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw new UsageError('missing command (inspect, tags or vercmp)', 'rpm');
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    ctx.io.out(RPM_HELP);
    return 0;
  }
  switch (sub) {
    case 'inspect':
      return inspect(rest, ctx);
    case 'tags':
      return tags(rest, ctx);
    case 'vercmp':
      return vercmp(rest, ctx);
    default:
      throw new UsageError(`unknown command '${sub}' (expected inspect, tags or vercmp)`, 'rpm');
  }
}

// --- shared option handling ------------------------------------------------------------------

const JSON_OPTION: OptionSpec = { name: 'json', help: 'print JSON instead of text' };
const PROFILE_OPTION: OptionSpec = {
  name: 'profile',
  value: 'NAME',
  choices: ['rpm', 'strict'],
  help: "'rpm' (default: accept what rpm accepts) or 'strict' (extra checks)",
};

function profileOf(p: Parsed): RpmProfile {
  return (p.options.get('profile') as RpmProfile | undefined) ?? 'rpm';
}

function checkStdinOnce(files: readonly string[], command: string): void {
  if (files.filter((f) => f === '-').length > 1) throw new UsageError("'-' (standard input) can be given only once", command);
}

/** What the readers get for a command-line FILE: the path itself, or stdin's bytes for '-'. */
async function source(file: string, ctx: Context): Promise<string | Uint8Array> {
  return file === '-' ? ctx.readStdin() : file;
}

function displayName(file: string): string {
  return file === '-' ? STDIN_NAME : file;
}

async function readPackage(file: string, input: string | Uint8Array, profile: RpmProfile): Promise<RpmPackage> {
  try {
    return typeof input === 'string' ? await readRpm(input, { profile }) : parseRpm(input, { profile });
  } catch (e) {
    if (isRepokitError(e)) e.withFile(displayName(file));
    throw e;
  }
}

// --- rpm inspect ----------------------------------------------------------------------------

const INSPECT_OPTIONS: readonly OptionSpec[] = [
  JSON_OPTION,
  { name: 'verify', help: 'also check every digest (reads the whole file)' },
  { name: 'locale', value: 'LOCALE', help: 'locale for translated texts, e.g. de_DE.UTF-8 (default C)' },
  { name: 'deps', help: 'text output: list every dependency, not just the counts' },
  { name: 'files', help: 'text output: list every file, not just the counts' },
  PROFILE_OPTION,
];

export const INSPECT_HELP = `Usage: repokit rpm inspect [options] FILE...

Show what an RPM package says about itself: name, epoch, version, release and arch, summary,
sizes, dependencies, files, changelog, payload, digests and signatures. Only the lead and the
two headers are read, unless --verify is given. Signatures are listed, not verified.

Options:
${formatOptions(INSPECT_OPTIONS)}

With --json the output is always a JSON array with one object per FILE, in order:
  {"file", "metadata", "signatures", "digests", "warnings"} (plus "ok" with --verify),
or {"file", "error": {"code", "message", "file", "offset"}} for a file that could not be read.

Exit status: 0 if every package was read (and with --verify, every digest matched),
1 if any could not be read or did not verify, 2 for a usage error.
`;

interface InspectResult {
  file: string;
  metadata: RpmMetadata;
  signatures: RpmSignatureInfo[];
  digests: DigestCheck[];
  warnings: string[];
  ok?: boolean;
}

async function inspect(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, INSPECT_OPTIONS, 'rpm inspect');
  if (p.help) {
    ctx.io.out(INSPECT_HELP);
    return 0;
  }
  if (p.positionals.length === 0) throw new UsageError('missing FILE', 'rpm inspect');
  checkStdinOnce(p.positionals, 'rpm inspect');
  const json = p.options.has('json');
  const verify = p.options.has('verify');
  const localeOpt = p.options.get('locale');
  const locale = typeof localeOpt === 'string' ? localeOpt : 'C';
  const profile = profileOf(p);

  let status = 0;
  const out: (InspectResult | { file: string; error: JsonError })[] = [];
  let first = true;
  for (const file of p.positionals) {
    let result: InspectResult;
    try {
      const input = await source(file, ctx);
      // One read per file: verifyRpm reads the headers and the rest; otherwise the headers only.
      const checked = verify
        ? await verifyRpm(input, { profile }).catch((e: unknown) => {
            if (isRepokitError(e)) e.withFile(displayName(file));
            throw e;
          })
        : undefined;
      const pkg = checked?.package ?? (await readPackage(file, input, profile));
      const metadata = rpmMetadata(pkg, { locale });
      result = {
        file: displayName(file),
        metadata,
        signatures: rpmSignatures(pkg),
        digests: checked?.digests ?? rpmDigests(pkg),
        warnings: [...pkg.warnings],
      };
      if (checked) result.ok = checked.ok;
    } catch (e) {
      if (!isRepokitError(e)) throw e;
      e.withFile(displayName(file));
      ctx.io.err(`${errorLine(e)}\n`);
      out.push({ file: displayName(file), error: errorToJson(e) });
      status = 1;
      continue;
    }
    if (verify && result.ok !== true) {
      status = 1;
      ctx.io.err(`repokit: ${result.file}: ${verifyProblem(result.digests)}\n`);
    }
    if (json) {
      out.push(result);
    } else {
      ctx.io.out(`${first ? '' : '\n'}${inspectText(result, p.options.has('deps'), p.options.has('files'))}`);
      first = false;
    }
  }
  if (json) ctx.io.out(toJson(out));
  return status;
}

function verifyProblem(digests: readonly DigestCheck[]): string {
  const bad = digests.filter((d) => d.ok === false);
  if (bad.length > 0) return `digest mismatch: ${bad.map((d) => d.name).join(', ')}`;
  return 'no digest could be checked';
}

const DEP_KINDS = ['requires', 'provides', 'conflicts', 'obsoletes', 'recommends', 'suggests', 'supplements', 'enhances'] as const;

const QUALIFIERS: readonly (readonly [string, string])[] = [
  ['PRETRANS', 'pretrans'],
  ['SCRIPT_PRE', 'pre'],
  ['SCRIPT_POST', 'post'],
  ['SCRIPT_PREUN', 'preun'],
  ['SCRIPT_POSTUN', 'postun'],
  ['POSTTRANS', 'posttrans'],
  ['SCRIPT_VERIFY', 'verify'],
  ['INTERP', 'interp'],
  ['RPMLIB', 'rpmlib'],
  ['CONFIG', 'config'],
  ['META', 'meta'],
  ['MISSINGOK', 'missingok'],
];

function depText(d: RpmDependency): string {
  const base = d.operator === '' || d.version === '' ? d.name : `${d.name} ${d.operator} ${d.version}`;
  const q = QUALIFIERS.filter(([flag]) => d.flagNames.includes(flag)).map(([, w]) => w);
  return q.length > 0 ? `${base}  [${q.join(', ')}]` : base;
}

function fileKind(mode: number): string {
  switch (mode & 0o170000) {
    case 0o040000:
      return 'directory';
    case 0o120000:
      return 'symlink';
    case 0o100000:
      return 'file';
    case 0o020000:
      return 'char device';
    case 0o060000:
      return 'block device';
    case 0o010000:
      return 'fifo';
    case 0o140000:
      return 'socket';
    default:
      return 'other';
  }
}

/** ls-style mode string, e.g. "-rw-r--r--". */
export function modeString(mode: number): string {
  const type = { directory: 'd', symlink: 'l', file: '-', 'char device': 'c', 'block device': 'b', fifo: 'p', socket: 's', other: '?' }[fileKind(mode)];
  const bits = 'rwxrwxrwx';
  let s = type ?? '?';
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? bits[i] : '-';
  const setid = (pos: number, bit: number, ch: string) => {
    if (mode & bit) s = s.slice(0, pos) + (s[pos] === 'x' ? ch : ch.toUpperCase()) + s.slice(pos + 1);
  };
  setid(3, 0o4000, 's');
  setid(6, 0o2000, 's');
  setid(9, 0o1000, 't');
  return s;
}

function fileText(f: RpmFile): string {
  const attrs = Object.entries(f.attributes)
    .filter(([, v]) => v)
    .map(([k]) => k);
  const link = f.linkTo !== '' ? ` -> ${f.linkTo}` : '';
  const extra = attrs.length > 0 ? `  [${attrs.join(', ')}]` : '';
  return `${modeString(f.mode)} ${f.user || '?'}/${f.group || '?'} ${String(f.size).padStart(8)}  ${f.path}${link}${extra}`;
}

function inspectText(r: InspectResult, listDeps: boolean, listFiles: boolean): string {
  const m = r.metadata;
  const rows: [string, string][] = [];
  const add = (k: string, v: string | null | undefined) => {
    if (v !== null && v !== undefined && v !== '') rows.push([`${k}:`, visible(v)]);
  };
  add('File', r.file);
  add('Summary', m.summary);
  add('Name', m.name);
  add('Epoch', m.epoch === null ? '(none)' : String(m.epoch));
  add('Version', m.version);
  add('Release', m.release);
  add('Arch', m.arch);
  add('Package', `${m.isSource ? 'source' : 'binary'}, RPM v${m.format} format`);
  add('License', m.license);
  add('Group', m.group);
  add('URL', m.url);
  add('Vendor', m.vendor);
  add('Packager', m.packager);
  add('Distribution', m.distribution);
  if (m.buildTime !== null || m.buildHost !== null) {
    add('Built', [m.buildTime !== null ? formatTime(m.buildTime) : '', m.buildHost !== null ? `on ${m.buildHost}` : ''].filter(Boolean).join(' '));
  }
  add('Source RPM', m.sourceRpm);
  if (m.installedSize !== null) add('Installed', formatSize(m.installedSize));
  add('Payload', `${m.payload.format}, ${m.payload.compressor ?? 'uncompressed (no compressor tag)'}${m.payload.flags ? ` (flags ${m.payload.flags})` : ''}`);
  add('Header', `bytes ${m.headerRange.start}-${m.headerRange.end} (${m.headerRange.end - m.headerRange.start} bytes)`);

  const counts = DEP_KINDS.filter((k) => m.dependencies[k].length > 0).map((k) => `${m.dependencies[k].length} ${k}`);
  add('Dependencies', counts.length > 0 ? counts.join(', ') : 'none');

  const kinds = new Map<string, number>();
  for (const f of m.files) {
    const k = fileKind(f.mode);
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  const special = [
    ['config', m.files.filter((f) => f.attributes.config).length],
    ['doc', m.files.filter((f) => f.attributes.doc).length],
    ['ghost', m.files.filter((f) => f.attributes.ghost).length],
  ] as const;
  const fileParts = [
    ...[...kinds].map(([k, n]) => plural(n, k, k === 'directory' ? 'directories' : `${k}s`)),
    ...special.filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`),
  ];
  add('Files', m.files.length === 0 ? 'none' : `${m.files.length} (${fileParts.join(', ')}; digests ${m.fileDigestAlgorithm.name})`);
  if (m.changelog.length > 0) {
    const last = m.changelog[0]!;
    add('Changelog', `${plural(m.changelog.length, 'entry', 'entries')}, latest ${formatTime(last.time).slice(0, 10)} by ${last.name}`);
  } else {
    add('Changelog', 'none');
  }

  const verified = r.ok !== undefined;
  if (r.digests.length === 0) add('Digests', 'none');
  else if (!verified) add('Digests', `${r.digests.map((d) => d.name.replace(/ digest$/, '')).join(', ')} (not checked; use --verify)`);
  add('Signatures', r.signatures.length === 0 ? 'none' : `${r.signatures.map((s) => s.description).join('; ')} (listed, not verified)`);
  if (verified) add('Verify', r.ok ? 'OK' : 'FAILED');

  let text = `${visible(m.nevra)}\n${table(rows.map(([k, v]) => ['  ' + k, v]))}\n`;
  if (verified && r.digests.length > 0) {
    text += '  Digests:\n';
    text += `${table(r.digests.map((d) => ['    ' + d.name + ':', d.ok === null ? 'not checked' : d.ok ? 'OK' : `BAD (expected ${d.expected}, got ${d.actual})`]))}\n`;
  }
  if (r.warnings.length > 0) text += `  Warnings:\n${r.warnings.map((w) => `    ${visible(oneLine(w))}\n`).join('')}`;
  if (listDeps) {
    for (const k of DEP_KINDS) {
      const ds = m.dependencies[k];
      if (ds.length === 0) continue;
      text += `  ${k[0]!.toUpperCase()}${k.slice(1)}:\n${ds.map((d) => `    ${visible(depText(d))}\n`).join('')}`;
    }
  }
  if (listFiles && m.files.length > 0) {
    text += `  Files:\n${m.files.map((f) => `    ${visible(fileText(f))}\n`).join('')}`;
  }
  return text;
}

// --- rpm tags -------------------------------------------------------------------------------

const TAGS_OPTIONS: readonly OptionSpec[] = [
  JSON_OPTION,
  { name: 'full', help: 'text output: do not shorten long values' },
  PROFILE_OPTION,
];

export const TAGS_HELP = `Usage: repokit rpm tags [options] FILE

List every tag of the package's signature header and main header: number, rpm's name, data
type and value. Tags are listed once each, in ascending order; for a tag stored twice, the
value rpm would use is shown.

Options:
${formatOptions(TAGS_OPTIONS)}

With --json the output is one object:
  {"signature": {"<tag>": {"type": <rpm type number>, "value": ...}, ...}, "header": {...}}
Strings are strings, string arrays and I18N strings are arrays, integers are numbers (arrays
when the count is above 1), INT64 values are decimal strings and BIN values lowercase hex.
On a data error the output is {"error": {"code", "message", "file", "offset"}}.

Exit status: 0 on success, 1 if the file could not be read, 2 for a usage error.
`;

async function tags(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, TAGS_OPTIONS, 'rpm tags');
  if (p.help) {
    ctx.io.out(TAGS_HELP);
    return 0;
  }
  if (p.positionals.length !== 1) {
    throw new UsageError(p.positionals.length === 0 ? 'missing FILE' : 'expects exactly one FILE', 'rpm tags');
  }
  const file = p.positionals[0]!;
  const json = p.options.has('json');
  let pkg: RpmPackage;
  let data: ReturnType<typeof rpmTagsToJson>;
  try {
    pkg = await readPackage(file, await source(file, ctx), profileOf(p));
    data = rpmTagsToJson(pkg);
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    e.withFile(displayName(file));
    ctx.io.err(`${errorLine(e)}\n`);
    if (json) ctx.io.out(toJson({ error: errorToJson(e) }));
    return 1;
  }
  if (json) {
    ctx.io.out(toJson(data));
    return 0;
  }
  const full = p.options.has('full');
  const section = (title: string, h: Record<string, TagJson>, ns: 'main' | 'signature', start: number, length: number) => {
    const rows = Object.entries(h).map(([tag, { type, value }]) => [
      tag,
      tagName(Number(tag), ns) ?? '(unknown)',
      RPM_TYPE_NAMES[type] ?? String(type),
      tagValueText(value, full),
    ]);
    return `${title} (bytes ${start}-${start + length}, ${plural(rows.length, 'tag')})\n${table([['TAG', 'NAME', 'TYPE', 'VALUE'], ...rows])}\n`;
  };
  ctx.io.out(
    `${section('Signature header', data.signature, 'signature', pkg.signature.base, pkg.signature.byteLength)}\n` +
      section('Main header', data.header, 'main', pkg.header.base, pkg.header.byteLength),
  );
  return 0;
}

const VALUE_WIDTH = 72;

function tagValueText(value: string | number | string[] | number[], full: boolean): string {
  const cut = (s: string) => (full ? s : truncate(s, VALUE_WIDTH));
  if (!Array.isArray(value)) return cut(visible(String(value)));
  const items = (value as (string | number)[]).map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v)));
  return cut(`[${value.length}] ${visible(items.join(', '))}`);
}

// --- rpm vercmp -----------------------------------------------------------------------------

const VERCMP_OPTIONS: readonly OptionSpec[] = [
  { name: 'raw', help: 'compare the whole strings with rpmvercmp (no epoch/release split)' },
  JSON_OPTION,
];

export const VERCMP_HELP = `Usage: repokit rpm vercmp [options] [--] A B

Compare two versions the way rpm does and print -1 (A is older), 0 (equal) or 1 (A is newer).

A and B are [epoch:]version[-release] strings, compared as rpm compares EVRs (like
rpmdev-vercmp): a missing epoch is 0, then versions, then releases, each with rpmvercmp
("1.0~rc1" < "1.0" < "1.0^git1" < "1.0.1"; "1.10" > "1.9").

Options:
${formatOptions(VERCMP_OPTIONS)}

With --json the output is {"a": A, "b": B, "result": -1 | 0 | 1}.
Put '--' before a version that starts with '-'.

Exit status: 0 after printing the result, 1 if a version cannot be parsed (e.g. an empty
string), 2 for a usage error.
`;

async function vercmp(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, VERCMP_OPTIONS, 'rpm vercmp');
  if (p.help) {
    ctx.io.out(VERCMP_HELP);
    return 0;
  }
  if (p.positionals.length !== 2) throw new UsageError(`expects two versions, got ${p.positionals.length}`, 'rpm vercmp');
  const [a, b] = p.positionals as [string, string];
  let result: -1 | 0 | 1;
  try {
    result = p.options.has('raw') ? rpmvercmp(a, b) : compareEvr(a, b);
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    ctx.io.err(`repokit: rpm vercmp: ${oneLine(e.message)}\n`);
    if (p.options.has('json')) ctx.io.out(toJson({ error: errorToJson(e) }));
    return 1;
  }
  ctx.io.out(p.options.has('json') ? toJson({ a, b, result }) : `${result}\n`);
  return 0;
}
