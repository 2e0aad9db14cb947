/** Caller options are validated (a bad limit must not switch a limit off), and v6 rules for SIZE. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseHeader, parseRpm } from '../../src/rpm/index.js';
import { errorOf } from '../helpers/errors.js';

const code = (fn: () => unknown): string => errorOf(fn).code;

const tiny = Uint8Array.from([0x8e, 0xad, 0xe8, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 3, 0xe8, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 7]);

describe('options', () => {
  it.each([NaN, -1, 1.5, Infinity])('limit %s is a usage error, not "no limit"', (v) => {
    expect(code(() => parseHeader(tiny, { limits: { maxDataBytes: v } }))).toBe('INVALID_ARGUMENT');
    expect(code(() => parseHeader(tiny, { limits: { maxIndexEntries: v } }))).toBe('INVALID_ARGUMENT');
  });

  it('a valid lowered limit applies', () => {
    expect(code(() => parseHeader(tiny, { limits: { maxDataBytes: 3 } }))).toBe('LIMIT_EXCEEDED');
    expect(parseHeader(tiny, { limits: { maxDataBytes: 4 } }).getNumber(1000)).toBe(7);
  });

  it('an unknown profile is a usage error', () => {
    expect(code(() => parseRpm(new Uint8Array(200), { profile: 'lenient' as 'rpm' }))).toBe('INVALID_ARGUMENT');
  });
});

const v6 = fileURLToPath(
  new URL('../../../shared/corpus/rpm/public/rpm-software-management_rpm/RPMS/hlinktest-1.0-1.noarch-v3sig.rpm', import.meta.url),
);

describe.skipIf(!existsSync(v6))(`v6 signature headers${existsSync(v6) ? '' : ' (skipped: ../shared is absent)'}`, () => {
  it('ignore a legacy SIZE of the wrong type, as rpm does', () => {
    const b = new Uint8Array(readFileSync(v6));
    // Signature entry 5 (tag 1002, PGP, BIN) becomes tag 1000 (SIZE), which must be INT32.
    b.set([0, 0, 3, 0xe8], 192);
    const pkg = parseRpm(b);
    expect(pkg.signature.entry(1000)?.type).toBe(7);
    expect(pkg.warnings.some((w) => w.includes('legacy tag 1000'))).toBe(true);
  });
});
