/**
 * Problems and warnings found while reading ALPM text formats, and the error that carries all of
 * them at once (strict mode reports every problem, not only the first, like the ALPM
 * specification's validators).
 */
import { RepokitError, type ErrorCode } from '../shared/errors.js';
import { argArray, argObject } from './args.js';

/** Decoding mode: `'tolerant'` reads what libalpm reads (with warnings); `'strict'` validates. */
export type AlpmMode = 'tolerant' | 'strict';

/** One problem (strict mode) or warning (tolerant mode), with where it is. */
export interface AlpmIssue {
  /** 1-based line in the text; absent for whole-file problems such as a missing section. */
  line?: number;
  /** 1-based column, when a problem is inside a line. */
  column?: number;
  /** The section (`%NAME%`) or key (`pkgname`) the problem belongs to, when there is one. */
  section?: string;
  /** Which file of an entry the line belongs to (`desc`, `depends`, `files`), or a path. */
  file?: string;
  /** What is wrong, in one sentence. */
  message: string;
}

/** `file:line:column: [section] message`, with the parts that are known (for CLI output). */
export function formatIssue(issue: AlpmIssue): string {
  argObject(issue, 'issue');
  let where = issue.file ?? '';
  if (issue.line !== undefined) {
    where += `${where === '' ? 'line ' : ':'}${issue.line}`;
    if (issue.column !== undefined) where += `:${issue.column}`;
  }
  const section = issue.section !== undefined ? `${issue.section}: ` : '';
  return where === '' ? `${section}${issue.message}` : `${where}: ${section}${issue.message}`;
}

/**
 * A {@link RepokitError} that carries every problem strict validation found. Its code names the
 * format (`ALPM_BAD_DESC`, `ALPM_BAD_FILES`, ...); `line`/`column` are those of the first
 * problem; `problems` lists them all in file order. `isRepokitError` is true for it.
 */
export class AlpmValidationError extends RepokitError {
  readonly problems: readonly AlpmIssue[];

  constructor(code: ErrorCode, what: string, problems: readonly AlpmIssue[], file?: string) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    const section = first?.section !== undefined ? `${first.section}: ` : '';
    super(code, `${what}: ${section}${first?.message ?? 'invalid'}${more}`, {
      line: first?.line,
      column: first?.column,
      file,
    });
    this.problems = problems;
  }

  /** {@link RepokitError.toJSON} plus `problems`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problems: this.problems };
  }
}

/** Collects issues; `add` keeps file order stable by recording in call order. */
export class IssueList {
  readonly items: AlpmIssue[] = [];
  constructor(private readonly file: string | undefined) {}

  /** Record one issue (the file is added from the constructor). */
  add(message: string, line?: number, section?: string, column?: number): void {
    const issue: AlpmIssue = { message };
    if (line !== undefined) issue.line = line;
    if (column !== undefined) issue.column = column;
    if (section !== undefined) issue.section = section;
    if (this.file !== undefined) issue.file = this.file;
    this.items.push(issue);
  }
}

/** Sort issues by line (whole-file issues last), keeping insertion order among equals. */
export function sortIssues(items: AlpmIssue[]): AlpmIssue[] {
  argArray(items, 'items');
  return items
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.i - b.i)
    .map((x) => x.issue);
}

/** Check an options object's `mode`, throwing INVALID_ARGUMENT for anything else. */
export function checkMode(mode: unknown): AlpmMode {
  if (mode === undefined) return 'tolerant';
  if (mode === 'tolerant' || mode === 'strict') return mode;
  throw new RepokitError('INVALID_ARGUMENT', `mode must be 'tolerant' or 'strict', not ${String(mode)}`);
}
