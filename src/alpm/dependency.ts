/**
 * Dependency expressions: `name`, `name<op>version`, `optdep[: description]` and sonames
 * (`libfoo.so=1-64`, `lib:libfoo.so.1`). Parsing follows libalpm's `alpm_dep_from_string`
 * exactly (it never fails); validation follows the ALPM specification (alpm-package-relation,
 * alpm-comparison, alpm-sonamev1/v2) and is separate, so tolerant readers keep what pacman keeps.
 */
import { RepokitError } from '../shared/errors.js';
import { isValidPackageName, versionProblem } from './filename.js';
import { vercmp } from './vercmp.js';
import { argObject, argString } from './args.js';

export type DependencyOperator = '<' | '<=' | '=' | '>=' | '>';

/** A parsed dependency, provision, conflict, replacement or optional dependency. */
export interface Dependency {
  name: string;
  /** Absent when any version matches. */
  operator?: DependencyOperator;
  version?: string;
  /** The text after `": "` (optional dependencies). */
  description?: string;
}

/** Which list a relation comes from; the ALPM rules differ per list. */
export type RelationKind = 'depends' | 'provides' | 'conflicts' | 'replaces' | 'makedepends' | 'checkdepends' | 'optdepends';

/**
 * Parse a relation as libalpm does: the description starts at the first `": "` (colon and space,
 * so an epoch colon is not taken for it); the operator is the first `<` (or `<=`), else the first
 * `>` (or `>=`), else the first `=`; the name is what precedes it. Never throws for a string.
 */
export function parseDependency(text: string): Dependency {
  if (typeof text !== 'string') argString(text, 'text');
  // A database holds hundreds of thousands of relations: native searches, no regex, no
  // intermediate strings, and one object literal per result shape (no properties added later).
  const colon = text.indexOf(': ');
  const end = colon < 0 ? text.length : colon;
  // The operator is searched in the body only (before ": "). libalpm looks one byte past it, so
  // `a<: x` reads '<' then ':', never '='.
  let at = text.indexOf('<');
  let operator: DependencyOperator;
  if (at >= 0 && at < end) {
    operator = at + 1 < end && text.charCodeAt(at + 1) === 0x3d ? '<=' : '<';
  } else if ((at = text.indexOf('>')) >= 0 && at < end) {
    operator = at + 1 < end && text.charCodeAt(at + 1) === 0x3d ? '>=' : '>';
  } else if ((at = text.indexOf('=')) >= 0 && at < end) {
    operator = '=';
  } else {
    return colon < 0 ? { name: text } : { name: text.slice(0, colon), description: text.slice(colon + 2) };
  }
  const name = text.slice(0, at);
  const version = text.slice(at + operator.length, end);
  return colon < 0 ? { name, operator, version } : { name, operator, version, description: text.slice(colon + 2) };
}

/** `name[op version][: description]`, as libalpm's `alpm_dep_compute_string` writes it. */
export function formatDependency(dep: Dependency): string {
  argObject(dep, 'dep');
  let s = dep.name;
  if (dep.operator !== undefined) s += dep.operator + (dep.version ?? '');
  if (dep.description !== undefined) s += `: ${dep.description}`;
  return s;
}

/** A shared-library name in one of pacman's two notations. */
export type Soname =
  | { form: 'v1'; name: string; version: string; bits: string }
  | { form: 'v2'; prefix: string; soname: string };

const SONAME_V1 = /^([^\s=<>:]+\.so)=([^\s-]+)-(32|64)$/;
const SONAME_V2 = /^([A-Za-z0-9_.@+-]+):([^\s:/]+\.so(?:\.[^\s:/]*)?)$/;

/**
 * Recognise a soname relation: legacy `libfoo.so=1-64` (version, then `-32`/`-64`) or
 * `prefix:libfoo.so.1` (pacman 6.1+). Returns undefined for anything else.
 */
export function parseSoname(text: string): Soname | undefined {
  argString(text, 'text');
  let m = SONAME_V1.exec(text);
  if (m !== null) return { form: 'v1', name: m[1]!, version: m[2]!, bits: m[3]! };
  m = SONAME_V2.exec(text);
  if (m !== null) return { form: 'v2', prefix: m[1]!, soname: m[2]! };
  return undefined;
}

/**
 * Why `text` is not a valid relation of `kind` under the ALPM rules, or undefined. Provisions
 * may only use `=`; only optional dependencies may carry a description; depends and provides may
 * be sonames; versions may be minimal (`1.0`) or full (`1:1.0-2`).
 */
export function dependencyProblem(text: string, kind: RelationKind): string | undefined {
  argString(text, 'text');
  const q = JSON.stringify(text);
  if (text === '') return 'empty relation';
  if (/[\s]/.test(text.replace(/: .*$/s, ''))) return `relation ${q} contains whitespace`;
  if (/[\n\r]/.test(text)) return `relation ${q} contains a line break`;
  if ((kind === 'depends' || kind === 'provides') && parseSoname(text)?.form === 'v2') return undefined;
  const dep = parseDependency(text);
  if (dep.description !== undefined && kind !== 'optdepends') return `only optional dependencies may have a description: ${q}`;
  if (dep.description === '' ) return `empty description in ${q}`;
  if (!isValidPackageName(dep.name)) return `invalid package name ${JSON.stringify(dep.name)} in ${q}`;
  if (dep.operator !== undefined) {
    if (kind === 'provides' && dep.operator !== '=') return `a provision may only use '=': ${q}`;
    const v = dep.version ?? '';
    if (v === '') return `missing version after ${dep.operator} in ${q}`;
    const problem = versionProblem(v, false);
    if (problem !== undefined) return `${problem} in ${q}`;
  }
  return undefined;
}

/**
 * Parse and validate a relation of `kind` (ALPM rules); throws ALPM_BAD_DEPENDENCY with the
 * reason. Use {@link parseDependency} to read what pacman reads without validation.
 */
export function parseRelation(text: string, kind: RelationKind): Dependency {
  argString(text, 'text');
  const problem = dependencyProblem(text, kind);
  if (problem !== undefined) throw new RepokitError('ALPM_BAD_DEPENDENCY', problem);
  return parseDependency(text);
}

/**
 * Whether a package `name` at `version` satisfies `dep`, as libalpm's `dep_vercmp` decides for a
 * package itself: names must be equal and the version comparison (pacman's vercmp, where a
 * dependency version without pkgrel matches any release) must agree with the operator.
 */
export function satisfies(dep: Dependency, name: string, version: string): boolean {
  argObject(dep, 'dep');
  argString(name, 'name');
  argString(version, 'version');
  if (dep.name !== name) return false;
  if (dep.operator === undefined) return true;
  const c = vercmp(version, dep.version ?? '');
  switch (dep.operator) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '=':
      return c === 0;
    case '>=':
      return c >= 0;
    case '>':
      return c > 0;
  }
}
