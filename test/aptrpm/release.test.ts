/** Release files: genbasedir's templates, and apt's reading of them (first stanza, continuations). */
import { describe, expect, it } from 'vitest';
import { formatComponentRelease, formatRelease, formatReleaseDate, parseRelease } from '../../src/aptrpm/index.js';
import { rpmError } from '../helpers/errors.js';

const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const B2 = '786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce';

describe('formatComponentRelease', () => {
  it("writes genbasedir's 7 lines with its defaults", () => {
    expect(formatComponentRelease({ component: 'classic' })).toBe(
      'Archive: Unknown\nComponent: classic\nVersion: Unknown\nOrigin: Unknown\nLabel: Unknown\nArchitecture: Unknown\nNotAutomatic: false\n',
    );
    expect(formatComponentRelease({ component: 'c', notAutomatic: true, origin: 'Forgejo' })).toContain('Origin: Forgejo\n');
  });

  it('refuses values that would break the stanza', () => {
    expect(rpmError(() => formatComponentRelease({ component: 'a\nb' })).code).toBe('INVALID_ARGUMENT');
  });
});

describe('formatRelease', () => {
  const files = [
    { path: 'base/pkglist.classic', size: 0, md5: MD5, blake2b: B2 },
    { path: 'base/pkglist.classic.xz', size: 32, md5: MD5, blake2b: B2 },
  ];

  it('fields, then MD5Sum and BLAKE2b blocks in the given order, then one blank line', () => {
    const text = formatRelease(
      { origin: 'O', label: 'L', suite: 'S', codename: '1', date: new Date(0), architectures: ['x86_64', 'noarch'], components: ['classic', 'extra'], description: 'D' },
      files,
    );
    expect(text).toBe(
      'Origin: O\nLabel: L\nSuite: S\nCodename: 1\nDate: Thu, 01 Jan 1970 00:00:00 +0000\nArchitectures: x86_64 noarch\nComponents: classic extra\nDescription: D\n' +
        `MD5Sum:\n ${MD5} 0 base/pkglist.classic\n ${MD5} 32 base/pkglist.classic.xz\n` +
        `BLAKE2b:\n ${B2} 0 base/pkglist.classic\n ${B2} 32 base/pkglist.classic.xz\n\n`,
    );
  });

  it('defaults as genbasedir; no BLAKE2b block when a file has no BLAKE2b', () => {
    const text = formatRelease({ date: 'x' }, [{ path: 'base/release.classic', size: 1, md5: MD5 }]);
    expect(text).toBe(
      'Origin: Unknown\nLabel: Unknown\nSuite: Unknown\nCodename: Unknown\nDate: x\nArchitectures: Unknown\nComponents: Unknown\nDescription: Not Available\n' +
        `MD5Sum:\n ${MD5} 1 base/release.classic\n\n`,
    );
  });

  it('dates look like `date -R` in UTC', () => {
    expect(formatReleaseDate(new Date(Date.UTC(2026, 4, 18, 7, 48, 41)))).toBe('Mon, 18 May 2026 07:48:41 +0000');
    expect(rpmError(() => formatReleaseDate(new Date(NaN))).code).toBe('INVALID_ARGUMENT');
  });

  it('refuses paths with white space and non-hex hashes', () => {
    expect(rpmError(() => formatRelease({}, [{ path: 'base/a b', size: 1, md5: MD5 }])).code).toBe('INVALID_ARGUMENT');
    expect(rpmError(() => formatRelease({}, [{ path: 'base/a', size: 1, md5: 'XYZ' }])).code).toBe('INVALID_ARGUMENT');
  });

  it('round-trips through parseRelease', () => {
    const text = formatRelease({ origin: 'O' }, files);
    const r = parseRelease(text);
    expect(r.fields.get('Origin')).toBe('O');
    expect(r.md5).toEqual(files.map((f) => ({ hash: f.md5, size: f.size, path: f.path })));
    expect(r.blake2b).toEqual(files.map((f) => ({ hash: f.blake2b, size: f.size, path: f.path })));
  });
});

describe('parseRelease', () => {
  it('reads only the first stanza: an appended signature or a second stanza is ignored', () => {
    const text = `Origin: A\nMD5Sum:\n ${MD5} 5 base/x\n\n-----BEGIN PGP SIGNATURE-----\nnot: a field\n`;
    const r = parseRelease(text);
    expect([...r.fields.keys()]).toEqual(['Origin', 'MD5Sum']);
    expect(r.md5).toEqual([{ hash: MD5, size: 5, path: 'base/x' }]);
  });

  it('continuation lines (space or tab), CRLF, leading blank lines, several triplets on one line', () => {
    const r = parseRelease(`\r\n\nDescription: one\r\n two\r\n\tthree\r\nMD5Sum: ${MD5} 1 a\r\n ${MD5} 2 b ${MD5} 3 c\r\n`);
    expect(r.fields.get('Description')).toBe('one\ntwo\nthree');
    expect(r.md5.map((c) => c.path)).toEqual(['a', 'b', 'c']);
  });

  it('uppercase hashes are read as lowercase', () => {
    expect(parseRelease(`MD5Sum:\n ${MD5.toUpperCase()} 1 a\n`).md5[0]!.hash).toBe(MD5);
  });

  it.each([
    ['a line without a colon', 'Origin: a\nbogus\n', 2],
    ['a continuation first', ' x\n', 1],
    ['a duplicate field', 'A: 1\nA: 2\n', 2],
    ['an incomplete triplet', `MD5Sum:\n ${MD5} 1\n`, 1],
    ['a short hash', 'MD5Sum:\n abc 1 a\n', 1],
    ['a BLAKE2b of MD5 length', `BLAKE2b:\n ${MD5} 1 a\n`, 1],
    ['a size that is not a number', `MD5Sum:\n ${MD5} -1 a\n`, 1],
  ])('refuses %s (APTRPM_BAD_RELEASE with the line)', (_what, text, line) => {
    const e = rpmError(() => parseRelease(text));
    expect({ code: e.code, line: e.line }).toEqual({ code: 'APTRPM_BAD_RELEASE', line });
  });

  it('reads bytes as UTF-8', () => {
    expect(parseRelease(new TextEncoder().encode('Label: Größe\n')).fields.get('Label')).toBe('Größe');
  });
});
