/**
 * `desc` / legacy `depends` entries of a sync database: decoding (tolerant like libalpm's
 * be_sync.c, or strict like the ALPM specification's validators) and encoding byte-identical to
 * repo-add's `format_entry` output.
 */
import { RepokitError } from '../shared/errors.js';
import { dependencyProblem, type RelationKind } from './dependency.js';
import { isValidArchitecture, isValidPackageName, packageFileNameProblem, splitEntryName, versionProblem } from './filename.js';
import { MAX_LINE_LENGTH, compareCodePoints, hasControl, splitLines } from './text.js';
import { DESC_SECTIONS, emptyDescEntry, type BackupEntry, type Decoded, type DescEntry, type SectionSpec } from './types.js';
import { encodeXpkgDepends, encodeXpkgDesc } from './xpkg.js';
import { AlpmValidationError, IssueList, checkMode, sortIssues, type AlpmIssue, type AlpmMode } from './validate.js';
import { argObject, argOptions, argText } from './args.js';

/** Which desc layout: ALPM v1 (`%MD5SUM%`, pacman 5.1–6.0) or v2 (pacman ≥ 6.1, no MD5). */
export type DescVersion = 1 | 2;

export interface DecodeDescOptions {
  /** `'tolerant'` (default) reads what libalpm reads; `'strict'` reports every problem and throws. */
  mode?: AlpmMode;
  /** Strict mode: the version whose required sections apply; default: v1 if `%MD5SUM%` is present, else v2. */
  version?: DescVersion;
  /** A name for the text in issues and errors (e.g. `core.db.tar.gz:zlib-1.3-1/desc`). */
  file?: string;
  /** Longest accepted line (default 512 KiB, libalpm's limit). */
  maxLineLength?: number;
}

const BY_HEADER = new Map<string, SectionSpec>(DESC_SECTIONS.map((s) => [`%${s.header}%`, s]));

const RELATION_KIND: Partial<Record<keyof DescEntry, RelationKind>> = {
  replaces: 'replaces',
  conflicts: 'conflicts',
  provides: 'provides',
  depends: 'depends',
  optdepends: 'optdepends',
  makedepends: 'makedepends',
  checkdepends: 'checkdepends',
};

const REQUIRED_V2 = ['FILENAME', 'NAME', 'BASE', 'VERSION', 'CSIZE', 'ISIZE', 'SHA256SUM', 'ARCH', 'BUILDDATE', 'PACKAGER'];
const REQUIRED_V1 = [...REQUIRED_V2.slice(0, 6), 'MD5SUM', 'SHA256SUM', 'PGPSIG', ...REQUIRED_V2.slice(7)];

/** State shared while reading the files of one entry (desc, depends, files). */
interface ReadState {
  entry: DescEntry;
  strict: boolean;
  /** Where issues go (replaced per file of the entry). */
  issues: IssueList;
  /** Section header -> first line it appeared on (for duplicates). */
  seen: Map<string, number>;
  /** Line of `%MD5SUM%`, for the version checks. */
  md5Line: number | undefined;
  /** The sections this kind of file has (sync desc, or the local database's desc). */
  sections: ReadonlyMap<string, SectionSpec>;
}

/** Read one text into `st.entry` with libalpm's section rules. */
function readText(input: string | Uint8Array, st: ReadState, what: string, maxLineLength: number): void {
  const { lines, endsWithNewline } = splitLines(input, { strict: st.strict, issues: st.issues, maxLineLength, what });
  if (st.strict && lines.length > 0 && !endsWithNewline) {
    st.issues.add('the file does not end with a newline (libalpm fails on a list cut off at the end of the file)', lines.length);
  }
  const n = lines.length;
  let i = 0;
  let previous: SectionSpec | undefined;
  while (i < n) {
    const line = lines[i]!;
    if (line === '') {
      i++;
      continue;
    }
    const spec = st.sections.get(line);
    const lineNo = i + 1;
    if (spec === undefined) {
      i = skipUnknown(lines, i, st, previous);
      previous = undefined;
      continue;
    }
    previous = spec;
    const section = line;
    const firstSeen = st.seen.get(section);
    if (firstSeen !== undefined) {
      if (st.strict) st.issues.add(`Duplicate section: ${section} (first on line ${firstSeen})`, lineNo, section);
      else if (spec.kind === 'single' || spec.kind === 'number') st.issues.add(`duplicate section (first on line ${firstSeen}); the last value wins, as in libalpm`, lineNo, section);
    } else {
      st.seen.set(section, lineNo);
    }
    if (spec.header === 'MD5SUM') st.md5Line = lineNo;
    if (spec.kind === 'single' || spec.kind === 'number') {
      if (i + 1 >= n) {
        st.issues.add('the section has no value (the file ends after the header)', lineNo, section);
        i++;
        continue;
      }
      storeSingle(st, spec, lines[i + 1]!, i + 2, section);
      i += 2;
      continue;
    }
    // A list runs to the first empty line or the end of the file.
    let j = i + 1;
    const values: { value: string; line: number }[] = [];
    while (j < n && lines[j] !== '') {
      const value = lines[j]!;
      if (st.sections.has(value)) {
        st.issues.add(
          `${value} is read as a value of ${section}: an empty line is missing before it (libalpm reads it the same way)`,
          j + 1,
          section,
        );
      }
      values.push({ value, line: j + 1 });
      j++;
    }
    if (values.length === 0 && st.strict) st.issues.add('the section has no values', lineNo, section);
    storeList(st, spec, values, section);
    i = j;
  }
}

/** An unknown header or a stray line: libalpm (≥ 6.1) warns and skips up to the next empty line. */
function skipUnknown(lines: string[], i: number, st: ReadState, previous: SectionSpec | undefined): number {
  const line = lines[i]!;
  const lineNo = i + 1;
  let j = i + 1;
  while (j < lines.length && lines[j] !== '') j++;
  const isHeader = line.length >= 2 && line.startsWith('%') && line.endsWith('%');
  if (isHeader) {
    const name = line.slice(1, -1);
    st.entry.unknown.push({ name, values: lines.slice(i + 1, j), line: lineNo });
    st.issues.add(st.strict ? `invalid section name ${line}` : `unknown section ${line} skipped`, lineNo, line);
  } else if (line.endsWith('\r') && st.sections.has(line.slice(0, -1))) {
    st.issues.add(`header ${JSON.stringify(line)} ends in a carriage return (CRLF line ends are not stripped by libalpm); section skipped`, lineNo);
  } else if (previous !== undefined && (previous.kind === 'single' || previous.kind === 'number')) {
    st.issues.add(`unexpected line after the value of %${previous.header}% (a single-valued section has one line)`, lineNo, `%${previous.header}%`);
  } else if (previous === undefined && st.seen.has('%FILES%') && i > 0 && lines[i - 1] === '') {
    st.issues.add('expected no further path after newline (an empty line ends %FILES%)', lineNo, '%FILES%');
  } else {
    st.issues.add(`line ${JSON.stringify(line.slice(0, 80))} is not a section header${st.strict ? '' : '; skipped up to the next empty line'}`, lineNo);
  }
  return j;
}

function setSingle(entry: DescEntry, key: keyof DescEntry, value: string | number | undefined): void {
  const e = entry as unknown as Record<string, unknown>;
  if (value === undefined) delete e[key];
  else e[key] = value;
}

function storeSingle(st: ReadState, spec: SectionSpec, value: string, line: number, section: string): void {
  if (spec.kind === 'number') {
    const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n)) {
      st.issues.add(`${JSON.stringify(value)} is not a non-negative integer${st.strict ? '' : ' (ignored; libalpm reads it as unknown)'}`, line, section);
      setSingle(st.entry, spec.key, undefined);
      return;
    }
    setSingle(st.entry, spec.key, n);
    return;
  }
  setSingle(st.entry, spec.key, value);
  if (st.strict) {
    const problem = singleProblem(spec.header, value);
    if (problem !== undefined) st.issues.add(problem, line, section);
  } else if (spec.header === 'FILENAME') {
    const p = libalpmFileNameCheck(value);
    if (p !== undefined) st.issues.add(`${p} (libalpm rejects the entry)`, line, section);
  }
}

function libalpmFileNameCheck(v: string): string | undefined {
  if (v.startsWith('.')) return 'the file name starts with "."';
  if (v.includes('/')) return 'the file name contains "/"';
  return undefined;
}

function singleProblem(header: string, v: string): string | undefined {
  if (v === '') return header === 'DESC' || header === 'URL' ? undefined : 'empty value';
  switch (header) {
    case 'FILENAME':
      return packageFileNameProblem(v);
    case 'NAME':
    case 'BASE':
      return isValidPackageName(v) ? undefined : `invalid package name ${JSON.stringify(v)}`;
    case 'VERSION':
      return versionProblem(v, true);
    case 'MD5SUM':
      return /^[0-9a-fA-F]{32}$/.test(v) ? undefined : 'not an MD5 digest (32 hexadecimal digits)';
    case 'SHA256SUM':
      return /^[0-9a-fA-F]{64}$/.test(v) ? undefined : 'not a SHA-256 digest (64 hexadecimal digits)';
    case 'PGPSIG':
      return /^[A-Za-z0-9+/]+={0,2}$/.test(v) && v.length % 4 === 0 ? undefined : 'not base64 (a binary OpenPGP signature without line breaks)';
    case 'ARCH':
      return isValidArchitecture(v) ? undefined : `invalid architecture ${JSON.stringify(v)}`;
    case 'URL':
      return /\s/.test(v) ? `URL ${JSON.stringify(v)} contains whitespace` : undefined;
    default:
      return hasControl(v) ? 'the value contains a control character' : undefined;
  }
}

function storeList(st: ReadState, spec: SectionSpec, values: { value: string; line: number }[], section: string): void {
  const e = st.entry;
  if (spec.kind === 'files') {
    (e.files ??= []).push(...values.map((v) => v.value));
    return;
  }
  if (spec.kind === 'backup') {
    const list = (e.backup ??= []);
    for (const { value, line } of values) {
      const tab = value.lastIndexOf('\t');
      if (tab < 0) {
        st.issues.add('a backup line is not path<TAB>md5', line, section);
        list.push({ path: value, md5: '' });
      } else {
        list.push({ path: value.slice(0, tab), md5: value.slice(tab + 1) });
      }
    }
    return;
  }
  if (spec.kind === 'xdata') {
    const list = (e.xdata ??= []);
    for (const { value, line } of values) {
      if (st.strict) st.issues.add(`invalid section name ${section} (not an alpm-repo-desc section)`, line - 1, section);
      else if (!value.includes('=')) st.issues.add('extended data is not key=value (libalpm rejects the entry)', line, section);
      list.push(value);
      if (st.strict) break;
    }
    return;
  }
  const rec = e as unknown as Record<string, string[] | undefined>;
  const list = (rec[spec.key] ??= []);
  const kind = RELATION_KIND[spec.key];
  for (const { value, line } of values) {
    list.push(value);
    if (!st.strict) continue;
    let problem: string | undefined;
    if (value === '') problem = 'empty value';
    else if (kind !== undefined) problem = dependencyProblem(value, kind);
    else if (hasControl(value)) problem = 'the value contains a control character';
    if (problem !== undefined) st.issues.add(problem, line, section);
  }
}

function finish(st: ReadState, options: DecodeDescOptions): void {
  if (!st.strict) return;
  const version: DescVersion = options.version ?? (st.md5Line !== undefined ? 1 : 2);
  if (version === 2 && st.md5Line !== undefined) {
    st.issues.add('%MD5SUM% is not allowed in version 2 (removed with pacman 6.1)', st.md5Line, '%MD5SUM%');
  }
  for (const h of version === 1 ? REQUIRED_V1 : REQUIRED_V2) {
    if (!st.seen.has(`%${h}%`)) st.issues.add(`Missing section: %${h}% (required in desc version ${version})`, undefined, `%${h}%`);
  }
  for (const h of ['%FILES%', '%BACKUP%']) {
    const line = st.seen.get(h);
    if (line !== undefined) st.issues.add(`${h} belongs in the files entry, not in desc`, line, h);
  }
}

function newState(mode: AlpmMode, file: string | undefined, sections: ReadonlyMap<string, SectionSpec> = BY_HEADER): ReadState {
  return { entry: emptyDescEntry(), strict: mode === 'strict', issues: new IssueList(file), seen: new Map(), md5Line: undefined, sections };
}

function lineLimit(options: { maxLineLength?: number }): number {
  const m = options.maxLineLength ?? MAX_LINE_LENGTH;
  if (!Number.isSafeInteger(m) || m < 1) throw new RepokitError('INVALID_ARGUMENT', `maxLineLength must be a positive integer, not ${String(m)}`);
  return m;
}

/**
 * Decode a `desc` (or legacy `depends`) entry.
 *
 * Tolerant mode (default) reads what libalpm reads and reports the rest as `warnings`: empty
 * lines between sections, lists ending at the end of the file, unknown sections (kept in
 * `entry.unknown`), a duplicate single section (the last value wins), v1 and v2 alike. It throws
 * only for input libalpm cannot read at all (a line over 512 KiB: LIMIT_EXCEEDED).
 *
 * Strict mode validates against the ALPM specification (alpm-repo-desc v1/v2: required sections,
 * value grammars, no unknown or duplicate sections) and throws one {@link AlpmValidationError}
 * (code ALPM_BAD_DESC) listing every problem with its line and section. Use
 * {@link validateDesc} to get the list without an exception.
 */
export function decodeDesc(text: string | Uint8Array, options: DecodeDescOptions = {}): Decoded<DescEntry> {
  argText(text, 'text');
  argOptions(options);
  return decodeEntry({ desc: text }, options);
}

/** The parts of a sync-database entry directory: `desc`, and optionally `depends` and `files`. */
export interface EntryTexts {
  desc?: string | Uint8Array;
  /** The legacy (pacman < 5.0, xpkg) split-off dependency file. */
  depends?: string | Uint8Array;
  files?: string | Uint8Array;
}

export interface DecodeEntryOptions extends DecodeDescOptions {
  /** The entry's directory name (`name-pkgver-pkgrel`): `%NAME%`/`%VERSION%` are checked against it. */
  dirName?: string;
}

/**
 * Decode the files of one database entry into one {@link DescEntry}, as libalpm does: the same
 * section parser reads `desc`, `depends` and `files`, and their sections are merged (lists
 * appended). In strict mode `files` gets the alpm-repo-files checks of {@link validateFiles}, and
 * issues carry `file: 'desc' | 'depends' | 'files'` (or `options.file` + `/desc` ...).
 */
export function decodeEntry(texts: EntryTexts, options: DecodeEntryOptions = {}): Decoded<DescEntry> {
  argObject(texts, 'texts');
  argOptions(options);
  for (const k of ['desc', 'depends', 'files'] as const) if (texts[k] !== undefined) argText(texts[k], `texts.${k}`);
  const mode = checkMode(options.mode);
  const max = lineLimit(options);
  const single = texts.depends === undefined && texts.files === undefined;
  const labelOf = (part: string): string | undefined =>
    single ? options.file : options.file !== undefined ? `${options.file}/${part}` : part;
  // One state for all parts: libalpm merges them, so a section repeated across files is a duplicate.
  const st = newState(mode, labelOf('desc'));
  const problems: AlpmIssue[] = [];
  for (const part of ['desc', 'depends', 'files'] as const) {
    const text = texts[part];
    if (text === undefined) continue;
    const label = labelOf(part);
    if (part === 'files' && st.strict) {
      const r = filesIssues(text, label, max);
      problems.push(...r.issues);
      (st.entry.files ??= []).push(...r.files);
      if (r.backup !== undefined) (st.entry.backup ??= []).push(...r.backup);
      continue;
    }
    st.issues = new IssueList(label);
    readText(text, st, label ?? part, max);
    problems.push(...st.issues.items);
  }
  st.issues = new IssueList(labelOf('desc'));
  if (texts.desc !== undefined || texts.depends !== undefined) finish(st, options);
  if (options.dirName !== undefined) {
    const dir = splitEntryName(options.dirName);
    const e = st.entry;
    const where = JSON.stringify(options.dirName);
    if (e.name !== undefined && e.name !== dir.name) {
      st.issues.add(`name ${JSON.stringify(e.name)} differs from the directory ${where} (libalpm: database is inconsistent)`, undefined, '%NAME%');
    }
    if (e.version !== undefined && e.version !== dir.version) {
      st.issues.add(`version ${JSON.stringify(e.version)} differs from the directory ${where} (libalpm: database is inconsistent)`, undefined, '%VERSION%');
    }
  }
  problems.push(...st.issues.items);
  if (mode === 'strict') {
    if (problems.length > 0) throw new AlpmValidationError('ALPM_BAD_DESC', 'invalid desc entry', sortIssues(problems), options.file);
    return { entry: st.entry, warnings: [] };
  }
  return { entry: st.entry, warnings: problems };
}

/**
 * Strict validation of a `desc` entry without throwing: every problem, in file order (an empty
 * list means the entry is valid ALPM desc v1/v2). Throws only for a non-text argument.
 */
export function validateDesc(text: string | Uint8Array, options: Omit<DecodeDescOptions, 'mode'> = {}): AlpmIssue[] {
  argText(text, 'text');
  argOptions(options);
  try {
    decodeDesc(text, { ...options, mode: 'strict' });
    return [];
  } catch (e) {
    if (e instanceof AlpmValidationError) return [...e.problems];
    throw e;
  }
}

// -------------------------------------------------------------------------------------------
// local database desc

/** The sections of a local-database `desc` (`<dbpath>/local/<name>-<version>/desc`), in the order pacman writes them. */
export const LOCAL_DESC_SECTIONS: readonly SectionSpec[] = [
  { header: 'NAME', key: 'name', kind: 'single' },
  { header: 'VERSION', key: 'version', kind: 'single' },
  { header: 'BASE', key: 'base', kind: 'single' },
  { header: 'DESC', key: 'desc', kind: 'single' },
  { header: 'URL', key: 'url', kind: 'single' },
  { header: 'ARCH', key: 'arch', kind: 'single' },
  { header: 'BUILDDATE', key: 'builddate', kind: 'number' },
  { header: 'INSTALLDATE', key: 'installdate', kind: 'number' },
  { header: 'PACKAGER', key: 'packager', kind: 'single' },
  { header: 'SIZE', key: 'isize', kind: 'number' },
  { header: 'REASON', key: 'reason', kind: 'number' },
  { header: 'GROUPS', key: 'groups', kind: 'list' },
  { header: 'LICENSE', key: 'license', kind: 'list' },
  { header: 'VALIDATION', key: 'validation', kind: 'list' },
  { header: 'REPLACES', key: 'replaces', kind: 'list' },
  { header: 'DEPENDS', key: 'depends', kind: 'list' },
  { header: 'OPTDEPENDS', key: 'optdepends', kind: 'list' },
  { header: 'CONFLICTS', key: 'conflicts', kind: 'list' },
  { header: 'PROVIDES', key: 'provides', kind: 'list' },
  { header: 'XDATA', key: 'xdata', kind: 'xdata' },
];
const LOCAL_BY_HEADER = new Map<string, SectionSpec>(LOCAL_DESC_SECTIONS.map((x) => [`%${x.header}%`, x]));

/**
 * Decode a local-database `desc` (what pacman writes when it installs a package), tolerantly
 * as libalpm's local reader does: `%SIZE%` is the installed size (`isize`), `%INSTALLDATE%`,
 * `%REASON%` (1: installed as a dependency) and `%VALIDATION%` (`none`, `md5`, `sha256`, `pgp`)
 * have their own properties; anything else is warned about and kept in `unknown`.
 */
export function decodeLocalDesc(text: string | Uint8Array, options: { file?: string; maxLineLength?: number } = {}): Decoded<DescEntry> {
  argText(text, 'text');
  argOptions(options);
  const st = newState('tolerant', options.file, LOCAL_BY_HEADER);
  readText(text, st, options.file ?? 'desc', lineLimit(options));
  return { entry: st.entry, warnings: st.issues.items };
}

/**
 * Encode a local-database `desc` byte for byte as pacman (libalpm `_alpm_local_db_write`)
 * writes it: `%NAME%` and `%VERSION%` always; `%BASE%`, `%DESC%`, `%URL%`, `%ARCH%`, `%PACKAGER%`
 * whenever set (an empty string gives an empty value line, as pacman writes for an empty
 * pkgdesc); `%BUILDDATE%`, `%INSTALLDATE%`, `%SIZE%`, `%REASON%` when not 0; the lists when not
 * empty; `%XDATA%` last. Throws ALPM_ENCODE without name or version, or for a value with a line break.
 */
export function encodeLocalDesc(entry: DescEntry): string {
  argObject(entry, 'entry');
  if (typeof entry.name !== 'string' || typeof entry.version !== 'string') throw new RepokitError('ALPM_ENCODE', 'a local desc needs a name and a version');
  const out: string[] = [];
  for (const spec of LOCAL_DESC_SECTIONS) {
    const v = (entry as unknown as Record<string, unknown>)[spec.key];
    if (v === undefined) continue;
    if (spec.kind === 'single') {
      if (typeof v !== 'string') throw new RepokitError('ALPM_ENCODE', `%${spec.header}%: not a string`);
      if (v.includes('\n')) throw new RepokitError('ALPM_ENCODE', `%${spec.header}%: value ${JSON.stringify(v)} contains a line break`);
      out.push(`%${spec.header}%\n${v}\n\n`);
    } else if (spec.kind === 'number') {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new RepokitError('ALPM_ENCODE', `%${spec.header}%: ${String(v)} is not a non-negative integer`);
      if (v !== 0) out.push(`%${spec.header}%\n${v}\n\n`);
    } else {
      if (!Array.isArray(v)) throw new RepokitError('ALPM_ENCODE', `%${spec.header}%: not a list`);
      formatSection(spec.header, v as string[], out);
    }
  }
  return out.join('');
}

// -------------------------------------------------------------------------------------------
// files

/** A decoded `files` entry. */
export interface FilesEntry {
  files: string[];
  /** `%BACKUP%` of a local-database `files` entry. */
  backup?: BackupEntry[];
}

function filesIssues(input: string | Uint8Array, file: string | undefined, max: number): { issues: AlpmIssue[]; files: string[]; backup?: BackupEntry[] } {
  const issues = new IssueList(file);
  const { lines, endsWithNewline } = splitLines(input, { strict: true, issues, maxLineLength: max, what: file ?? 'files' });
  const files: string[] = [];
  if (lines[0] !== '%FILES%') {
    issues.add('invalid alpm-repo-files section header: expected %FILES%', 1, lines[0]?.startsWith('%') === true ? lines[0] : undefined);
    return { issues: issues.items, files };
  }
  if (!endsWithNewline) issues.add('the file does not end with a newline', lines.length);
  const set = new Set<string>();
  let i = 1;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const p = lines[i]!;
    const lineNo = i + 1;
    files.push(p);
    if (p.trim() === '') {
      issues.add('invalid relative path: expected relative path not consisting of whitespaces and/or tabs', lineNo, '%FILES%');
      continue;
    }
    if (p.startsWith('/')) issues.add(`invalid relative path ${JSON.stringify(p)}: absolute`, lineNo, '%FILES%');
    if (hasControl(p)) issues.add('the path contains a control character', lineNo, '%FILES%');
    if (set.has(p)) issues.add(`duplicate path ${JSON.stringify(p)}`, lineNo, '%FILES%');
    const bare = p.endsWith('/') ? p.slice(0, -1) : p;
    const slash = bare.lastIndexOf('/');
    if (slash > 0 && !set.has(bare.slice(0, slash + 1))) {
      issues.add(`the parent directory ${JSON.stringify(bare.slice(0, slash + 1))} of ${JSON.stringify(p)} is not listed before it`, lineNo, '%FILES%');
    }
    set.add(p);
  }
  let backup: BackupEntry[] | undefined;
  // After the list: only empty lines, or a %BACKUP% section (local database).
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '') continue;
    if (l === '%BACKUP%' && backup === undefined) {
      backup = [];
      for (i++; i < lines.length && lines[i] !== ''; i++) {
        const v = lines[i]!;
        const m = /^([^\t]+)\t([0-9a-fA-F]{32})?$/.exec(v);
        if (m === null) issues.add('a backup line is not path<TAB>md5', i + 1, '%BACKUP%');
        const tab = v.lastIndexOf('\t');
        backup.push(tab < 0 ? { path: v, md5: '' } : { path: v.slice(0, tab), md5: v.slice(tab + 1) });
      }
      continue;
    }
    issues.add('expected no further path after newline (an empty line ends %FILES%)', i + 1, '%FILES%');
    break;
  }
  const out: { issues: AlpmIssue[]; files: string[]; backup?: BackupEntry[] } = { issues: issues.items, files };
  if (backup !== undefined) out.backup = backup;
  return out;
}

/**
 * Decode a `files` entry. Tolerant mode uses libalpm's section parser (so `%BACKUP%` and stray
 * sections are read too, with warnings). Strict mode applies alpm-repo-files: the first line is
 * `%FILES%`, one relative path per line, no empty line inside the list, no whitespace-only,
 * absolute or duplicate path, every parent directory listed; a local database's `%BACKUP%`
 * section may follow. Strict failures throw {@link AlpmValidationError} with code ALPM_BAD_FILES.
 */
export function decodeFiles(text: string | Uint8Array, options: Omit<DecodeDescOptions, 'version'> = {}): Decoded<FilesEntry> {
  argText(text, 'text');
  argOptions(options);
  const mode = checkMode(options.mode);
  const max = lineLimit(options);
  if (mode === 'strict') {
    const r = filesIssues(text, options.file, max);
    if (r.issues.length > 0) throw new AlpmValidationError('ALPM_BAD_FILES', 'invalid files entry', sortIssues(r.issues), options.file);
    const entry: FilesEntry = { files: r.files };
    if (r.backup !== undefined) entry.backup = r.backup;
    return { entry, warnings: [] };
  }
  const st = newState(mode, options.file);
  readText(text, st, options.file ?? 'files', max);
  for (const key of Object.keys(st.entry) as (keyof DescEntry)[]) {
    if (key === 'files' || key === 'backup' || key === 'unknown') continue;
    const v = st.entry[key];
    if (!Array.isArray(v) || v.length > 0) st.issues.add(`section for ${String(key)} in a files entry (read, but it belongs in desc)`);
  }
  const entry: FilesEntry = { files: st.entry.files ?? [] };
  if (st.entry.backup !== undefined) entry.backup = st.entry.backup;
  return { entry, warnings: st.issues.items };
}

/** Strict alpm-repo-files validation without throwing: every problem in file order. */
export function validateFiles(text: string | Uint8Array, options: { file?: string; maxLineLength?: number } = {}): AlpmIssue[] {
  argText(text, 'text');
  argOptions(options);
  return sortIssues(filesIssues(text, options.file, lineLimit(options)).issues);
}

// -------------------------------------------------------------------------------------------
// encoding

export interface EncodeDescOptions {
  /** 2 (default): no `%MD5SUM%` (pacman ≥ 6.1). 1: `%MD5SUM%` after `%ISIZE%` when the entry has one. */
  version?: DescVersion;
  /**
   * `'merged'` (default): one `desc` with every section (pacman ≥ 5.0). `'split'`: the pacman
   * 4.x `desc`, without the dependency sections that {@link encodeDepends} writes. `'xpkg'`:
   * the xpkg project's `desc` (no BASE, GROUPS, MD5SUM, PGPSIG or REPLACES; one LICENSE;
   * `version` and `keepUnknown` do not apply).
   */
  layout?: 'merged' | 'split' | 'xpkg';
  /** Write `entry.unknown` sections after the known ones (default: dropped, as repo-add would). */
  keepUnknown?: boolean;
}

const SPLIT_DESC_HEADERS = new Set([
  'FILENAME', 'NAME', 'BASE', 'VERSION', 'DESC', 'GROUPS', 'CSIZE', 'ISIZE', 'MD5SUM', 'SHA256SUM', 'PGPSIG', 'URL',
  'LICENSE', 'ARCH', 'BUILDDATE', 'PACKAGER', 'REPLACES',
]);
const DEPENDS_ORDER: readonly (keyof DescEntry)[] = ['depends', 'conflicts', 'provides', 'optdepends', 'makedepends', 'checkdepends'];
const HEADER_OF = new Map<keyof DescEntry, string>(DESC_SECTIONS.map((s) => [s.key, s.header]));

/** repo-add's `format_entry`: nothing when the first value is empty, else header, values, blank. */
function formatSection(header: string, values: readonly string[], out: string[]): void {
  if (values.length === 0 || values[0] === '') return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v !== 'string') throw new RepokitError('ALPM_ENCODE', `%${header}%: value ${i + 1} is not a string`);
    if (v.includes('\n')) throw new RepokitError('ALPM_ENCODE', `%${header}%: value ${JSON.stringify(v)} contains a line break`);
    if (v === '') throw new RepokitError('ALPM_ENCODE', `%${header}%: empty value ${i + 1} would end the list early`);
  }
  out.push(`%${header}%\n${values.join('\n')}\n\n`);
}

function sectionValues(entry: DescEntry, key: keyof DescEntry): string[] {
  const v = entry[key];
  if (v === undefined) return [];
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new RepokitError('ALPM_ENCODE', `%${HEADER_OF.get(key)}%: ${v} is not a non-negative integer`);
    return [String(v)];
  }
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v as string[];
  throw new RepokitError('ALPM_ENCODE', `%${HEADER_OF.get(key)}%: not a string, number or list`);
}

/**
 * Encode a `desc` entry exactly as repo-add writes it: sections in repo-add's order, each as
 * `%HEADER%`, one line per value and one empty line (so the text ends in `\n\n`), sections with
 * no value (or an empty first value) left out. Version 2 (default) leaves out `%MD5SUM%`;
 * `%PGPSIG%` is written whenever the entry has one. `%FILES%`, `%BACKUP%` and extended data are
 * never written here (see {@link encodeFiles}). Throws ALPM_ENCODE for a value with a line break,
 * an empty value inside a list, or a size/date that is not a non-negative integer.
 */
export function encodeDesc(entry: DescEntry, options: EncodeDescOptions = {}): string {
  argObject(entry, 'entry');
  argOptions(options);
  const version = options.version ?? 2;
  if (version !== 1 && version !== 2) throw new RepokitError('INVALID_ARGUMENT', `version must be 1 or 2, not ${String(version)}`);
  const split = options.layout === 'split';
  if (options.layout !== undefined && options.layout !== 'merged' && !split && options.layout !== 'xpkg') {
    throw new RepokitError('INVALID_ARGUMENT', `layout must be 'merged', 'split' or 'xpkg', not ${String(options.layout)}`);
  }
  if (options.layout === 'xpkg') return encodeXpkgDesc(entry);
  const out: string[] = [];
  for (const spec of DESC_SECTIONS) {
    if (spec.kind === 'files' || spec.kind === 'backup' || spec.kind === 'xdata') continue;
    if (spec.header === 'MD5SUM' && version === 2) continue;
    if (split && !SPLIT_DESC_HEADERS.has(spec.header)) continue;
    formatSection(spec.header, sectionValues(entry, spec.key), out);
  }
  if (options.keepUnknown === true) {
    for (const u of entry.unknown ?? []) formatSection(u.name, u.values, out);
  }
  return out.join('');
}

/** Options of {@link encodeDepends}. */
export interface EncodeDependsOptions {
  /** `'split'` (default): pacman 4.x's `depends`. `'xpkg'`: the xpkg project's. */
  layout?: 'split' | 'xpkg';
}

/**
 * The `depends` file of a split layout. `'split'` (default, pacman 4.x repo-add): `%DEPENDS%`,
 * `%CONFLICTS%`, `%PROVIDES%`, `%OPTDEPENDS%`, `%MAKEDEPENDS%`, `%CHECKDEPENDS%`. `'xpkg'`:
 * `%DEPENDS%`, `%MAKEDEPENDS%`, `%CHECKDEPENDS%`, `%OPTDEPENDS%`, `%PROVIDES%`, `%CONFLICTS%`,
 * `%REPLACES%`. Same section format as {@link encodeDesc}; empty string when the entry has none.
 */
export function encodeDepends(entry: DescEntry, options: EncodeDependsOptions = {}): string {
  argObject(entry, 'entry');
  argOptions(options);
  if (options.layout === 'xpkg') return encodeXpkgDepends(entry);
  if (options.layout !== undefined && options.layout !== 'split') throw new RepokitError('INVALID_ARGUMENT', `layout must be 'split' or 'xpkg', not ${String(options.layout)}`);
  const out: string[] = [];
  for (const key of DEPENDS_ORDER) formatSection(HEADER_OF.get(key)!, sectionValues(entry, key), out);
  return out.join('');
}

export interface EncodeFilesOptions {
  /**
   * `'sync'` (default): repo-add's `files`: `%FILES%`, the paths, no trailing empty line, no
   * backup. `'local'`: pacman's local database `files`: `%FILES%` (only when there are paths)
   * and `%BACKUP%` (`path<TAB>md5`, only when there are backups), each followed by an empty line.
   */
  layout?: 'sync' | 'local';
}

/**
 * Encode a `files` entry. Paths are sorted by byte order and de-duplicated, as repo-add's
 * `LC_ALL=C sort -u` does; give them as they appear in the package (relative, directories with a
 * trailing `/`, top-level dot files such as `.PKGINFO` already left out). Throws ALPM_ENCODE for
 * a path that is empty or contains a line break.
 */
export function encodeFiles(files: readonly string[] | FilesEntry, options: EncodeFilesOptions = {}): string {
  if (!Array.isArray(files)) argObject(files, 'files');
  argOptions(options);
  const input: FilesEntry = Array.isArray(files) ? { files: [...(files as readonly string[])] } : (files as FilesEntry);
  const layout = options.layout ?? 'sync';
  if (layout !== 'sync' && layout !== 'local') throw new RepokitError('INVALID_ARGUMENT', `layout must be 'sync' or 'local', not ${String(layout)}`);
  for (const p of input.files) {
    if (typeof p !== 'string' || p === '' || p.includes('\n')) {
      throw new RepokitError('ALPM_ENCODE', `%FILES%: path ${JSON.stringify(p)} is empty or contains a line break`);
    }
  }
  const sorted = [...new Set(input.files)].sort(compareCodePoints);
  if (layout === 'sync') return `%FILES%\n${sorted.map((p) => `${p}\n`).join('')}`;
  let out = sorted.length > 0 ? `%FILES%\n${sorted.map((p) => `${p}\n`).join('')}\n` : '';
  const backup = input.backup ?? [];
  if (backup.length > 0) {
    out += '%BACKUP%\n';
    for (const b of backup) {
      if (b.path === '' || /[\n\t]/.test(b.path) || /[\n\t]/.test(b.md5)) {
        throw new RepokitError('ALPM_ENCODE', `%BACKUP%: ${JSON.stringify(b.path)} is empty or contains a tab or line break`);
      }
      out += `${b.path}\t${b.md5}\n`;
    }
    out += '\n';
  }
  return out;
}
