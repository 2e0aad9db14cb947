/**
 * Property-based tests of the plist codec: for arbitrary values, write -> parse gives the same
 * value, the writer's output is a fixed point of parse -> write, and it is what a
 * straightforward model of proplib's dialect (written independently below) prints.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parsePlist,
  plistEqual,
  plistInteger,
  writePlist,
  formatPlist,
  type PlistDict,
  type PlistValue,
} from '../../src/xbps/codecs.js';

const RUNS = process.env['CI'] ? 500 : 150;

// Strings proplib can hold: any well-formed Unicode except NUL.
const text = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/\0/g, ''));
const awkward = fc.constantFrom('&', '<', '>', '&amp;', ']]>', ' ', '\t', '\n', '\r\n', '"\'', '<!--', 'ü', '\u{1F600}', '\uFFFF');
const str = fc.oneof(text, awkward, fc.array(awkward, { maxLength: 4 }).map((a) => a.join('')));
const key = str.filter((k) => new TextEncoder().encode(k).length <= 128);
const integer = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => plistInteger(v, true)),
  fc.bigInt({ min: -(1n << 63n), max: -1n }).map((v) => plistInteger(v, false)),
);
const data = fc.uint8Array({ minLength: 1, maxLength: 40 });

const { value } = fc.letrec<{ value: PlistValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    str,
    fc.boolean(),
    integer,
    data,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((es) => new Map(es) as PlistDict),
  ),
}));
const root = fc.oneof(
  fc.array(fc.tuple(key, value), { maxLength: 6 }).map((es) => new Map(es) as PlistDict),
  fc.array(value, { maxLength: 6 }),
);

/**
 * Reading a non-negative integer gives proplib's signedness for its text: signed unless it is
 * beyond INT64_MAX. Normalise the generated values the same way before comparing.
 */
function normalise(v: PlistValue): PlistValue {
  if (Array.isArray(v)) return v.map(normalise);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, normalise(x)] as [string, PlistValue]));
  if (typeof v === 'object' && !(v instanceof Uint8Array)) return plistInteger(v.value, v.value > (1n << 63n) - 1n);
  return v;
}

/** An independent, naive rendering of proplib's dialect (recursive, no shared code). */
function naive(v: PlistValue, depth: number): string {
  const t = '\t'.repeat(depth);
  const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  if (typeof v === 'string') return v === '' ? `${t}<string/>\n` : `${t}<string>${esc(v)}</string>\n`;
  if (typeof v === 'boolean') return `${t}<${v}/>\n`;
  if (v instanceof Uint8Array) return `${t}<data>${Buffer.from(v).toString('base64')}</data>\n`;
  if (Array.isArray(v)) return v.length === 0 ? `${t}<array/>\n` : `${t}<array>\n${v.map((x) => naive(x, depth + 1)).join('')}${t}</array>\n`;
  if (v instanceof Map) {
    if (v.size === 0) return `${t}<dict/>\n`;
    const enc = new TextEncoder();
    const keys = [...v.keys()].sort((a, b) => Buffer.compare(enc.encode(a), enc.encode(b)));
    return `${t}<dict>\n${keys.map((k) => `${t}\t<key>${esc(k)}</key>\n${naive(v.get(k)!, depth + 1)}`).join('')}${t}</dict>\n`;
  }
  return `${t}<integer>${v.value}</integer>\n`;
}

describe('plist codec properties', () => {
  it('write -> parse is the identity (up to the signedness proplib reads back)', () => {
    fc.assert(
      fc.property(root, (v) => {
        const back = parsePlist(writePlist(v));
        expect(plistEqual(back, normalise(v))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('the writer output always parses and is a fixed point of parse -> write', () => {
    fc.assert(
      fc.property(root, (v) => {
        const out = writePlist(v);
        expect(Buffer.from(writePlist(parsePlist(out))).equals(Buffer.from(out))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('the writer prints what a naive model of the dialect prints', () => {
    fc.assert(
      fc.property(root, (v) => {
        const header = formatPlist(new Map()).split('<dict/>')[0]!;
        expect(formatPlist(v)).toBe(`${header}${naive(v, 0)}</plist>\n`);
      }),
      { numRuns: RUNS },
    );
  });

  it('decimal, hex and octal spellings of the same integer read the same', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }), (n) => {
        const read = (t: string): PlistValue => (parsePlist(`<plist><array><integer>${t}</integer></array></plist>`) as PlistValue[])[0]!;
        const dec = read(n.toString());
        const oct = read(`0${n.toString(8)}`);
        const hex = read(`0x${n.toString(16)}`);
        expect(dec).toEqual(plistInteger(n, false));
        expect(oct).toEqual(plistInteger(n, false));
        expect(hex).toEqual(plistInteger(n, true)); // "0x" goes straight to strtoull
      }),
      { numRuns: RUNS },
    );
  });

  it('whitespace anywhere inside <data> does not change the bytes', () => {
    fc.assert(
      fc.property(data, fc.array(fc.constantFrom(' ', '\t', '\n', '\r'), { maxLength: 30 }), fc.nat(), (bytes, ws, seed) => {
        const b64 = Buffer.from(bytes).toString('base64').split('');
        for (let i = 0; i < ws.length; i++) b64.splice((seed + i * 7) % (b64.length + 1), 0, ws[i]!);
        const v = parsePlist(`<plist><array><data>${b64.join('')}</data></array></plist>`) as PlistValue[];
        expect(v[0]).toEqual(bytes);
      }),
      { numRuns: RUNS },
    );
  });
});
