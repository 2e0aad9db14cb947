/**
 * The rpm macro subset: each expectation was checked with `rpm --eval` (rpm 4.18), except the
 * forms repokit deliberately leaves unexpanded (shell, expressions, Lua).
 */
import { describe, expect, it } from 'vitest';
import { MacroTable } from '../../src/forge/macros.js';
import { rpmError } from '../helpers/errors.js';

const t = new MacroTable([
  ['vv', '1'],
  ['empty', ''],
  ['nested', '%{vv}.%{?empty}x'],
]);

describe('MacroTable.expand', () => {
  it.each([
    ['a%?tab=b', 'a=b'],
    ['%?vv', '1'],
    ['%{?tab}', ''],
    ['%tab', '%tab'],
    ['%{!?vv}', ''],
    ['%{?vv:x}', 'x'],
    ['%{!?tab:y}', 'y'],
    ['%{vv:z}', '1'],
    ['%a|%{}|%{?}|%{ vv}|%1|%%', '%a|%{}|%{?}|%{ vv}|%1|%'],
    ['%{nil}x%{?nil}%{!?nil:n}', 'x'],
    ['%{nested}-%nested', '1.x-1.x'],
    ['%{?empty:set}', 'set'],
    ['%(echo hi)|%[1+1]|%{lua:print(1)}', '%(echo hi)|%[1+1]|%{lua:print(1)}'],
  ])('%s → %s', (text, want) => {
    expect(t.expand(text)).toBe(want);
  });

  it('rejects unterminated braces and recursion, like rpm', () => {
    expect(rpmError(() => t.expand('%{vv')).detail).toBe('Unterminated {: %{vv');
    const loop = new MacroTable([['a', '%{b}'], ['b', '%{a}']]);
    expect(rpmError(() => loop.expand('%{a}')).code).toBe('FORGE_BAD_MACRO');
  });

  it('safeSet never replaces a defined macro, even an empty one', () => {
    const m = new MacroTable([['x', '']]);
    m.safeSet('x', 'new');
    m.safeSet('y', 'new');
    expect([m.expand('[%{x}]'), m.expand('%{y}')]).toEqual(['[]', 'new']);
  });
});
