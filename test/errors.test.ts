/**
 * docs/errors.md documents exactly the codes in ERROR_CODES (with the same one-line meaning), and
 * RepokitError carries what the docs promise: code, detail, offset, file, a formatted message,
 * toJSON, and a brand that isRepokitError recognises across duplicate copies of the package.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, RepokitError, isRepokitError, type ErrorCode } from '../src/shared/errors.js';
import * as root from '../src/index.js';
import { ROOT, ensureBuilt } from './support/dist.js';

const doc = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
const codes = Object.keys(ERROR_CODES) as ErrorCode[];

/** `### \`CODE\`` sections of docs/errors.md, with the first paragraph under each. */
function documented(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of doc.matchAll(/^### `([A-Z0-9_]+)`\n\n([^\n]+)\n/gm)) out.set(m[1]!, m[2]!);
  return out;
}

describe('docs/errors.md', () => {
  it('documents every code in ERROR_CODES', () => {
    const docs = documented();
    expect(codes.filter((c) => !docs.has(c))).toEqual([]);
  });

  it('documents no code that ERROR_CODES lacks', () => {
    expect([...documented().keys()].filter((c) => !(c in ERROR_CODES))).toEqual([]);
    // Any other code-like token in backticks must be a real code too (catches typos in the prose).
    const mentioned = new Set([...doc.matchAll(/`((?:RPM_)[A-Z0-9_]+|TRUNCATED|LIMIT_EXCEEDED|INVALID_ARGUMENT|IO_ERROR)`/g)].map((m) => m[1]!));
    expect([...mentioned].filter((c) => !(c in ERROR_CODES))).toEqual([]);
  });

  it('lists the codes in ERROR_CODES order, each with its one-line meaning', () => {
    const docs = documented();
    expect([...docs.keys()]).toEqual(codes);
    for (const c of codes) expect(docs.get(c), c).toBe(ERROR_CODES[c]);
  });

  it('every meaning is one line ending in a full stop', () => {
    for (const c of codes) expect(ERROR_CODES[c]).toMatch(/^[A-Z][^\n]*\.$/);
  });
});

describe('RepokitError', () => {
  it('carries code, detail, offset, file and cause', () => {
    const cause = new Error('inner');
    const e = new RepokitError('TRUNCATED', 'main header: needs 10 bytes', { offset: 120, file: 'a.rpm', cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('RepokitError');
    expect(e.code).toBe('TRUNCATED');
    expect(e.detail).toBe('main header: needs 10 bytes');
    expect(e.offset).toBe(120);
    expect(e.file).toBe('a.rpm');
    expect(e.line).toBeUndefined();
    expect(e.column).toBeUndefined();
    expect(e.cause).toBe(cause);
    expect(e.message).toBe('a.rpm: main header: needs 10 bytes (at byte 120)');
    expect(String(e)).toBe('RepokitError: a.rpm: main header: needs 10 bytes (at byte 120)');
  });

  it('has offset and file undefined when unknown, and a bare message', () => {
    const e = new RepokitError('RPM_BAD_VERSION', 'empty EVR string');
    expect(e.offset).toBeUndefined();
    expect(e.file).toBeUndefined();
    expect(e.message).toBe('empty EVR string');
    expect(e.toJSON()).toEqual({ code: 'RPM_BAD_VERSION', message: 'empty EVR string' });
  });

  it('withFile adds the file once and updates the message', () => {
    const e = new RepokitError('RPM_BAD_LEAD', 'not an rpm package: bad lead magic', { offset: 0 });
    expect(e.withFile('x.rpm')).toBe(e);
    expect(e.file).toBe('x.rpm');
    expect(e.message).toBe('x.rpm: not an rpm package: bad lead magic (at byte 0)');
    e.withFile('y.rpm');
    expect(e.file).toBe('x.rpm');
  });

  it('toJSON and JSON.stringify give the documented record', () => {
    const e = new RepokitError('LIMIT_EXCEEDED', 'too big', { offset: 104, file: 'f.rpm' });
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'LIMIT_EXCEEDED', message: 'too big', offset: 104, file: 'f.rpm' });
    const t = new RepokitError('INVALID_ARGUMENT', 'bad', { line: 3, column: 7 });
    expect(t.toJSON()).toEqual({ code: 'INVALID_ARGUMENT', message: 'bad', line: 3, column: 7 });
    expect(t.message).toBe('bad (line 3, column 7)');
  });

  it('is re-exported from the root entry with ERROR_CODES and isRepokitError', () => {
    expect(root.RepokitError).toBe(RepokitError);
    expect(root.isRepokitError).toBe(isRepokitError);
    expect(root.ERROR_CODES).toBe(ERROR_CODES);
  });
});

describe('isRepokitError', () => {
  it('is true for RepokitErrors and false for everything else', () => {
    expect(isRepokitError(new RepokitError('IO_ERROR', 'x'))).toBe(true);
    for (const v of [new Error('x'), { code: 'TRUNCATED', message: 'x', name: 'RepokitError' }, null, undefined, 'TRUNCATED', 42]) {
      expect(isRepokitError(v)).toBe(false);
    }
    // A look-alike with the class's prototype but without the brand is not one either.
    expect(isRepokitError(Object.create(RepokitError.prototype))).toBe(false);
  });

  it('recognises errors from a duplicate copy of the package (the built CJS bundle)', () => {
    ensureBuilt();
    const require = createRequire(join(ROOT, 'package.json'));
    const other = require(join(ROOT, 'dist', 'index.cjs')) as typeof root;
    expect(other.RepokitError).not.toBe(RepokitError);
    const theirs = new other.RepokitError('TRUNCATED', 'x');
    const ours = new RepokitError('TRUNCATED', 'y');
    expect(theirs instanceof RepokitError).toBe(false);
    expect(isRepokitError(theirs)).toBe(true);
    expect(other.isRepokitError(ours)).toBe(true);
    // An error the duplicate throws from real input is recognised too.
    let thrown: unknown;
    try {
      other.rpm.parseRpm(new Uint8Array(10));
    } catch (e) {
      thrown = e;
    }
    expect(isRepokitError(thrown)).toBe(true);
    expect((thrown as RepokitError).code).toBe('RPM_BAD_LEAD');
  });

  it('is false after a structured clone (send toJSON() across workers instead)', () => {
    const e = new RepokitError('TRUNCATED', 'x', { offset: 1 });
    const clone = structuredClone(e) as unknown;
    expect(clone).toBeInstanceOf(Error);
    expect(isRepokitError(clone)).toBe(false);
    expect(structuredClone(e.toJSON())).toEqual({ code: 'TRUNCATED', message: 'x', offset: 1 });
  });
});

