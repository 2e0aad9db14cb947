/** Dependency expressions: libalpm's parse (never fails), the ALPM validation rules, formatting. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dependencyProblem, formatDependency, parseDependency, parseRelation, parseSoname, satisfies } from '../../src/alpm/codecs.js';
import { rpmError } from '../helpers/errors.js';

/**
 * libalpm's `alpm_dep_from_string`, written as plainly as possible (slices and indexOf): the
 * reference that parseDependency's one-pass scanner is checked against.
 */
function referenceParse(text: string): Record<string, string> {
  let body = text;
  let description: string | undefined;
  const colon = text.indexOf(': ');
  if (colon >= 0) {
    description = text.slice(colon + 2);
    body = text.slice(0, colon);
  }
  let at = body.indexOf('<');
  let operator: string | undefined;
  if (at >= 0) operator = body[at + 1] === '=' ? '<=' : '<';
  else if ((at = body.indexOf('>')) >= 0) operator = body[at + 1] === '=' ? '>=' : '>';
  else if ((at = body.indexOf('=')) >= 0) operator = '=';
  const out: Record<string, string> = { name: operator === undefined ? body : body.slice(0, at) };
  if (operator !== undefined) {
    out['operator'] = operator;
    out['version'] = body.slice(at + operator.length);
  }
  if (description !== undefined) out['description'] = description;
  return out;
}

describe('parseDependency (libalpm alpm_dep_from_string)', () => {
  it.each([
    ['foo', { name: 'foo' }],
    ['foo>=1.0', { name: 'foo', operator: '>=', version: '1.0' }],
    ['foo<=1:2.0-3', { name: 'foo', operator: '<=', version: '1:2.0-3' }],
    ['foo<2', { name: 'foo', operator: '<', version: '2' }],
    ['foo>2', { name: 'foo', operator: '>', version: '2' }],
    ['foo=1:2.0-3', { name: 'foo', operator: '=', version: '1:2.0-3' }],
    ['libfoo.so=1-64', { name: 'libfoo.so', operator: '=', version: '1-64' }],
    ['foo: for bar: and baz', { name: 'foo', description: 'for bar: and baz' }],
    ['foo>=1:2: with epoch', { name: 'foo', operator: '>=', version: '1:2', description: 'with epoch' }],
    // '<' is searched before '>' and '=': "a=1<2" has name "a=1".
    ['a=1<2', { name: 'a=1', operator: '<', version: '2' }],
    ['a<: x', { name: 'a', operator: '<', version: '', description: 'x' }],
    ['', { name: '' }],
  ])('%j', (text, expected) => {
    expect(parseDependency(text)).toEqual(expected);
    expect(formatDependency(parseDependency(text))).toBe(text);
  });

  it.each(['a<', 'a>', 'a=', 'a<=', 'a>=', 'a: ', ': x', 'a:b', 'a :b', 'a<:x', 'a=: x', 'a<=: x', 'a>b<c', 'a>=b=c', 'a:  b: c', 'a<b: c<d', 'a=b>c'])(
    'edge case %j: same as the reference, same keys in the same order',
    (text) => {
      expect(JSON.stringify(parseDependency(text))).toBe(JSON.stringify(referenceParse(text)));
    },
  );

  it('agrees with the reference on random relations built from the characters that matter', () => {
    const piece = fc.constantFrom('a', 'b', '1', '.', '-', ':', ' ', '<', '>', '=', ': ', '<=', '>=', 'é', '\u{1F600}');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }).map((p) => p.join('')), (text) => {
        const dep = parseDependency(text);
        expect(JSON.stringify(dep)).toBe(JSON.stringify(referenceParse(text)));
        expect(formatDependency(dep)).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('ALPM validation per relation kind', () => {
  it('accepts what the spec allows', () => {
    expect(dependencyProblem('lib:libfoo.so.1', 'depends')).toBeUndefined();
    expect(dependencyProblem('libfoo.so=1-64', 'provides')).toBeUndefined();
    expect(dependencyProblem('foo>=1.0', 'depends')).toBeUndefined();
    expect(dependencyProblem('foo: desc', 'optdepends')).toBeUndefined();
    expect(dependencyProblem('foo>=1:1.0-2: desc', 'optdepends')).toBeUndefined();
  });
  it.each([
    ['foo>=1', 'provides', "a provision may only use '=': \"foo>=1\""],
    ['foo: desc', 'depends', 'only optional dependencies may have a description: "foo: desc"'],
    ['foo>=', 'conflicts', 'missing version after >= in "foo>="'],
    ['-foo', 'replaces', 'invalid package name "-foo" in "-foo"'],
    ['lib:libfoo.so.1', 'conflicts', 'invalid package name "lib:libfoo.so.1" in "lib:libfoo.so.1"'],
    ['foo bar', 'depends', 'relation "foo bar" contains whitespace'],
    ['foo=1:a:b', 'depends', 'invalid pkgver "a:b" in version "1:a:b" in "foo=1:a:b"'],
    ['', 'depends', 'empty relation'],
  ] as const)('%s as %s', (text, kind, message) => {
    expect(dependencyProblem(text, kind)).toBe(message);
    expect(rpmError(() => parseRelation(text, kind)).code).toBe('ALPM_BAD_DEPENDENCY');
  });
  it('parseSoname recognises both notations', () => {
    expect(parseSoname('libfoo.so=1-64')).toEqual({ form: 'v1', name: 'libfoo.so', version: '1', bits: '64' });
    expect(parseSoname('lib:libfoo.so.1')).toEqual({ form: 'v2', prefix: 'lib', soname: 'libfoo.so.1' });
    expect(parseSoname('foo=1')).toBeUndefined();
  });
  it('satisfies: vercmp with the operator; a version without pkgrel matches any release', () => {
    expect(satisfies(parseDependency('foo>=1.0'), 'foo', '1.0-5')).toBe(true);
    expect(satisfies(parseDependency('foo=1.0'), 'foo', '1.0-5')).toBe(true);
    expect(satisfies(parseDependency('foo<1.0'), 'foo', '1.0rc1-1')).toBe(true);
    expect(satisfies(parseDependency('foo>1:0'), 'foo', '9.9-1')).toBe(false);
    expect(satisfies(parseDependency('foo'), 'bar', '1-1')).toBe(false);
  });
});
