/**
 * `.BUILDINFO` (BUILDINFO v1/v2, makepkg's build environment record): decoding, tolerant or
 * strict. Same `key = value` line rule as `.PKGINFO`.
 */
import { isValidArchitecture, isValidPackageName, versionProblem } from './filename.js';
import { splitKeyValue, type DecodeKeyValueOptions, type UnknownKey } from './pkginfo.js';
import { MAX_LINE_LENGTH, hasControl, splitLines } from './text.js';
import type { Decoded } from './types.js';
import { AlpmValidationError, IssueList, checkMode, sortIssues, type AlpmIssue } from './validate.js';
import { argOptions, argText } from './args.js';

/** The contents of a `.BUILDINFO`. */
export interface Buildinfo {
  /** The `format` key: 1 or 2 (makepkg ≥ 6.0 writes 2); absent when missing or not a number. */
  format?: number;
  pkgname?: string;
  pkgbase?: string;
  pkgver?: string;
  pkgarch?: string;
  pkgbuildSha256sum?: string;
  packager?: string;
  builddate?: number;
  builddir?: string;
  /** Written by makepkg ≥ 6.0 (accepted in both formats). */
  startdir?: string;
  /** v2: the build tool (`makepkg`, `devtools`). */
  buildtool?: string;
  /** v2: its version. */
  buildtoolver?: string;
  buildenv: string[];
  options: string[];
  /** Installed packages as `name-pkgver-pkgrel-arch`. */
  installed: string[];
  /** Comment lines without `#` and one following space. */
  comments: string[];
  unknown: UnknownKey[];
}

const SINGLE = {
  format: 'format',
  pkgname: 'pkgname',
  pkgbase: 'pkgbase',
  pkgver: 'pkgver',
  pkgarch: 'pkgarch',
  pkgbuild_sha256sum: 'pkgbuildSha256sum',
  packager: 'packager',
  builddate: 'builddate',
  builddir: 'builddir',
  startdir: 'startdir',
  buildtool: 'buildtool',
  buildtoolver: 'buildtoolver',
} as const;
const LISTS = ['buildenv', 'options', 'installed'] as const;
const REQUIRED_V1 = ['format', 'pkgname', 'pkgbase', 'pkgver', 'pkgarch', 'pkgbuild_sha256sum', 'packager', 'builddate', 'builddir'];
const REQUIRED_V2 = [...REQUIRED_V1, 'startdir', 'buildtool', 'buildtoolver'];

/**
 * Decode a `.BUILDINFO`. Tolerant mode keeps unknown keys (xpkg writes `CFLAGS = …` and the
 * like) in `unknown`, with warnings. Strict mode applies BUILDINFO v1/v2 (by `format`): the
 * single keys exactly once, the v2 keys, value grammars (a 64-digit `pkgbuild_sha256sum`,
 * `installed` as `name-pkgver-pkgrel-arch`, `buildenv`/`options` as `word` or `!word`) and throws
 * an {@link AlpmValidationError} (ALPM_BAD_BUILDINFO) listing every problem.
 */
export function decodeBuildinfo(text: string | Uint8Array, options: DecodeKeyValueOptions = {}): Decoded<Buildinfo> {
  argText(text, 'text');
  argOptions(options);
  const strict = checkMode(options.mode) === 'strict';
  const issues = new IssueList(options.file);
  const { lines } = splitLines(text, { strict, issues, maxLineLength: options.maxLineLength ?? MAX_LINE_LENGTH, what: options.file ?? '.BUILDINFO' });
  const b: Buildinfo = { buildenv: [], options: [], installed: [], comments: [], unknown: [] };
  const seen = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    if (line === '') continue;
    if (line.startsWith('#')) {
      b.comments.push(line.slice(1).replace(/^ /, ''));
      continue;
    }
    const kv = splitKeyValue(line);
    if (kv === undefined) {
      issues.add(`line ${JSON.stringify(line.slice(0, 80))} is not "key = value"`, lineNo);
      continue;
    }
    const { key, value } = kv;
    if (Object.hasOwn(SINGLE, key)) {
      const first = seen.get(key);
      if (first !== undefined) issues.add(`duplicate key (first on line ${first})`, lineNo, key);
      else seen.set(key, lineNo);
      const prop = SINGLE[key as keyof typeof SINGLE];
      if (prop === 'format' || prop === 'builddate') {
        const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
        if (Number.isSafeInteger(n)) b[prop] = n;
        else issues.add(`${JSON.stringify(value)} is not a non-negative integer`, lineNo, key);
      } else {
        b[prop] = value;
        if (strict) {
          const problem = singleProblem(key, value);
          if (problem !== undefined) issues.add(problem, lineNo, key);
        }
      }
    } else if ((LISTS as readonly string[]).includes(key)) {
      b[key as (typeof LISTS)[number]].push(value);
      if (strict) {
        const problem = key === 'installed' ? installedProblem(value) : /^!?[A-Za-z0-9_-]+$/.test(value) ? undefined : `${JSON.stringify(value)} is not word or !word`;
        if (problem !== undefined) issues.add(problem, lineNo, key);
      }
    } else {
      b.unknown.push({ key, value, line: lineNo });
      issues.add(`unknown key ${JSON.stringify(key)}`, lineNo, key);
    }
  }
  if (strict) {
    const format = b.format;
    if (format !== undefined && format !== 1 && format !== 2) issues.add(`unknown format ${format} (expected 1 or 2)`, seen.get('format'), 'format');
    for (const key of format === 2 ? REQUIRED_V2 : REQUIRED_V1) {
      if (!seen.has(key)) issues.add(`missing key ${key}`, undefined, key);
    }
    if (format === 1) {
      for (const key of ['buildtool', 'buildtoolver']) {
        if (seen.has(key)) issues.add(`${key} is not a BUILDINFO v1 key`, seen.get(key), key);
      }
    }
    if (issues.items.length > 0) throw new AlpmValidationError('ALPM_BAD_BUILDINFO', 'invalid .BUILDINFO', sortIssues(issues.items), options.file);
    return { entry: b, warnings: [] };
  }
  return { entry: b, warnings: issues.items };
}

function singleProblem(key: string, v: string): string | undefined {
  switch (key) {
    case 'pkgname':
    case 'pkgbase':
      return isValidPackageName(v) ? undefined : `invalid package name ${JSON.stringify(v)}`;
    case 'pkgver':
      return versionProblem(v, true);
    case 'pkgarch':
      return isValidArchitecture(v) ? undefined : `invalid architecture ${JSON.stringify(v)}`;
    case 'pkgbuild_sha256sum':
      return /^[0-9a-f]{64}$/.test(v) ? undefined : 'not a SHA-256 digest (64 lower-case hexadecimal digits)';
    case 'builddir':
    case 'startdir':
      return v.startsWith('/') ? undefined : `${key} is not an absolute path`;
    default:
      return v === '' ? 'empty value' : hasControl(v) ? 'the value contains a control character' : undefined;
  }
}

function installedProblem(v: string): string | undefined {
  const d3 = v.lastIndexOf('-');
  const d2 = d3 > 0 ? v.lastIndexOf('-', d3 - 1) : -1;
  const d1 = d2 > 0 ? v.lastIndexOf('-', d2 - 1) : -1;
  if (d1 <= 0) return `${JSON.stringify(v)} is not name-pkgver-pkgrel-arch`;
  if (!isValidPackageName(v.slice(0, d1))) return `invalid package name in ${JSON.stringify(v)}`;
  const vp = versionProblem(v.slice(d1 + 1, d3), true);
  if (vp !== undefined) return vp;
  return isValidArchitecture(v.slice(d3 + 1)) ? undefined : `invalid architecture in ${JSON.stringify(v)}`;
}

/** Strict BUILDINFO validation without throwing: every problem in file order. */
export function validateBuildinfo(text: string | Uint8Array, options: Omit<DecodeKeyValueOptions, 'mode'> = {}): AlpmIssue[] {
  argText(text, 'text');
  argOptions(options);
  try {
    decodeBuildinfo(text, { ...options, mode: 'strict' });
    return [];
  } catch (e) {
    if (e instanceof AlpmValidationError) return [...e.problems];
    throw e;
  }
}
