/**
 * Lexical POSIX paths with the semantics of Python's `pathlib.PurePosixPath`, which repod uses for
 * every directory it derives: duplicate slashes collapse, `.` components and a trailing slash
 * disappear, a leading `//` (exactly two slashes) is kept, `..` is never resolved, and nothing
 * touches a file system. Equality is component-wise string equality; "resides in" is a component
 * prefix test (so `/foo-bar` is not inside `/foo`).
 */

/** A parsed path: its root (`''` relative, `'/'`, or POSIX's implementation-defined `'//'`) and components. */
export interface PosixPath {
  readonly root: '' | '/' | '//';
  readonly parts: readonly string[];
}

/** Parse a path string the way `PurePosixPath(text)` does. */
export function parsePath(text: string): PosixPath {
  let root: PosixPath['root'] = '';
  if (text.startsWith('/')) root = text.startsWith('//') && !text.startsWith('///') ? '//' : '/';
  const parts = text.split('/').filter((p) => p !== '' && p !== '.');
  return { root, parts };
}

/** The canonical string of a path (`.` for the empty relative path). */
export function formatPath(p: PosixPath): string {
  const s = p.root + p.parts.join('/');
  return s === '' ? '.' : s;
}

/** `PurePosixPath(text)` as a string: the normalised spelling repod compares and prints. */
export function normalizePath(text: string): string {
  return formatPath(parsePath(text));
}

/** True when the path starts at the root. */
export function isAbsolutePath(text: string): boolean {
  return text.startsWith('/');
}

/** `PurePosixPath(base) / a / b ...`: an absolute segment replaces everything before it. */
export function joinPath(base: string, ...segments: readonly string[]): string {
  let cur = parsePath(base);
  for (const s of segments) {
    const p = parsePath(s);
    cur = p.root !== '' ? p : { root: cur.root, parts: [...cur.parts, ...p.parts] };
  }
  return formatPath(cur);
}

/** The last component (`''` for `/` and `.`), like `PurePath.name`. */
export function baseName(text: string): string {
  const { parts } = parsePath(text);
  return parts[parts.length - 1] ?? '';
}

/** The path without its last component, like `PurePath.parent`. */
export function parentPath(text: string): string {
  const p = parsePath(text);
  return formatPath({ root: p.root, parts: p.parts.slice(0, -1) });
}

/**
 * True when `path.relative_to(other)` would succeed: `other` is `path` itself or one of its
 * ancestors, compared component by component (both are normalised first).
 */
export function isWithin(path: string, other: string): boolean {
  const a = parsePath(path);
  const b = parsePath(other);
  if (b.root === '' && b.parts.length === 0) return a.root === '';
  if (a.root !== b.root || b.parts.length > a.parts.length) return false;
  return b.parts.every((part, i) => a.parts[i] === part);
}

/** True when some component of the path is `..` (which repod never resolves). */
export function hasParentComponent(text: string): boolean {
  return parsePath(text).parts.includes('..');
}

/** Compare two strings by Unicode code point (Python's `str` order), not by UTF-16 code unit. */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}
