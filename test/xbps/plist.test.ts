/**
 * The proplib plist reader and writer on small hand-written documents: every rule of the
 * reference's §4 (writer dialect, reader acceptance), the limits, the error positions, and
 * the safety properties (no prototype pollution, no entity expansion).
 */
import { describe, expect, it } from 'vitest';
import {
  compareUtf8,
  formatPlist,
  integerValue,
  parsePlist,
  parsePlistDict,
  plistEqual,
  plistInteger,
  writePlist,
  PLIST_HEADER,
  type PlistDict,
  type PlistValue,
} from '../../src/xbps/codecs.js';
import { isRepokitError, type RepokitError } from '../../src/shared/errors.js';

const doc = (body: string): string => `${PLIST_HEADER}${body}</plist>\n`;
const dict = (entries: [string, PlistValue][]): PlistDict => new Map(entries);

function thrown(fn: () => unknown): RepokitError {
  try {
    fn();
  } catch (e) {
    if (isRepokitError(e)) return e;
    throw e;
  }
  throw new Error('expected a RepokitError');
}

describe('writePlist: the proplib dialect', () => {
  it('writes the header, TAB indentation, sorted keys, array order and the footer', () => {
    const v = dict([
      ['b', ['z', 'a']],
      ['a', dict([['x', true]])],
      ['c', new Map()],
      ['d', []],
    ]);
    expect(formatPlist(v)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
        '<plist version="1.0">\n' +
        '<dict>\n' +
        '\t<key>a</key>\n\t<dict>\n\t\t<key>x</key>\n\t\t<true/>\n\t</dict>\n' +
        '\t<key>b</key>\n\t<array>\n\t\t<string>z</string>\n\t\t<string>a</string>\n\t</array>\n' +
        '\t<key>c</key>\n\t<dict/>\n' +
        '\t<key>d</key>\n\t<array/>\n' +
        '</dict>\n</plist>\n',
    );
  });

  it('writes an empty root dictionary as <dict/>', () => {
    expect(formatPlist(new Map())).toBe(doc('<dict/>\n'));
  });

  it('escapes only & < > (the reference example, checked against xbps 0.60.7)', () => {
    const s = 'He said "hi" it\'s ünïcödé\ttab]]>';
    expect(formatPlist(dict([['k&<>', s]]))).toBe(
      doc('<dict>\n\t<key>k&amp;&lt;&gt;</key>\n\t<string>He said "hi" it\'s ünïcödé\ttab]]&gt;</string>\n</dict>\n'),
    );
  });

  it('writes the empty string as <string/> and booleans as empty elements', () => {
    expect(formatPlist(['', false, true])).toBe(doc('<array>\n\t<string/>\n\t<false/>\n\t<true/>\n</array>\n'));
  });

  it('writes integers in decimal, unsigned up to 2^64-1 and signed down to -2^63', () => {
    const out = formatPlist([
      plistInteger(0),
      plistInteger(18446744073709551615n),
      plistInteger(-9223372036854775808n),
      1462850943,
      -1,
      12n,
    ]);
    expect(out).toContain('<integer>0</integer>');
    expect(out).toContain('<integer>18446744073709551615</integer>');
    expect(out).toContain('<integer>-9223372036854775808</integer>');
    expect(out).toContain('<integer>1462850943</integer>');
    expect(out).toContain('<integer>-1</integer>');
    expect(out).toContain('<integer>12</integer>');
  });

  it('writes <data> as one line of padded base64', () => {
    const bytes = new TextEncoder().encode('Thanks for installing foo\n');
    expect(formatPlist([bytes, new Uint8Array([0xff]), new Uint8Array([1, 2])])).toBe(
      doc('<array>\n\t<data>VGhhbmtzIGZvciBpbnN0YWxsaW5nIGZvbwo=</data>\n\t<data>/w==</data>\n\t<data>AQI=</data>\n</array>\n'),
    );
    const long = new Uint8Array(3000).map((_, i) => i * 7);
    const text = formatPlist([long]);
    const line = text.split('\n').find((l) => l.includes('<data>'))!;
    expect(line.length).toBe('\t<data></data>'.length + 4000);
  });

  it('sorts keys bytewise in UTF-8: uppercase first, astral characters after U+FFFF', () => {
    const keys = ['diffuse', 'DeezloaderRemix', 'a', 'B', '\u{1F600}', '\uFF21', 'é', ''];
    const out = formatPlist(new Map(keys.map((k) => [k, 'x'] as [string, PlistValue])));
    const written = [...out.matchAll(/<key>(.*?)<\/key>/g)].map((m) => m[1]);
    expect(written).toEqual(['', 'B', 'DeezloaderRemix', 'a', 'diffuse', 'é', '\uFF21', '\u{1F600}']);
    // compareUtf8 agrees with a byte comparison of the encodings.
    const enc = new TextEncoder();
    const byBytes = keys.slice().sort((x, y) => Buffer.compare(enc.encode(x), enc.encode(y)));
    expect(keys.slice().sort(compareUtf8)).toEqual(byBytes);
  });

  it('refuses what proplib cannot represent or read back', () => {
    const bad: [string, unknown][] = [
      ['NUL in a string', ['a\0b']],
      ['lone surrogate', ['\uD800']],
      ['key over 128 bytes', new Map([['k'.repeat(129), 'x']])],
      ['unsigned out of range', [plistInteger(1n << 64n)]],
      ['negative unsigned', [{ type: 'integer', value: -1n, unsigned: true }]],
      ['signed out of range', [{ type: 'integer', value: 1n << 63n, unsigned: false }]],
      ['fraction', [1.5]],
      ['unsafe number', [2 ** 60]],
      ['empty data', [new Uint8Array()]],
      ['null', [null]],
      ['object', [{}]],
      ['string root', 'x'],
    ];
    for (const [what, v] of bad) {
      const e = thrown(() => writePlist(v as PlistValue));
      expect(e.code, what).toBe('XBPS_PLIST_UNWRITABLE');
    }
    // A key of exactly 128 bytes is fine (2-byte characters count twice).
    expect(() => writePlist(new Map([['é'.repeat(64), 'x']]))).not.toThrow();
    expect(thrown(() => writePlist(new Map([['é'.repeat(64) + 'a', 'x']]))).code).toBe('XBPS_PLIST_UNWRITABLE');
  });

  it('refuses cycles and runaway depth', () => {
    const a: PlistValue[] = [];
    a.push(a);
    expect(thrown(() => writePlist(a)).code).toBe('XBPS_PLIST_UNWRITABLE');
    let deep: PlistValue = ['x'];
    for (let i = 0; i < 600; i++) deep = [deep];
    expect(thrown(() => writePlist(deep)).code).toBe('LIMIT_EXCEEDED');
    expect(() => writePlist(deep, { maxDepth: 1000 })).not.toThrow();
  });
});

describe('parsePlist: what proplib accepts', () => {
  it('reads every type, keeping key order as read', () => {
    const v = parsePlistDict(
      doc(
        '<dict>\n\t<key>z</key>\n\t<string>last</string>\n\t<key>a</key>\n\t<array>\n\t\t<integer>42</integer>\n' +
          '\t\t<true/>\n\t\t<false/>\n\t\t<data>AQI=</data>\n\t\t<dict/>\n\t\t<array/>\n\t\t<string/>\n\t</array>\n</dict>\n',
      ),
    );
    expect([...v.keys()]).toEqual(['z', 'a']);
    expect(v.get('z')).toBe('last');
    expect(v.get('a')).toEqual([plistInteger(42n, false), true, false, new Uint8Array([1, 2]), new Map(), [], '']);
  });

  it('reads a 0-byte document as an empty dictionary', () => {
    expect(parsePlist(new Uint8Array())).toEqual(new Map());
    expect(parsePlistDict('')).toEqual(new Map());
  });

  it('accepts no preamble, a bare <plist>, comments before and inside, and Python plistlib output', () => {
    expect(parsePlist('<plist><dict/></plist>')).toEqual(new Map());
    expect(parsePlist('  \n<!-- c --><plist version="whatever"><!-- x --><array><!-- y --><true/><!-- z --></array></plist>')).toEqual([true]);
    const python =
      '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
      '<plist version="1.0">\n<dict>\n\t<key>blob</key>\n\t<data>\n\tAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss\n\tLS4v\n\t</data>\n' +
      '\t<key>flag</key>\n\t<true/>\n</dict>\n</plist>\n';
    const v = parsePlistDict(python);
    expect(v.get('blob')).toEqual(new Uint8Array(48).map((_, i) => i));
    expect(v.get('flag')).toBe(true);
  });

  it('decodes exactly the five predefined entities and keeps string whitespace verbatim', () => {
    const v = parsePlist('<plist><array><string> &amp;&lt;&gt;&apos;&quot; \n\t</string><string>a&amp;amp;</string></array></plist>');
    expect(v).toEqual([' &<>\'" \n\t', 'a&amp;']);
  });

  it('reads integers like strtoll/strtoull in base 0', () => {
    const int = (t: string): PlistValue => (parsePlist(`<plist><array><integer>${t}</integer></array></plist>`) as PlistValue[])[0]!;
    expect(int('0x10')).toEqual(plistInteger(16n, true));
    expect(int('010')).toEqual(plistInteger(8n, false)); // octal!
    expect(int('-5')).toEqual(plistInteger(-5n, false));
    expect(int(' +7 ')).toEqual(plistInteger(7n, false));
    expect(int('0X1f')).toEqual(plistInteger(31n, false)); // only "0x" selects unsigned
    expect(int('')).toEqual(plistInteger(0n, false)); // no digits: strtoll gives 0
    expect(int('9223372036854775807')).toEqual(plistInteger(9223372036854775807n, false));
    expect(int('9223372036854775808')).toEqual(plistInteger(9223372036854775808n, true));
    expect(int('18446744073709551615')).toEqual(plistInteger(18446744073709551615n, true));
    expect(int('0xffffffffffffffff')).toEqual(plistInteger(18446744073709551615n, true));
    expect(int('-9223372036854775808')).toEqual(plistInteger(-9223372036854775808n, false));
    expect(int(' -18446744073709551615')).toEqual(plistInteger(1n, true)); // strtoull wraps negatives
    expect(integerValue(int('1462850943') as never)).toBe(1462850943);
    expect(integerValue(int('9007199254740993') as never)).toBe(9007199254740993n);
    for (const t of ['18446744073709551616', '-9223372036854775809', '0x10000000000000000', '08', '12abc', '0x', '1.5', '1e3']) {
      expect(thrown(() => int(t)).code, t).toBe('XBPS_PLIST_BAD_INTEGER');
    }
    expect(thrown(() => parsePlist('<plist><array><integer/></array></plist>')).code).toBe('XBPS_PLIST_BAD_INTEGER');
    // Digits beyond any 64-bit value are refused without BigInt-parsing them.
    expect(thrown(() => int('9'.repeat(100_000))).code).toBe('XBPS_PLIST_BAD_INTEGER');
  });

  it('reads <data> with whitespace anywhere and proplib padding rules, and the size attribute', () => {
    const data = (t: string, attr = ''): PlistValue => (parsePlist(`<plist><array><data${attr}>${t}</data></array></plist>`) as PlistValue[])[0]!;
    expect(data('QQ==')).toEqual(new Uint8Array([0x41]));
    expect(data(' Q Q\n= \t=  ')).toEqual(new Uint8Array([0x41]));
    expect(data('QUI=')).toEqual(new Uint8Array([0x41, 0x42]));
    expect(data('')).toEqual(new Uint8Array()); // <data></data> is empty data, accepted
    expect(data('QUI=', ' size="2"')).toEqual(new Uint8Array([0x41, 0x42]));
    for (const t of ['QQ', 'Q===', '=QQQ', 'QQ=', 'QQ==x', 'QUI=x', 'Q!==', 'QUJD\u00e9']) {
      expect(thrown(() => data(t)).code, t).toBe('XBPS_PLIST_BAD_DATA');
    }
    expect(thrown(() => data('QUI=', ' size="3"')).code).toBe('XBPS_PLIST_BAD_DATA');
    // A huge declared size allocates nothing: it just disagrees with the content.
    expect(thrown(() => data('QUI=', ' size="0xffffffffffffffff"')).code).toBe('XBPS_PLIST_BAD_DATA');
    expect(thrown(() => parsePlist('<plist><array><data/></array></plist>')).code).toBe('XBPS_PLIST_BAD_DATA');
  });

  it('lets the last of duplicate keys win', () => {
    const v = parsePlistDict('<plist><dict><key>a</key><string>1</string><key>b</key><true/><key>a</key><string>2</string></dict></plist>');
    expect(v.get('a')).toBe('2');
    expect(v.size).toBe(2);
  });

  it('treats __proto__, constructor and prototype as ordinary keys', () => {
    const v = parsePlistDict(
      '<plist><dict><key>__proto__</key><dict><key>polluted</key><true/></dict><key>constructor</key><string>c</string>' +
        '<key>prototype</key><array/></dict></plist>',
    );
    expect([...v.keys()]).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(parsePlistDict(writePlist(v))).toEqual(v);
  });

  it('ignores text after </plist>, as proplib does', () => {
    expect(parsePlist('<plist><array/></plist>\0garbage <<<')).toEqual([]);
    expect(parsePlist(new Uint8Array([...new TextEncoder().encode('<plist><array/></plist>'), 0xff, 0xfe]))).toEqual([]);
  });

  it('accepts keys of exactly 128 bytes and an empty key', () => {
    const k = 'é'.repeat(64);
    expect([...parsePlistDict(`<plist><dict><key>${k}</key><true/><key></key><false/></dict></plist>`).keys()]).toEqual([k, '']);
    expect(thrown(() => parsePlist(`<plist><dict><key>${k}a</key><true/></dict></plist>`)).code).toBe('XBPS_PLIST_BAD_KEY');
  });
});

describe('parsePlist: what proplib refuses', () => {
  const cases: [string, string, string][] = [
    ['<real>', '<plist><array><real>1.5</real></array></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['<date>', '<plist><array><date>2020-01-01T00:00:00Z</date></array></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['unknown element', '<plist><array><float>1</float></array></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['CDATA', '<plist><array><string><![CDATA[x]]></string></array></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['numeric reference', '<plist><array><string>&#38;</string></array></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['hex reference', '<plist><array><string>&#x26;</string></array></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['other entity', '<plist><array><string>&nbsp;</string></array></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['bare ampersand', '<plist><array><string>a & b</string></array></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['BOM', '\uFEFF<plist><array/></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['two attributes', '<plist version="1.0" foo="bar"><array/></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['single quotes', "<plist version='1.0'><array/></plist>", 'XBPS_PLIST_UNSUPPORTED'],
    ['other plist attribute', '<plist foo="1"><array/></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['attribute on dict', '<plist><dict a="1"></dict></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['<true></true>', '<plist><array><true></true></array></plist>', 'XBPS_PLIST_SYNTAX'],
    ['<plist/>', '<plist/>', 'XBPS_PLIST_SYNTAX'],
    ['string root', '<plist><string>x</string></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['no plist element', '<dict/>', 'XBPS_PLIST_SYNTAX'],
    ['text outside elements', '<plist><array>x<true/></array></plist>', 'XBPS_PLIST_SYNTAX'],
    ['mismatched end tag', '<plist><array></dict></plist>', 'XBPS_PLIST_SYNTAX'],
    ['value without key', '<plist><dict><string>x</string></dict></plist>', 'XBPS_PLIST_SYNTAX'],
    ['key in array', '<plist><array><key>x</key></array></plist>', 'XBPS_PLIST_SYNTAX'],
    ['empty key element', '<plist><dict><key/><true/></dict></plist>', 'XBPS_PLIST_SYNTAX'],
    ['comment before </plist>', '<plist><array/><!-- c --></plist>', 'XBPS_PLIST_SYNTAX'],
    ['comment inside a string', '<plist><array><string>a<!-- c --></string></array></plist>', 'XBPS_PLIST_SYNTAX'],
    ['DTD internal subset', '<!DOCTYPE plist [<!ENTITY e "x">]><plist><array/></plist>', 'XBPS_PLIST_UNSUPPORTED'],
    ['processing instruction', '<?xml-stylesheet href="x"?><plist><array/></plist>', 'XBPS_PLIST_SYNTAX'],
    ['missing </plist>', '<plist><array/>', 'TRUNCATED'],
    ['cut in a string', '<plist><array><string>abc', 'TRUNCATED'],
    ['cut in a comment', '<plist><!-- abc', 'TRUNCATED'],
    ['whitespace only', '  \n', 'TRUNCATED'],
    ['NUL inside', '<plist><array><string>a\0b</string></array></plist>', 'XBPS_PLIST_BAD_ENCODING'],
  ];
  for (const [what, text, code] of cases) {
    it(`${what} -> ${code}`, () => {
      expect(thrown(() => parsePlist(text)).code).toBe(code);
    });
  }

  it('refuses invalid UTF-8 inside the document, at its byte offset', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('<plist><array><string>a'), 0xc3, 0x28, ...new TextEncoder().encode('</string></array></plist>')]);
    const e = thrown(() => parsePlist(bytes));
    expect(e.code).toBe('XBPS_PLIST_BAD_ENCODING');
    expect(e.offset).toBe(23);
  });

  it('reports line and column (1-based) and the byte offset', () => {
    const text = '<plist>\n<dict>\n\t<key>ü</key>\n\t<real>1</real>\n</dict>\n</plist>\n';
    const e = thrown(() => parsePlist(text, { file: 'x.plist' }));
    expect(e.code).toBe('XBPS_PLIST_UNSUPPORTED');
    expect([e.line, e.column]).toEqual([4, 2]);
    expect(e.offset).toBe(text.indexOf('<real>') + 1); // 'ü' is 2 bytes
    expect(e.file).toBe('x.plist');
    expect(e.message).toContain('line 4, column 2');
  });

  it('refuses a root array where a dictionary is required', () => {
    expect(thrown(() => parsePlistDict('<plist><array/></plist>')).code).toBe('XBPS_PLIST_WRONG_TYPE');
  });
});

describe('parsePlist: limits', () => {
  it('refuses nesting deeper than maxDepth without recursion', () => {
    const deep = (n: number): string => `<plist>${'<array>'.repeat(n)}${'</array>'.repeat(n)}</plist>`;
    expect(thrown(() => parsePlist(deep(129))).code).toBe('LIMIT_EXCEEDED');
    expect(() => parsePlist(deep(128))).not.toThrow();
    // Far beyond any JS recursion limit, with the limit raised: still fine (explicit stack).
    expect(() => parsePlist(deep(50_000), { maxDepth: 100_000 })).not.toThrow();
  });

  it('refuses more values than maxValues and inputs larger than maxBytes', () => {
    const many = `<plist><array>${'<true/>'.repeat(1000)}</array></plist>`;
    expect(thrown(() => parsePlist(many, { maxValues: 1000 })).code).toBe('LIMIT_EXCEEDED');
    expect((parsePlist(many, { maxValues: 1001 }) as PlistValue[]).length).toBe(1000);
    expect(thrown(() => parsePlist(many, { maxBytes: 100 })).code).toBe('LIMIT_EXCEEDED');
    expect(thrown(() => parsePlist(new Uint8Array(101), { maxBytes: 100 })).code).toBe('LIMIT_EXCEEDED');
  });
});

describe('round trip on hand-made values', () => {
  it('parse(write(v)) equals v, including big integers and signedness', () => {
    const v = dict([
      ['big', plistInteger(18446744073709551615n)],
      ['neg', plistInteger(-3n)],
      ['zero-signed', plistInteger(0n, false)],
      ['text', 'a\r\nb & <c> \u{1F600}'],
      ['data', new Uint8Array([0, 1, 2, 253, 254, 255])],
      ['nested', [dict([['x', []]]), [[]]]],
    ]);
    const back = parsePlistDict(writePlist(v));
    expect(plistEqual(back, v)).toBe(true);
    // Signedness of a non-negative value is not visible in the text: proplib reads "0" back signed.
    expect(back.get('zero-signed')).toEqual(plistInteger(0n, false));
    expect(back.get('big')).toEqual(plistInteger(18446744073709551615n, true));
  });

  it('plistEqual ignores key order but not values or signedness', () => {
    const a = dict([['x', '1'], ['y', '2']]);
    expect(plistEqual(a, dict([['y', '2'], ['x', '1']]))).toBe(true);
    expect(plistEqual(a, dict([['x', '1'], ['y', '3']]))).toBe(false);
    expect(plistEqual(plistInteger(1n, true), plistInteger(1n, false))).toBe(false);
  });
});
