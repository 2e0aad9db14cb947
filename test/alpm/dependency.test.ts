/** Dependency expressions: libalpm's parse (never fails), the ALPM validation rules, formatting. */
import { describe, expect, it } from 'vitest';
import { dependencyProblem, formatDependency, parseDependency, parseRelation, parseSoname, satisfies } from '../../src/alpm/codecs.js';
import { rpmError } from '../helpers/errors.js';

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
