/**
 * `repokit validate PATH...`: detect what each file is by content and validate it strictly
 * (the library's validateBytes / validatePath), printing one line per problem (error or
 * warning) and one summary line per file. Warnings fail the run only with --warnings-as-errors.
 */
import { open, readdir } from 'node:fs/promises';
import { lstatSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, formatOptions, parseArgs, type OptionSpec } from './args.js';
import { isRepokitError, oneLine, toJson, visible } from './output.js';
import type { Context } from './rpm.js';
import { detectFileKind, DETECT_HEAD_BYTES, VALIDATABLE_KINDS, validateBytes, validatePath, type FileKind, type ValidationProblem, type ValidationResult } from '../validate/index.js';

/** The lines this command adds to the main help's command list. */
export const VALIDATE_SUMMARY = '  validate PATH...      detect what each file is and check it strictly (--json)\n';

const STDIN_NAME = '<stdin>';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', help: 'print one JSON array of {path, kind, ok, problems}' },
  { name: 'kind', value: 'KIND', choices: VALIDATABLE_KINDS, help: 'validate every file as KIND instead of detecting it' },
  { name: 'warnings-as-errors', help: 'a warning makes its file fail too (exit status 1)' },
];

export const VALIDATE_HELP = `Usage: repokit validate [options] PATH...

Detect what each file is by its content and validate it strictly: RPM packages, pacman packages
and sync databases (every entry), desc/depends/files entries, .PKGINFO, .BUILDINFO, xbps
packages, repodata and plists, apt-rpm pkglists, srclists and release files (with the files a
release lists, when they are beside it), and repod.conf.

Options:
${formatOptions(OPTIONS)}

${wrap(`Kinds: ${VALIDATABLE_KINDS.join(', ')}.`)}

A directory validates the regular files directly inside it (not its subdirectories, not
symbolic links), in name order; files in it that are none of the kinds are listed as skipped.
PATH may be '-' for standard input.

Output: one line per problem, 'FILE:LINE:COL: SEVERITY: CODE: message' for text positions,
'FILE@OFFSET: SEVERITY: CODE: message' for byte offsets, with ' (member NAME)' after FILE
for a problem inside an archive member; SEVERITY is 'error' or 'warning' (something the real
tools accept or ignore, such as the unsigned desc v1 entries repo-add 6.0 writes without
%PGPSIG%). Then one summary line per file: 'FILE: ok (KIND)', 'FILE: ok, M warnings (KIND)',
or 'FILE: N errors, M warnings (KIND)' when it fails.

Exit status: 0 no file has an error (warnings are allowed unless --warnings-as-errors), 1 a
file has one (a file of unknown kind, or one that cannot be read, is one too), 2 usage error.
`;

/** Word-wrap one paragraph to the help texts' width (96 columns). */
function wrap(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > 96) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line].join('\n');
}

interface FileReport {
  path: string;
  kind: FileKind;
  ok: boolean;
  problems: ValidationProblem[];
  /** Listed, but not validated: a file of unknown kind found in a directory. */
  skipped?: boolean;
}

/** Whether a file passes: no errors, and with --warnings-as-errors no warnings either. */
function passes(r: FileReport, warningsAsErrors: boolean): boolean {
  return warningsAsErrors ? r.ok && r.problems.length === 0 : r.ok;
}

/** `repokit validate ...` */
export async function validateCommand(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, OPTIONS, 'validate');
  if (p.help) {
    ctx.io.out(VALIDATE_HELP);
    return 0;
  }
  if (p.positionals.length === 0) throw new UsageError('missing PATH (a file or a directory to validate)', 'validate');
  if (p.positionals.filter((f) => f === '-').length > 1) throw new UsageError("'-' (standard input) can be given only once", 'validate');
  const json = p.options.has('json');
  const warningsAsErrors = p.options.has('warnings-as-errors');
  const kindOption = p.options.get('kind');
  const kind = typeof kindOption === 'string' ? (kindOption as FileKind) : undefined;
  const reports: FileReport[] = [];
  const emit = (r: FileReport): void => {
    reports.push(r);
    if (!json) ctx.io.out(formatReport(r, warningsAsErrors));
  };
  for (const arg of p.positionals) {
    if (arg === '-') {
      const bytes = await ctx.readStdin();
      emit({ path: STDIN_NAME, ...(await validateBytes(bytes, kind === undefined ? {} : { kind })) });
      continue;
    }
    let isDir = false;
    try {
      isDir = statSync(arg).isDirectory();
    } catch {
      // Reported by validatePath below, as any unreadable file.
    }
    if (!isDir) {
      emit(await validateOne(arg, kind));
      continue;
    }
    for (const file of await filesIn(arg)) {
      const r = await validateOne(file, kind, true);
      emit(r);
    }
  }
  const validated = reports.filter((r) => r.skipped !== true);
  // --json's ok is the file's verdict under this command line (warnings fail with the flag).
  if (json) ctx.io.out(toJson(validated.map((r) => ({ path: r.path, kind: r.kind, ok: passes(r, warningsAsErrors), problems: r.problems }))));
  return validated.every((r) => passes(r, warningsAsErrors)) ? 0 : 1;
}

/** The regular files directly in `dir` (no symlinks, no subdirectories), by name. */
async function filesIn(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: string[] = [];
  for (const n of names) {
    const path = join(dir, n);
    try {
      if (lstatSync(path).isFile()) out.push(path);
    } catch {
      // Gone since the listing: nothing to validate.
    }
  }
  return out;
}

async function validateOne(path: string, kind: FileKind | undefined, inDirectory = false): Promise<FileReport> {
  try {
    if (inDirectory && kind === undefined) {
      // Files of no known kind (signatures, keys, lock files) sit next to repositories: skip them.
      const detected = await detectFileKind(await head(path), path);
      if (detected === 'unknown') return { path, kind: 'unknown', ok: false, problems: [], skipped: true };
    }
    const r: ValidationResult = await validatePath(path, kind === undefined ? {} : { kind });
    return { path, ...r };
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    return { path, kind: 'unknown', ok: false, problems: [{ code: e.code, severity: 'error', message: e.detail }] };
  }
}

async function head(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const b = new Uint8Array(DETECT_HEAD_BYTES);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Where a problem is: `FILE (member M):LINE:COL`, `FILE@OFFSET`, or `FILE`. */
export function problemLocation(path: string, problem: ValidationProblem): string {
  let where = path;
  if (problem.member !== undefined) where += ` (member ${problem.member})`;
  if (problem.line !== undefined) where += `:${problem.line}${problem.column !== undefined ? `:${problem.column}` : ''}`;
  else if (problem.offset !== undefined) where += `@${problem.offset}`;
  return where;
}

/** The text lines of one file's report. */
export function formatReport(r: FileReport, warningsAsErrors = false): string {
  const path = visible(r.path);
  if (r.skipped === true) return `${path}: skipped (unknown kind)\n`;
  let out = '';
  for (const problem of r.problems) {
    // "Missing section: %PGPSIG%" names its section already.
    const named = problem.section?.startsWith('%') === true && problem.message.includes(problem.section);
    const section = problem.section !== undefined && !named ? `${problem.section}: ` : '';
    out += `${visible(problemLocation(r.path, problem))}: ${problem.severity}: ${problem.code}: ${visible(oneLine(section + problem.message))}\n`;
  }
  const errors = r.problems.filter((q) => q.severity === 'error').length;
  const warnings = r.problems.length - errors;
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const counts = [errors > 0 ? count(errors, 'error') : '', warnings > 0 ? count(warnings, 'warning') : ''].filter((c) => c !== '');
  const verdict = passes(r, warningsAsErrors) ? ['ok', ...counts] : counts;
  out += `${path}: ${verdict.join(', ')} (${r.kind})\n`;
  return out;
}
