/**
 * vercmp: pacman's own test vectors (test/util/vercmptest.sh, 46 rows, each checked in both
 * directions with the sign flipped) plus the NULL rules and the byte-level quirks the reference
 * describes (separator runs counted in bytes, non-ASCII bytes are separators, NUL ends a string).
 */
import { describe, expect, it } from 'vitest';
import { rpmvercmpAlpm, vercmp } from '../../src/alpm/vercmp.js';

const VECTORS = `
1.5.0 1.5.0 0 | 1.5.1 1.5.0 1 | 1.5.1 1.5 1 | 1.5.0-1 1.5.0-1 0 | 1.5.0-1 1.5.0-2 -1
1.5.0-1 1.5.1-1 -1 | 1.5.0-2 1.5.1-1 -1 | 1.5-1 1.5.1-1 -1 | 1.5-2 1.5.1-1 -1 | 1.5-2 1.5.1-2 -1
1.5 1.5-1 0 | 1.5-1 1.5 0 | 1.1-1 1.1 0 | 1.0-1 1.1 -1 | 1.1-1 1.0 1
1.5b-1 1.5-1 -1 | 1.5b 1.5 -1 | 1.5b-1 1.5 -1 | 1.5b 1.5.1 -1
1.0a 1.0alpha -1 | 1.0alpha 1.0b -1 | 1.0b 1.0beta -1 | 1.0beta 1.0rc -1 | 1.0rc 1.0 -1
1.5.a 1.5 1 | 1.5.b 1.5.a 1 | 1.5.1 1.5.b 1 | 1.5.b-1 1.5.b 0 | 1.5-1 1.5.b -1
2.0 2_0 0 | 2.0_a 2_0.a 0 | 2.0a 2.0.a -1 | 2___a 2_a 1
0:1.0 0:1.0 0 | 0:1.0 0:1.1 -1 | 1:1.0 0:1.0 1 | 1:1.0 0:1.1 1 | 1:1.0 2:1.1 -1
1:1.0 0:1.0-1 1 | 1:1.0-1 0:1.1-1 1 | 0:1.0 1.0 0 | 0:1.0 1.1 -1 | 0:1.1 1.0 1
1:1.0 1.0 1 | 1:1.0 1.1 1 | 1:1.1 1.1 1
`
  .split(/[|\n]/)
  .map((s) => s.trim())
  .filter((s) => s !== '')
  .map((s) => {
    const [a, b, r] = s.split(' ');
    return [a!, b!, Number(r)] as const;
  });

describe('vercmp: pacman test/util/vercmptest.sh vectors', () => {
  it('has the 46 upstream rows', () => expect(VECTORS).toHaveLength(46));
  it.each(VECTORS)('vercmp(%s, %s) = %d, and the reverse is its negation', (a, b, r) => {
    expect(vercmp(a, b)).toBe(r);
    expect(vercmp(b, a)).toBe(-r || 0);
  });
});

describe('vercmp: NULL handling and byte-level rules', () => {
  it('undefined/null sort first; both missing are equal', () => {
    expect(vercmp(undefined, undefined)).toBe(0);
    expect(vercmp(null, '1')).toBe(-1);
    expect(vercmp('1', undefined)).toBe(1);
    expect(vercmp('', '')).toBe(0);
  });
  it('a longer separator run is newer (pacman quirk): 1...0 > 1.2', () => {
    expect(vercmp('1...0', '1.2')).toBe(1);
    expect(vercmp('1.0', '1..0')).toBe(-1);
  });
  it('each byte of a multi-byte character counts as a separator', () => {
    // "é" is two bytes, so it is a longer separator run than "."
    expect(vercmp('1é0', '1.5')).toBe(1);
    expect(vercmp('1é0', '1..0')).toBe(0);
  });
  it('the release is compared only when both have one; it follows the last dash', () => {
    expect(vercmp('1.0-1', '1.0')).toBe(0);
    expect(vercmp('1.0-a-2', '1.0-a-1')).toBe(1);
    expect(vercmp('1:0', '0:9')).toBe(1);
    expect(vercmp(':1.0', '0:1.0')).toBe(0);
  });
  it('a NUL ends the string, as in C', () => {
    expect(vercmp('1.0\0garbage', '1.0')).toBe(0);
  });
  it('rpmvercmpAlpm compares without epoch/release parsing', () => {
    expect(rpmvercmpAlpm('1-2', '1-1')).toBe(1);
    expect(rpmvercmpAlpm('1:2', '2:1')).toBe(-1);
    expect(rpmvercmpAlpm('a', '1')).toBe(-1);
    expect(rpmvercmpAlpm('1', 'a')).toBe(1);
  });
});
