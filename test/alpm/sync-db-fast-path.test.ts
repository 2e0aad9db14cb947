/**
 * The sync-database reader's fast paths against its general path: the plain-tar walk
 * (`scanPlainTar`, which hands anything unusual to `parseTar`) and the chunked desc decoding
 * (which hands anything unusual to `decodeEntry`) must give exactly what `fastPath: false` gives —
 * the same entries with the same keys in the same order, the same warnings, or the same error.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyDescEntry, encodeDesc, type DescEntry } from '../../src/alpm/codecs.js';
import { parseSyncDbTar, readSyncDb, syncDbTar, type SyncDbWriteEntry } from '../../src/alpm/database.js';
import { scanPlainTar, SYNC_DB_LIMITS } from '../../src/alpm/sync-db-read.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { writeTar } from '../../src/shared/tar.js';
import { rawTar } from '../helpers/alpm-packages.js';

const LIMITS = { maxMemberSize: SYNC_DB_LIMITS.maxMemberSize, maxMembers: SYNC_DB_LIMITS.maxMembers, maxTotalSize: SYNC_DB_LIMITS.maxUncompressedSize };
type Options = Parameters<typeof parseSyncDbTar>[1];

/** The result as JSON (key order included), or the error's code, message and offset. */
function outcome(tar: Uint8Array, options: Options = {}): string {
  try {
    return JSON.stringify(parseSyncDbTar(tar, options));
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    return JSON.stringify({ code: e.code, message: e.message, offset: e.offset });
  }
}

/** Fast and general paths agree; returns the outcome. */
function agree(tar: Uint8Array, options: Options = {}): string {
  const fast = outcome(tar, options);
  expect(fast).toBe(outcome(tar, { ...options, fastPath: false }));
  return fast;
}

function entry(name: string, version: string, extra: Partial<DescEntry> = {}): DescEntry {
  return {
    ...emptyDescEntry(),
    filename: `${name}-${version}-x86_64.pkg.tar.zst`,
    name,
    base: name,
    version,
    desc: `The ${name} package`,
    csize: 1234,
    isize: 5678,
    sha256sum: 'a'.repeat(64),
    url: 'https://example.invalid/',
    license: ['MIT'],
    arch: 'x86_64',
    builddate: 1700000000,
    packager: 'Tests <t@example.invalid>',
    depends: ['glibc>=2.38', 'libfoo.so=1-64', 'zlib'],
    optdepends: ['python: for scripts'],
    ...extra,
  };
}

const desc = (name: string, version: string, extra: Partial<DescEntry> = {}): string => encodeDesc(entry(name, version, extra));

/** Overwrite bytes of the header at `at` and fix its checksum. */
function patchHeader(tar: Uint8Array, at: number, offset: number, bytes: readonly number[]): Uint8Array {
  const out = tar.slice();
  out.set(bytes, at + offset);
  out.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + 512; i++) sum += out[i]!;
  out.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), at + 148);
  return out;
}

describe('the plain-tar walk', () => {
  const entries: SyncDbWriteEntry[] = ['alpha', 'beta', 'gamma'].map((n, i) => ({ entry: { ...entry(n, `${i + 1}.0-1`), files: ['usr/', `usr/bin/${n}`] } }));

  it.each([
    ['db', syncDbTar(entries, 'db')],
    ['files', syncDbTar(entries, 'files')],
    ['split layout without directory members', syncDbTar(entries, 'db', { layout: 'split', directoryEntries: false })],
    ['raw ustar with old-style directories (type 0, trailing slash)', rawTar([{ name: 'a-1-1/', data: '' }, { name: 'a-1-1/desc', data: desc('a', '1-1') }])],
    ['members of one entry apart', rawTar([{ name: 'a-1-1/desc', data: desc('a', '1-1') }, { name: 'b-1-1/desc', data: desc('b', '1-1') }, { name: 'a-1-1/depends', data: '%CONFLICTS%\nz\n\n' }])],
  ])('takes canonical archives itself: %s', (_, tar) => {
    const plain = scanPlainTar(tar, LIMITS);
    expect(plain).toBeDefined();
    const db = parseSyncDbTar(tar);
    expect(db.entries.map((e) => e.dir)).toEqual(plain!.map((p) => p.dir));
    expect(db.entries.every((e) => e.warnings.length === 0)).toBe(true);
    agree(tar);
  });

  it('stops at the first zero block and accepts an archive without end blocks', () => {
    const tar = rawTar([{ name: 'a-1-1/desc', data: desc('a', '1-1') }]);
    const garbage = new Uint8Array(tar.length + 700).fill(0x41);
    garbage.set(tar);
    expect(scanPlainTar(garbage, LIMITS)).toHaveLength(1);
    agree(garbage);
    const noEnd = tar.subarray(0, tar.length - 1024);
    expect(scanPlainTar(noEnd, LIMITS)).toHaveLength(1);
    agree(noEnd);
    agree(new Uint8Array(0));
    agree(new Uint8Array(1024));
  });

  it('sums unaligned input byte by byte', () => {
    const tar = syncDbTar(entries, 'files');
    const shifted = new Uint8Array(tar.length + 1);
    shifted.set(tar, 1);
    const view = shifted.subarray(1);
    expect(scanPlainTar(view, LIMITS)).toHaveLength(3);
    expect(agree(view)).toBe(outcome(tar));
  });

  const a = (name = 'a-1-1/desc', data: string = desc('a', '1-1')) => ({ name, data });
  const plainTar = rawTar([a()]);
  it.each<[string, Uint8Array, Options?]>([
    ['a "./" prefix (warned about)', rawTar([a('./a-1-1/desc')])],
    ['a member named "./desc"', rawTar([a(), a('./desc')])],
    ['an unknown member (warned about)', rawTar([a(), a('a-1-1/extra', 'x')])],
    ['a top-level member', rawTar([a('README', 'x'), a()])],
    ['a member twice', rawTar([a(), a()])],
    ['one package name in two directories', rawTar([a(), a('a-2-1/desc', desc('a', '2-1'))])],
    ['one package name in two directories, different members', rawTar([a(), a('a-2-1/depends', '%CONFLICTS%\nz\n\n')])],
    ['a hardlink', patchHeader(rawTar([{ name: 'b-1-1/desc', data: '' }, a()]), 0, 156, [0x31])],
    ['a symlink', rawTar([a(), { name: 'b-1-1/desc', type: '2', data: '' }])],
    ['a pax header', writeTar([{ name: 'a-1-1/desc', data: new TextEncoder().encode(desc('a', '1-1')), pax: { comment: 'x' } }], { format: 'pax' })],
    ['a GNU long name', writeTar([{ name: `${'l'.repeat(120)}-1-1/desc`, data: new TextEncoder().encode(desc('l'.repeat(120), '1-1')) }], { format: 'gnu' })],
    ['a ustar name prefix', writeTar([{ name: `${'p'.repeat(110)}-1-1/desc`, data: new TextEncoder().encode(desc('p'.repeat(110), '1-1')) }], { format: 'ustar' })],
    ['a non-ASCII name', rawTar([a('é-1-1/desc', desc('é', '1-1'))])],
    ['a name with a space', rawTar([a('a b-1-1/desc', desc('a b', '1-1'))])],
    ['a directory name that does not split (ALPM_BAD_ENTRY_NAME)', rawTar([a('nodash/desc')])],
    ['a "../" directory (TAR_UNSAFE_PATH)', rawTar([{ name: '../', type: '5', data: '' }, a()])],
    ['an absolute name (TAR_UNSAFE_PATH)', rawTar([a('/a-1-1/desc')])],
    ['a bad checksum (TAR_BAD_HEADER)', (() => { const t = plainTar.slice(); t[140] = t[140]! ^ 1; return t; })()],
    ['a base-256 size', patchHeader(plainTar, 0, 124, [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xf4])],
    ['a type flag other than 0 and 5', patchHeader(plainTar, 0, 156, [0x37])],
    ['data cut short (TRUNCATED)', plainTar.subarray(0, 600)],
    ['a header cut short (TRUNCATED)', rawTar([a(), a('b-1-1/desc', desc('b', '1-1'))]).subarray(0, 1024 + 300)],
    ['more members than allowed', rawTar([a(), a('b-1-1/desc', desc('b', '1-1'))]), { maxMembers: 1 }],
    ['a member over its limit', plainTar, { maxMemberSize: 100 }],
    ['more data than allowed', rawTar([a(), a('b-1-1/desc', desc('b', '1-1'))]), { maxUncompressedSize: 600 }],
  ])('hands the archive to the general path: %s', (_, tar, options = {}) => {
    const limits = {
      maxMemberSize: options?.maxMemberSize ?? LIMITS.maxMemberSize,
      maxMembers: options?.maxMembers ?? LIMITS.maxMembers,
      maxTotalSize: options?.maxUncompressedSize ?? LIMITS.maxTotalSize,
    };
    expect(scanPlainTar(tar, limits)).toBeUndefined();
    agree(tar, options);
  });
});

/** Text, raw bytes, text: for bytes that are not UTF-8 on their own. */
function bytesOf(before: string, raw: readonly number[], after = ''): Uint8Array {
  const enc = new TextEncoder();
  return new Uint8Array([...enc.encode(before), ...raw, ...enc.encode(after)]);
}

describe('the chunked desc decoding', () => {
  const tarOf = (descs: readonly (string | Uint8Array)[]) => rawTar(descs.map((d, i) => ({ name: `p${i}-1-1/desc`, data: d })));

  it('gives plain objects with the keys in the general decoder order', () => {
    const db = parseSyncDbTar(tarOf([desc('p0', '1-1', { md5sum: 'b'.repeat(32), pgpsig: 'AAAA', groups: ['g'], files: ['usr/'] })]));
    const e = db.entries[0]!.entry;
    expect(Object.getPrototypeOf(e)).toBe(Object.prototype);
    expect(e.constructor).toBe(Object);
    e.depends.push('more');
    e.unknown.push({ name: 'X', values: [], line: 1 });
    expect(e.depends.at(-1)).toBe('more');
  });

  it.each<[string, (string | Uint8Array)[]]>([
    ['ASCII entries', [desc('p0', '1-1'), desc('p1', '1-1', { md5sum: 'c'.repeat(32), groups: ['x', 'y'] })]],
    ['a non-ASCII description among ASCII ones', [desc('p0', '1-1'), desc('p1', '1-1', { desc: 'Grüße, 日本語 😀' }), desc('p2', '1-1')]],
    ['four-byte characters in several entries', [desc('p0', '1-1', { desc: '😀 one' }), desc('p1', '1-1', { desc: 'two 😀😀' }), desc('p2', '1-1', { desc: 'Zürich' })]],
    ['a character split between two members', [bytesOf('%NAME%\np0\n\n%DESC%\nab', [0xe2]), bytesOf('', [0x82, 0xac], 'cd\n\n%NAME%\np1\n\n')]],
    ['a byte-order mark after non-ASCII text', [desc('p0', '1-1', { desc: 'é' }), `\uFEFF${desc('p1', '1-1')}`]],
    ['a byte-order mark before non-ASCII text', [`\uFEFF${desc('p0', '1-1')}`, desc('p1', '1-1', { desc: 'é' })]],
    ['a U+FFFD after non-ASCII text', [desc('p0', '1-1', { desc: 'é' }), desc('p1', '1-1', { desc: 'x \uFFFD' })]],
    ['invalid UTF-8', [desc('p0', '1-1'), new Uint8Array([...new TextEncoder().encode('%NAME%\np1\n\n%DESC%\n'), 0xff, 0xfe, 0x0a, 0x0a])]],
    ['a byte-order mark', [desc('p0', '1-1'), `\uFEFF${desc('p1', '1-1')}`]],
    ['a literal U+FFFD', [desc('p0', '1-1', { desc: 'bad \uFFFD char' })]],
    ['a NUL', [desc('p0', '1-1'), `${desc('p1', '1-1')}\0junk\n`]],
    ['a FILENAME libalpm refuses', [desc('p0', '1-1', { filename: '.hidden.pkg.tar.zst' })]],
    ['an unknown section', [`${desc('p0', '1-1')}%WHAT%\nx\n\n`]],
    ['a repeated section', [`${desc('p0', '1-1')}%DEPENDS%\nx\n\n`]],
    ['a number with 16 digits', [desc('p0', '1-1', { isize: 1234567890123456 })]],
    ['a number that is not one', [desc('p0', '1-1').replace('%CSIZE%\n1234', '%CSIZE%\n12a4')]],
    ['a list that swallows a header', [desc('p0', '1-1').replace('\n\n%ARCH%', '\n%ARCH%')]],
    ['a single value at the end of the text', [`${desc('p0', '1-1')}%URL%`]],
    ['a list running to the end without a newline', [`${desc('p0', '1-1')}%CONFLICTS%\nz`]],
    ['an empty member and one of empty lines', ['', '\n\n\n', desc('p2', '1-1')]],
    ['CRLF line ends', [desc('p0', '1-1').replace(/\n/g, '\r\n')]],
  ])('agrees with the general decoder: %s', (_, descs) => {
    agree(tarOf(descs));
  });

  it('agrees across chunk boundaries and for members bigger than a chunk', () => {
    const files = Array.from({ length: 30_000 }, (_, i) => `usr/share/p/${i}`);
    const entries: SyncDbWriteEntry[] = Array.from({ length: 700 }, (_, i) => ({
      entry: { ...entry(`p${i}`, `${i}.0-1`, i % 97 === 0 ? { desc: `Beschreibung ${i} – ü` } : {}), files: i === 350 ? files : ['usr/', `usr/p${i}`] },
    }));
    const tar = syncDbTar(entries, 'files');
    expect(tar.length).toBeGreaterThan(2 * 256 * 1024);
    const db = JSON.parse(agree(tar)) as { entries: { name: string; entry: DescEntry }[] };
    expect(db.entries).toHaveLength(700);
    expect(db.entries.find((e) => e.name === 'p350')!.entry.files).toEqual([...files].sort());
  });
});

const CORPUS = new URL('../../../shared/corpus/alpm/', import.meta.url).pathname;
/** Every sync database in the corpus, by name (`<repo>.db.tar[.<compression>]`, `<repo>.files.tar[.<compression>]`). */
function corpusDbs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return corpusDbs(p);
    return /\.(db|files)\.tar(\.(gz|xz|zst|bz2|lz4|lz|lzo|Z|lrz))?$/.test(f) ? [p] : [];
  });
}
const dbs = corpusDbs(CORPUS);
describe.skipIf(dbs.length === 0)(`every sync database of the corpus (${dbs.length}${dbs.length === 0 ? `; skipped: ${CORPUS} is absent` : ''})`, () => {
  it.each(dbs.map((p) => [p.slice(CORPUS.length), p]))('%s: the fast paths give what the general path gives', async (_, path) => {
    const either = (p: Promise<unknown>) => p.then((db) => JSON.stringify(db), (e: unknown) => (isRepokitError(e) ? `${e.code}: ${e.message}` : `not a RepokitError: ${String(e)}`));
    expect(await either(readSyncDb(path))).toBe(await either(readSyncDb(path, { fastPath: false })));
  });
});
