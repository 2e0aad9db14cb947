import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRepokitError } from '../../src/shared/errors.js';
import {
  compareEvr,
  comparePackageVersions,
  formatEvr,
  parseEvr,
  rangesOverlap,
  rpmvercmp,
  type Evr,
} from '../../src/rpm/version.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const VERCMP_JSON = path.resolve(here, '../../../shared/corpus/rpm/public/cavaliergopher_rpm/vercmp.json');

/** -x without producing -0 (toBe uses Object.is). */
const neg = (x: number): number => (x === 0 ? 0 : -x);

const LESS = 2;
const GREATER = 4;
const EQUAL = 8;

/** Assert that `fn` throws a RepokitError with `code`. */
function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a throw').toBeDefined();
  expect(isRepokitError(caught), `expected a RepokitError, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
}

describe('rpmvercmp: cavaliergopher/rpm vercmp.json (generated with python rpm.labelCompare)', () => {
  if (!existsSync(VERCMP_JSON)) {
    it.skip(`skipped: ../shared is absent (${VERCMP_JSON} not found)`, () => {});
    return;
  }
  const vectors = JSON.parse(readFileSync(VERCMP_JSON, 'utf8')) as { a: string; b: string; expect: number }[];

  it('has the expected vectors', () => {
    expect(vectors.length).toBe(4489);
    for (const v of vectors) {
      expect(typeof v.a).toBe('string');
      expect(typeof v.b).toBe('string');
      expect([-1, 0, 1]).toContain(v.expect);
    }
  });

  it('matches every vector, in both argument orders', () => {
    const failures: string[] = [];
    for (const { a, b, expect: want } of vectors) {
      const got = rpmvercmp(a, b);
      if (got !== want) failures.push(`rpmvercmp(${JSON.stringify(a)}, ${JSON.stringify(b)}) = ${got}, want ${want}`);
      const rev = rpmvercmp(b, a);
      if (rev !== -want) failures.push(`rpmvercmp(${JSON.stringify(b)}, ${JSON.stringify(a)}) = ${rev}, want ${-want}`);
    }
    expect(failures).toEqual([]);
  });
});

/**
 * Our own table, covering the behaviours rpm's tests/rpmvercmp.at documents (basic ordering, tilde,
 * caret, leading zeros, separators, the "oddities") plus edge cases. Each row is checked in both
 * orders: [a, b, rpmvercmp(a, b)].
 */
const TABLE: readonly (readonly [string, string, -1 | 0 | 1, string?])[] = [
  // identity and plain numeric/alpha ordering
  ['3.2', '3.2', 0],
  ['3.2', '3.10', -1, 'numeric, not lexical'],
  ['3.2.0', '3.2', 1, 'more segments wins'],
  ['7.1b', '7.1', 1, 'a trailing alpha segment is still more'],
  ['7.1b', '7.1c', -1],
  ['4.4q2', '4.4q11', -1],
  ['12abc', '12.1abc', -1],
  ['abc12', 'abc12.3', -1],
  ['rc.3', '9', -1, 'alpha segment loses to numeric'],
  ['rc.3', '1', -1],
  ['3.4p7', '3.5p1', -1],
  ['8.0.pre1', '8.0', 1],
  ['12c3', '12b9', 1],
  ['1.0ab', '1.0abc', -1, 'a prefix is less'],
  ['1.0b', '1.0ab', 1],
  ['19990301', '19990302', -1],
  // leading zeros
  ['4.0002', '4.2', 0],
  ['4.0002', '4.0010', -1],
  ['0', '000', 0],
  ['1.00', '1.0', 0],
  ['007', '7', 0],
  ['010', '9', 1],
  // long digit runs (beyond 2^53) compare by length then digits
  ['1.123456789012345678901234567890', '1.123456789012345678901234567889', 1],
  ['99999999999999999999', '100000000000000000000', -1],
  ['000000000000000000000000001', '1', 0],
  // case: bytewise, so uppercase < lowercase
  ['1.A', '1.a', -1],
  ['1.Z', '1.a', -1],
  ['R16B', 'R16b', -1],
  // separators: any non-alphanumeric except ~ and ^ is a separator, and they are all equal
  ['3_1', '3.1', 0],
  ['3.1', '3+1', 0],
  ['x_', 'x+', 0],
  ['_x', '+x', 0],
  ['+_', '_+', 0],
  ['-', '+', 0],
  ['1..2', '1.2', 0],
  ['1.2.', '1.2', 0, 'trailing separators are ignored'],
  ['.1', '1', 0],
  ['1:2', '1.2', 0, 'rpmvercmp itself treats ":" and "-" as separators'],
  ['1-2', '1.2', 0],
  ['1 2', '1.2', 0],
  // tilde: sorts before everything, even the end of the string
  ['2.5~beta3', '2.5~beta3', 0],
  ['2.5~beta3', '2.5', -1],
  ['2.5~beta3', '2.5~beta4', -1],
  ['2.5~beta3~dev7', '2.5~beta3', -1],
  ['2.5~beta3~dev7', '2.5~beta3~dev7', 0],
  ['~', '', -1],
  ['~~', '~', -1],
  ['~1', '~', 1],
  ['1~', '1', -1],
  ['1~', '1.', -1],
  ['2~', '1', 1],
  ['1.0~', '1.0~.', 0],
  // caret: after the end of the string, before any other segment
  ['2.5^', '2.5^', 0],
  ['2.5^', '2.5', 1],
  ['2.5^snap7', '2.5', 1],
  ['2.5^snap7', '2.5^snap8', -1],
  ['2.5^snap7', '2.50', -1],
  ['2.5^snap7', '2.5.0', -1],
  ['2.5^20230101', '2.5.1', -1],
  ['2.5^20230101^snap2', '2.5^20230102', -1],
  ['2.5^20230101^snap2', '2.5^20230101^snap2', 0],
  ['^', '', 1],
  ['^', '~', 1],
  ['2.5^x', '2.5x', -1, 'a caret loses to a segment'],
  // tilde and caret together
  ['2.5~rc2^snap1', '2.5~rc2', 1],
  ['2.5~rc2^snap1', '2.5', -1],
  ['2.5^snap1~pre', '2.5^snap1', -1],
  ['2.5^snap1~pre', '2.5', 1],
  ['2.5^snap1~pre', '2.5^snap1~pre', 0],
  // documented oddities (RhBug:811992): a letter run directly after digits is a new segment
  ['2c.fc40', '2.fc40', -1, '"c" < "fc"'],
  ['2h.fc40', '2.fc40', 1, '"h" > "fc"'],
  ['1b.fc17', '1.fc17', -1],
  ['1g.fc17', '1.fc17', 1],
  // non-ASCII characters are separators, so non-ASCII letters compare equal
  ['2.3.ä', '2.3.ö', 0],
  ['2.3.ää', '2.3.ö', 0],
  ['2.3.α', '2.3.β', 0],
  ['1.1.αα', '1.1.β', 0],
  ['1€2', '1.2', 0],
  ['1😀2', '1_2', 0, 'astral characters (surrogate pairs) too'],
  ['1\ud8002', '1.2', 0, 'a lone surrogate is a separator (U+FFFD in UTF-8)'],
  ['2.3ä', '2.3', 0],
  ['2.3.ä', '2.3.a', -1, 'ä is a separator, so "a" is an extra segment'],
  ['١٢', '', 0, 'Arabic-Indic digits are not digits'],
  ['１', '1', -1, 'fullwidth digits are not digits'],
  // empty strings
  ['', '', 0],
  ['', '0', -1],
  ['', 'a', -1],
  ['', '.', 0],
  ['', '...', 0],
  ['.', '_', 0],
  // NUL ends the string, as it does for rpm's C strings
  ['1.0\u00002', '1.0', 0],
  ['1.0\u0000a', '1.0\u0000b', 0],
  ['\u00001', '', 0],
];

describe('rpmvercmp: hand-written table', () => {
  it.each(TABLE.map(([a, b, want, note]) => ({ a, b, want, note: note ?? '' })))(
    'rpmvercmp($a, $b) = $want $note',
    ({ a, b, want }) => {
      expect(rpmvercmp(a, b)).toBe(want);
      expect(rpmvercmp(b, a)).toBe(neg(want));
      expect(rpmvercmp(a, a)).toBe(0);
      expect(rpmvercmp(b, b)).toBe(0);
    },
  );

  it('an ordered list sorts as expected', () => {
    const ordered = [
      '1.0~~',
      '1.0~rc1',
      '1.0~rc1^git1',
      '1.0~rc2',
      '1.0',
      '1.0^',
      '1.0^git1~pre',
      '1.0^git1',
      '1.0^git2',
      '1.0a',
      '1.0.1',
      '1.1',
      '1.01.1',
      '1.10',
      '2',
    ];
    const shuffled = [...ordered].reverse();
    shuffled.sort(rpmvercmp);
    expect(shuffled).toEqual(ordered);
  });

  it('rejects non-strings with INVALID_ARGUMENT', () => {
    expectCode(() => rpmvercmp(1 as unknown as string, '1'), 'INVALID_ARGUMENT');
    expectCode(() => rpmvercmp('1', null as unknown as string), 'INVALID_ARGUMENT');
    expectCode(() => rpmvercmp(undefined as unknown as string, '1'), 'INVALID_ARGUMENT');
  });
});

/** A byte-oriented rpmvercmp over UTF-8, written independently, to check the UTF-16 port. */
function byteVercmp(aStr: string, bStr: string): number {
  const enc = new TextEncoder();
  const cut = (u: Uint8Array): Uint8Array => {
    const z = u.indexOf(0);
    return z === -1 ? u : u.subarray(0, z);
  };
  const a = cut(enc.encode(aStr));
  const b = cut(enc.encode(bStr));
  if (a.length === b.length && a.every((x, k) => x === b[k])) return 0;
  const digit = (c: number | undefined): boolean => c !== undefined && c >= 48 && c <= 57;
  const alpha = (c: number | undefined): boolean => c !== undefined && ((c >= 65 && c <= 90) || (c >= 97 && c <= 122));
  const kept = (c: number | undefined): boolean => digit(c) || alpha(c) || c === 126 || c === 94;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !kept(a[i])) i++;
    while (j < b.length && !kept(b[j])) j++;
    const ca = a[i];
    const cb = b[j];
    if (ca === 126 || cb === 126) {
      if (ca !== 126) return 1;
      if (cb !== 126) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === 94 || cb === 94) {
      if (ca === undefined) return -1;
      if (cb === undefined) return 1;
      if (ca !== 94) return 1;
      if (cb !== 94) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === undefined || cb === undefined) break;
    const cls = digit(ca) ? digit : alpha;
    let ea = i;
    let eb = j;
    while (cls(a[ea])) ea++;
    while (cls(b[eb])) eb++;
    if (eb === j) return cls === digit ? 1 : -1;
    let sa = String.fromCharCode(...a.subarray(i, ea));
    let sb = String.fromCharCode(...b.subarray(j, eb));
    if (cls === digit) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ea;
    j = eb;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Version-like strings from a small alphabet, so that comparisons get past the first segment. */
const versionLike = fc
  .array(
    fc.oneof(
      fc.constantFrom('0', '1', '2', '9', '10', '01', '007', '123456789012345678901'),
      fc.constantFrom('a', 'b', 'z', 'A', 'Z', 'rc', 'git', 'pre', 'el'),
      fc.constantFrom('.', '_', '+', '-', ':', '~', '^', '..', 'é', 'α', '😀', '\ud800', '\u0000'),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

const anyString = fc.oneof(versionLike, fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ maxLength: 12 }));

describe('rpmvercmp: properties (fast-check)', () => {
  it('is reflexive', () => {
    fc.assert(
      fc.property(anyString, (a) => rpmvercmp(a, a) === 0 && rpmvercmp(a, a.slice()) === 0),
      { numRuns: 2000 },
    );
  });

  it('is antisymmetric', () => {
    fc.assert(
      fc.property(anyString, anyString, (a, b) => rpmvercmp(a, b) === -rpmvercmp(b, a)),
      { numRuns: 5000 },
    );
  });

  it('is transitive on version-like strings', () => {
    fc.assert(
      fc.property(versionLike, versionLike, versionLike, (a, b, c) => {
        const ab = rpmvercmp(a, b);
        const bc = rpmvercmp(b, c);
        const ac = rpmvercmp(a, c);
        if (ab <= 0 && bc <= 0) return ac <= 0 && (ab === 0 && bc === 0 ? ac === 0 : ac < 0);
        if (ab >= 0 && bc >= 0) return ac >= 0 && (ab === 0 && bc === 0 ? ac === 0 : ac > 0);
        return true;
      }),
      { numRuns: 5000 },
    );
  });

  it('equals a byte-wise comparison of the UTF-8 encoding (non-ASCII, surrogates, NUL)', () => {
    fc.assert(
      fc.property(anyString, anyString, (a, b) => rpmvercmp(a, b) === byteVercmp(a, b)),
      { numRuns: 5000 },
    );
    for (const [a, b] of TABLE) expect(rpmvercmp(a, b)).toBe(byteVercmp(a, b));
  });

  it('does not depend on which separator is used', () => {
    const normalize = (s: string): string => s.replace(/[^0-9A-Za-z~^\u0000]+/g, '.');
    fc.assert(
      fc.property(versionLike, versionLike, (a, b) => rpmvercmp(a, b) === rpmvercmp(normalize(a), normalize(b))),
      { numRuns: 3000 },
    );
  });
});

describe('parseEvr', () => {
  const cases: readonly (readonly [string, Evr])[] = [
    ['1.0', { epoch: null, version: '1.0', release: null }],
    ['1.0-1', { epoch: null, version: '1.0', release: '1' }],
    ['2:1.0-1.fc40', { epoch: '2', version: '1.0', release: '1.fc40' }],
    ['0:1.0', { epoch: '0', version: '1.0', release: null }],
    ['007:1.0', { epoch: '007', version: '1.0', release: null }],
    [':1.0-3', { epoch: '0', version: '1.0', release: '3' }],
    [':', { epoch: '0', version: '', release: null }],
    ['12:', { epoch: '12', version: '', release: null }],
    ['12', { epoch: null, version: '12', release: null }],
    ['1.0-1-2', { epoch: null, version: '1.0-1', release: '2' }],
    ['1:2:3-4', { epoch: '1', version: '2:3', release: '4' }],
    ['a:1.0', { epoch: null, version: 'a:1.0', release: null }],
    ['1a:1.0', { epoch: null, version: '1a:1.0', release: null }],
    [' 1:1.0', { epoch: null, version: ' 1:1.0', release: null }],
    ['١:1.0', { epoch: null, version: '١:1.0', release: null }],
    ['-1', { epoch: null, version: '', release: '1' }],
    ['1.0-', { epoch: null, version: '1.0', release: '' }],
    ['-', { epoch: null, version: '', release: '' }],
    ['3:-', { epoch: '3', version: '', release: '' }],
    ['1.0~rc1^git2-0.1', { epoch: null, version: '1.0~rc1^git2', release: '0.1' }],
  ];
  it.each(cases.map(([evr, want]) => ({ evr, want })))('parseEvr($evr)', ({ evr, want }) => {
    expect(parseEvr(evr)).toEqual(want);
  });

  it('rejects an empty string and NUL with RPM_BAD_VERSION', () => {
    expectCode(() => parseEvr(''), 'RPM_BAD_VERSION');
    expectCode(() => parseEvr('1.0\u0000-1'), 'RPM_BAD_VERSION');
  });

  it('rejects non-strings with INVALID_ARGUMENT', () => {
    expectCode(() => parseEvr(undefined as unknown as string), 'INVALID_ARGUMENT');
    expectCode(() => parseEvr(1 as unknown as string), 'INVALID_ARGUMENT');
  });
});

describe('formatEvr', () => {
  it('formats [E:]V[-R]', () => {
    expect(formatEvr({ version: '1.0' })).toBe('1.0');
    expect(formatEvr({ epoch: null, version: '1.0', release: null })).toBe('1.0');
    expect(formatEvr({ epoch: 0, version: '1.0', release: '1' })).toBe('0:1.0-1');
    expect(formatEvr({ epoch: '2', version: '1.0', release: '1.fc40' })).toBe('2:1.0-1.fc40');
    expect(formatEvr({ epoch: 4294967295, version: '1', release: '' })).toBe('4294967295:1-');
    expect(formatEvr({ epoch: '1', version: '2:3' })).toBe('1:2:3');
    expect(formatEvr({ epoch: '3', version: '' })).toBe('3:');
    expect(formatEvr({ version: '', release: '1' })).toBe('-1');
  });

  it('round-trips with parseEvr', () => {
    for (const evr of ['1.0', '1.0-1', '2:1.0-1.fc40', '007:1.0', '1:2:3-4', 'a:1.0', '-1', '1.0-', '3:-']) {
      expect(formatEvr(parseEvr(evr))).toBe(evr);
    }
    fc.assert(
      fc.property(versionLike.filter((s) => s.length > 0 && !s.includes('\u0000')), (s) => {
        const p = parseEvr(s);
        return formatEvr(p) === s || p.epoch === '0';
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects parts that would not parse back (RPM_BAD_VERSION)', () => {
    expectCode(() => formatEvr({ version: '1.0-1' }), 'RPM_BAD_VERSION');
    expectCode(() => formatEvr({ version: '1.0', release: '1-2' }), 'RPM_BAD_VERSION');
    expectCode(() => formatEvr({ version: '1:2' }), 'RPM_BAD_VERSION');
    expectCode(() => formatEvr({ version: ':2' }), 'RPM_BAD_VERSION');
    expectCode(() => formatEvr({ epoch: 'a', version: '1' }), 'RPM_BAD_VERSION');
    expectCode(() => formatEvr({ epoch: '', version: '1' }), 'RPM_BAD_VERSION');
    expectCode(() => formatEvr({ version: '' }), 'RPM_BAD_VERSION');
    expectCode(() => formatEvr({ version: '1\u00002' }), 'RPM_BAD_VERSION');
  });

  it('rejects wrong types (INVALID_ARGUMENT)', () => {
    expectCode(() => formatEvr({ epoch: -1, version: '1' }), 'INVALID_ARGUMENT');
    expectCode(() => formatEvr({ epoch: 1.5, version: '1' }), 'INVALID_ARGUMENT');
    expectCode(() => formatEvr({ epoch: true as unknown as number, version: '1' }), 'INVALID_ARGUMENT');
    expectCode(() => formatEvr({ version: 1 as unknown as string }), 'INVALID_ARGUMENT');
    expectCode(() => formatEvr({ version: '1', release: 2 as unknown as string }), 'INVALID_ARGUMENT');
    expectCode(() => formatEvr(null as unknown as { version: string }), 'INVALID_ARGUMENT');
  });
});

describe('compareEvr', () => {
  const cases: readonly (readonly [string, string, -1 | 0 | 1])[] = [
    ['1.0-1', '1.0-1', 0],
    ['1.0', '1.0-1', -1],
    ['1.0', '1.0-', -1],
    ['1.0-', '1.0-0', -1],
    ['1.0-2', '1.0-10', -1],
    ['1.1-1', '1.0-9', 1],
    ['0:1.0', '1.0', 0],
    [':1.0', '0:1.0', 0],
    ['00:1.0', '1.0', 0],
    ['1:1.0', '2.0', 1],
    ['1:1.0', '2:0.1', -1],
    ['10:1', '9:1', 1],
    ['1.0~rc1-1', '1.0-1', -1],
    ['1.0^git1-1', '1.0-1', 1],
    ['1.0-1~a', '1.0-1', -1],
    ['1.0-1-2', '1.0.1-2', 0],
    ['1.0-1-2', '1.0-2', 1],
    ['a:1.0', '0:a.1.0', 0],
  ];
  it.each(cases.map(([a, b, want]) => ({ a, b, want })))('compareEvr($a, $b) = $want', ({ a, b, want }) => {
    expect(compareEvr(a, b)).toBe(want);
    expect(compareEvr(b, a)).toBe(neg(want));
    expect(compareEvr(parseEvr(a), parseEvr(b))).toBe(want);
  });

  it('accepts Evr objects (null / undefined epoch and release)', () => {
    expect(compareEvr({ epoch: null, version: '1.0', release: null }, '0:1.0')).toBe(0);
    expect(compareEvr({ epoch: '1', version: '1.0', release: null }, '1.0')).toBe(1);
    expect(compareEvr({ version: '1.0' } as Evr, { epoch: null, version: '1.0', release: '' })).toBe(-1);
    expect(compareEvr({ epoch: null, version: '', release: null }, { epoch: null, version: '~', release: null })).toBe(1);
  });

  it('is antisymmetric and agrees with rpmvercmp on plain versions', () => {
    const evrLike = versionLike.filter((s) => s.length > 0 && !s.includes('\u0000'));
    fc.assert(
      fc.property(evrLike, evrLike, (a, b) => compareEvr(a, b) === -compareEvr(b, a)),
      { numRuns: 3000 },
    );
    const plain = versionLike.map((s) => s.replace(/[-:\u0000]/g, '.')).filter((s) => s.length > 0);
    fc.assert(
      fc.property(plain, plain, (a, b) => compareEvr(a, b) === rpmvercmp(a, b)),
      { numRuns: 3000 },
    );
  });

  it('rejects bad input', () => {
    expectCode(() => compareEvr('', '1'), 'RPM_BAD_VERSION');
    expectCode(() => compareEvr('1', '1\u0000'), 'RPM_BAD_VERSION');
    expectCode(() => compareEvr(1 as unknown as string, '1'), 'INVALID_ARGUMENT');
    expectCode(() => compareEvr(null as unknown as string, '1'), 'INVALID_ARGUMENT');
    expectCode(() => compareEvr({ epoch: 1, version: '1', release: null } as unknown as Evr, '1'), 'INVALID_ARGUMENT');
    expectCode(() => compareEvr({ epoch: null, release: null } as unknown as Evr, '1'), 'INVALID_ARGUMENT');
  });
});

describe('comparePackageVersions', () => {
  it('compares epoch as an unsigned integer, then version, then release', () => {
    expect(comparePackageVersions({ version: '1.0', release: '1' }, { epoch: 0, version: '1.0', release: '1' })).toBe(0);
    expect(comparePackageVersions({ epoch: null, version: '1.0', release: '1' }, { version: '1.0', release: '1' })).toBe(0);
    expect(comparePackageVersions({ epoch: 1, version: '1.0', release: '1' }, { version: '9.0', release: '9' })).toBe(1);
    expect(comparePackageVersions({ epoch: 2, version: '1', release: '1' }, { epoch: 10, version: '1', release: '1' })).toBe(-1);
    expect(comparePackageVersions({ epoch: 4294967295, version: '1', release: '1' }, { epoch: 0, version: '2', release: '2' })).toBe(1);
    expect(comparePackageVersions({ version: '1.0', release: '2' }, { version: '1.0', release: '10' })).toBe(-1);
    expect(comparePackageVersions({ version: '1.1', release: '1' }, { version: '1.0', release: '10' })).toBe(1);
    expect(comparePackageVersions({ version: '1.0', release: '1' }, { version: '1.0', release: '1~' })).toBe(1);
    expect(comparePackageVersions({ version: '', release: '' }, { version: '', release: '' })).toBe(0);
    expect(comparePackageVersions({ version: '1_0', release: '1' }, { version: '1.0', release: '1' })).toBe(0);
  });

  it('rejects epochs outside uint32 and wrong types with INVALID_ARGUMENT', () => {
    const ok = { version: '1', release: '1' };
    expectCode(() => comparePackageVersions({ epoch: -1, version: '1', release: '1' }, ok), 'INVALID_ARGUMENT');
    expectCode(() => comparePackageVersions({ epoch: 4294967296, version: '1', release: '1' }, ok), 'INVALID_ARGUMENT');
    expectCode(() => comparePackageVersions(ok, { epoch: 1.5, version: '1', release: '1' }), 'INVALID_ARGUMENT');
    expectCode(() => comparePackageVersions(ok, { epoch: '1' as unknown as number, version: '1', release: '1' }), 'INVALID_ARGUMENT');
    expectCode(() => comparePackageVersions(ok, { version: '1' } as unknown as typeof ok), 'INVALID_ARGUMENT');
    expectCode(() => comparePackageVersions(null as unknown as typeof ok, ok), 'INVALID_ARGUMENT');
  });
});

describe('rangesOverlap', () => {
  type Row = readonly [string, number, string, number, boolean, string?];
  const GE = GREATER | EQUAL;
  const LE = LESS | EQUAL;
  const rows: readonly Row[] = [
    ['1.0', GE, '1.0-1', EQUAL, true, 'foo >= 1.0 is satisfied by foo = 1.0-1'],
    ['1.0', GREATER, '1.0-1', EQUAL, false, 'foo > 1.0 is not satisfied by foo = 1.0-1'],
    ['1.0', EQUAL, '1.0-5', EQUAL, true, 'no release on the EQUAL side matches any release'],
    ['1.0-5', EQUAL, '1.0', EQUAL, true, 'the same, the other way round'],
    ['1.0-5', GREATER, '1.0', LESS, false, 'release-less side without EQUAL'],
    ['1.0', EQUAL, '1.0-5', GREATER, true, 'it is the side WITHOUT a release whose EQUAL counts'],
    ['1.0', GREATER, '1.0-5', EQUAL, false, 'EQUAL on the side with the release does not count'],
    ['1.0-5', EQUAL, '1.0-6', EQUAL, false],
    ['1.0-5', LE, '1.0-6', EQUAL, false],
    ['1.0-6', LE, '1.0-6', EQUAL, true],
    ['1.0-', EQUAL, '1.0-6', EQUAL, true, 'an empty release counts as no release'],
    ['2', LESS, '1', GREATER, true],
    ['1', LESS, '2', GREATER, false],
    ['1', LESS, '2', LESS, true],
    ['2', GREATER, '1', GREATER, true],
    ['1', LESS, '1', LESS, true],
    ['1', LESS, '1', GREATER, false],
    ['1', GE, '1', LE, true],
    ['1:1.0', GE, '2.0', EQUAL, false, 'only one side has an epoch > 0: that side is greater'],
    ['2.0', EQUAL, '1:1.0', GE, false],
    ['0:1.0', EQUAL, '1.0', EQUAL, true, 'epoch 0 on one side only is ignored'],
    ['000:1.0', EQUAL, '1.0', EQUAL, true],
    [':1.0', EQUAL, '1.0', EQUAL, true],
    ['1:1.0', EQUAL, '01:1.0', EQUAL, true, 'epochs compare with rpmvercmp'],
    ['2:1.0', LESS, '10:1.0', EQUAL, false],
    ['2:1.0', GREATER, '10:1.0', EQUAL, true],
    ['1.0~rc1', GE, '1.0~rc1-1', EQUAL, true],
    ['1.0', GE, '1.0~rc1-1', EQUAL, false],
    ['1.0', GE, '1.0^git1-1', EQUAL, true],
    ['1.0', 0, '9', EQUAL, true, 'no sense bits on one side: existence test'],
    ['1.0', 16 | 256, '9', EQUAL, true, 'other bits are not sense bits'],
    ['', GE, '9', EQUAL, true, 'empty EVR always overlaps'],
    ['1.0', EQUAL, '', LESS, true],
    ['1.0', 1, '1.0', EQUAL, false, 'the legacy serial bit counts as a sense but matches nothing'],
    ['1.0', EQUAL | 0x1000000, '1.0', EQUAL + 0x80000000, true, 'high bits are ignored'],
  ];
  it.each(rows.map(([ea, fa, eb, fb, want, note]) => ({ ea, fa, eb, fb, want, note: note ?? '' })))(
    '($ea, $fa) vs ($eb, $fb) -> $want $note',
    ({ ea, fa, eb, fb, want }) => {
      expect(rangesOverlap({ evr: ea, flags: fa }, { evr: eb, flags: fb })).toBe(want);
      expect(rangesOverlap({ evr: eb, flags: fb }, { evr: ea, flags: fa })).toBe(want);
    },
  );

  it('rejects bad arguments', () => {
    const ok = { evr: '1', flags: EQUAL };
    expectCode(() => rangesOverlap({ evr: '1', flags: -1 }, ok), 'INVALID_ARGUMENT');
    expectCode(() => rangesOverlap({ evr: '1', flags: 1.5 }, ok), 'INVALID_ARGUMENT');
    expectCode(() => rangesOverlap({ evr: '1', flags: 2 ** 32 }, ok), 'INVALID_ARGUMENT');
    expectCode(() => rangesOverlap(ok, { evr: '1', flags: '8' as unknown as number }), 'INVALID_ARGUMENT');
    expectCode(() => rangesOverlap(ok, { evr: 1 as unknown as string, flags: EQUAL }), 'INVALID_ARGUMENT');
    expectCode(() => rangesOverlap(ok, null as unknown as typeof ok), 'INVALID_ARGUMENT');
    expectCode(() => rangesOverlap(ok, { evr: '1\u0000', flags: EQUAL }), 'RPM_BAD_VERSION');
  });
});
