/**
 * The sync-database reader's fast paths against its general path: the plain-tar walk
 * (`scanPlainTar`, which hands anything unusual to `parseTar`) and the chunked desc decoding
 * (which hands anything unusual to `decodeEntry`) must give exactly what `fastPath: false` gives —
 * the same entries with the same keys in the same order, the same warnings, or the same error.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { constants as zlibConstants, gzipSync, zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { emptyDescEntry, encodeDesc, type DescEntry } from '../../src/alpm/codecs.js';
import { parseSyncDbTar, readSyncDb, syncDbTar, type SyncDbWriteEntry } from '../../src/alpm/database.js';
import { NameSet, scanPlainStream, scanPlainTar, SYNC_DB_LIMITS } from '../../src/alpm/sync-db-read.js';
import { decodePieces } from '../../src/shared/compression.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { writeTar } from '../../src/shared/tar.js';
import { rawTar, type RawMember } from '../helpers/alpm-packages.js';

const LIMITS = { maxMemberSize: SYNC_DB_LIMITS.maxMemberSize, maxMembers: SYNC_DB_LIMITS.maxMembers, maxTotalSize: SYNC_DB_LIMITS.maxUncompressedSize };
type Options = Parameters<typeof parseSyncDbTar>[1];

/** The result as JSON (key order included), or the error's code, message and offset. */
function outcome(tar: Uint8Array, options: Options = {}): string {
  try {
    // With the stored bytes (unless told otherwise), so that those are compared too.
    return JSON.stringify(parseSyncDbTar(tar, { keepRaw: true, ...options }));
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
    expect(await either(readSyncDb(path, { keepRaw: true }))).toBe(await either(readSyncDb(path, { keepRaw: true, fastPath: false })));
    expect(await either(readSyncDb(path))).toBe(await either(readSyncDb(path, { fastPath: false })));
  });
});

describe('the gzip walk (inflated piece by piece, never whole)', () => {
  /** readSyncDb's outcome for gzip bytes: the result as JSON, or the error's code and message. */
  async function gzOutcome(gz: Uint8Array, options: Parameters<typeof readSyncDb>[1] = {}): Promise<string> {
    try {
      return JSON.stringify(await readSyncDb(gz, { keepRaw: true, ...options }));
    } catch (e) {
      if (!isRepokitError(e)) throw e;
      return JSON.stringify({ code: e.code, message: e.message });
    }
  }
  /** The gzip walk and the whole-file general path agree; returns the outcome. */
  async function gzAgree(gz: Uint8Array, options: Parameters<typeof readSyncDb>[1] = {}): Promise<string> {
    const fast = await gzOutcome(gz, options);
    expect(fast).toBe(await gzOutcome(gz, { ...options, fastPath: false }));
    return fast;
  }
  const many = (n: number, kind: 'db' | 'files' = 'db'): Uint8Array =>
    syncDbTar(
      Array.from({ length: n }, (_, i) => ({ entry: { ...entry(`p${i}`, `${i}.0-1`, i % 97 === 0 ? { desc: `Beschreibung ${i} – ü` } : {}), files: ['usr/', `usr/p${i}`] } })),
      kind,
    );

  it('walks a database bigger than its window, and copies only the entry files out of it', async () => {
    const tar = many(1500);
    expect(tar.length).toBeGreaterThan(2 * 1024 * 1024);
    const gz = gzipSync(tar);
    // The walk itself, not the fallback, gave the result.
    const plain = scanPlainStream(gz, { keepRaw: true })!;
    expect(plain.entries).toHaveLength(1500);
    expect(JSON.stringify(plain)).toBe(JSON.stringify({ ...parseSyncDbTar(tar, { keepRaw: true }), compression: 'gzip' }));
    const db = JSON.parse(await gzAgree(gz)) as { entries: unknown[] };
    expect(db.entries).toHaveLength(1500);
    // raw views lie in small buffers of entry files, not in a whole decompressed tar.
    const read = await readSyncDb(gz, { keepRaw: true });
    expect(Math.max(...read.entries.map((e) => e.raw.desc!.buffer.byteLength))).toBeLessThanOrEqual(256 * 1024);
    expect(new TextDecoder().decode(read.entries.find((e) => e.name === 'p7')!.raw.desc)).toBe(desc('p7', '7.0-1'));
  });

  it('walks a .files database and a member bigger than the window', async () => {
    await gzAgree(gzipSync(many(300, 'files')));
    const files = Array.from({ length: 120_000 }, (_, i) => `usr/share/big/${String(i).padStart(6, '0')}`);
    const tar = syncDbTar([{ entry: { ...entry('big', '1-1'), files } }, { entry: { ...entry('small', '1-1'), files: ['usr/'] } }], 'files');
    expect(tar.length).toBeGreaterThan(2 * 1024 * 1024);
    const gz = gzipSync(tar);
    expect(scanPlainStream(gz)?.entries).toHaveLength(2);
    const db = JSON.parse(await gzAgree(gz)) as { entries: { entry: DescEntry }[] };
    expect(db.entries[0]!.entry.files).toEqual(files);
  });

  it('agrees with and without keepRaw over entries of every kind, across chunks', async () => {
    const enc = new TextEncoder();
    const members: RawMember[] = [];
    for (let i = 0; i < 900; i++) {
      const dir = `q${i}-1.${i}-1`;
      const text = desc(`q${i}`, `1.${i}-1`, i % 50 === 3 ? { desc: 'Größe – ü' } : {});
      members.push({ name: `${dir}/`, type: '5' });
      if (i % 100 === 7) {
        // An unknown section: the general decoder's entry (with its warning).
        members.push({ name: `${dir}/desc`, data: `${text}%UNKNOWN%\nx\n\n` });
      } else if (i % 100 === 11) {
        // Not UTF-8: its chunk is decoded member by member.
        const bytes = enc.encode(text);
        members.push({ name: `${dir}/desc`, data: Uint8Array.from([...bytes.subarray(0, 60), 0xff, ...bytes.subarray(60)]) });
      } else if (i % 100 === 13) {
        // A byte-order mark: dropped when the member is decoded alone.
        members.push({ name: `${dir}/desc`, data: `\uFEFF${text}` });
      } else if (i % 100 === 17) {
        // The split layout: depends apart.
        const [head, deps] = text.split('%DEPENDS%');
        members.push({ name: `${dir}/desc`, data: head! }, { name: `${dir}/depends`, data: `%DEPENDS%${deps!}` });
      } else if (i % 100 === 19) {
        // A big member, bigger than a chunk.
        members.push({ name: `${dir}/desc`, data: text }, { name: `${dir}/files`, data: `%FILES%\n${Array.from({ length: 30_000 }, (_, k) => `usr/q/${k}`).join('\n')}\n` });
      } else {
        members.push({ name: `${dir}/desc`, data: text });
        if (i % 3 === 0) members.push({ name: `${dir}/files`, data: `%FILES%\nusr/\nusr/q${i}\n` });
      }
    }
    const gz = gzipSync(rawTar(members));
    for (const keepRaw of [true, false]) {
      const plain = scanPlainStream(gz, { keepRaw })!;
      expect(plain.entries, `keepRaw ${keepRaw}`).toHaveLength(900);
      const db = JSON.parse(await gzAgree(gz, { keepRaw })) as { entries: { raw: object; warnings: unknown[] }[] };
      expect(db.entries).toHaveLength(900);
      expect(db.entries.filter((e) => e.warnings.length > 0).length).toBeGreaterThanOrEqual(9);
      expect(db.entries.every((e) => Object.keys(e.raw).length > 0)).toBe(keepRaw);
    }
  });

  it('hands directories whose files are apart or out of order to the general path', async () => {
    const a = desc('a', '1-1');
    const b = desc('b', '1-1');
    for (const tar of [
      rawTar([{ name: 'a-1-1/desc', data: a }, { name: 'b-1-1/desc', data: b }, { name: 'a-1-1/files', data: '%FILES%\nusr/\n' }]),
      rawTar([{ name: 'a-1-1/files', data: '%FILES%\nusr/\n' }, { name: 'a-1-1/desc', data: a }]),
      rawTar([{ name: 'a-1-1/desc', data: a }, { name: 'a-1-1/desc', data: a }]),
    ]) {
      const gz = gzipSync(tar);
      expect(scanPlainStream(gz)).toBeUndefined();
      await gzAgree(gz);
      await gzAgree(gz, { keepRaw: false });
    }
  });

  it('finds a package name in two directories whether or not the names come in order', async () => {
    const named = (dir: string, name: string, version: string): RawMember => ({ name: `${dir}/desc`, data: desc(name, version) });
    const ascending = ['a-1-1', 'b-1-1', 'c-1-1', 'd-1-1'].map((d) => named(d, d[0]!, '1-1'));
    const shuffled = ['c-1-1', 'a-1-1', 'd-1-1', 'b-1-1'].map((d) => named(d, d[0]!, '1-1'));
    for (const members of [ascending, shuffled]) {
      const clean = gzipSync(rawTar(members));
      expect(scanPlainStream(clean)?.entries.map((e) => e.name)).toEqual(members.map((m) => m.name[0]));
      for (const twice of [named('b-2-1', 'b', '2-1'), named('a-0-1', 'a', '0-1'), named('e-1-1', 'e', '1-1')]) {
        const gz = gzipSync(rawTar([...members, twice]));
        if (twice.name.startsWith('e')) expect(scanPlainStream(gz)?.entries).toHaveLength(5);
        else expect(scanPlainStream(gz)).toBeUndefined();
        await gzAgree(gz);
      }
    }
  });

  it('keeps names in a table that grows', () => {
    const set = new NameSet(8);
    const names = Array.from({ length: 5000 }, (_, i) => `name-${(i * 7919) % 5000}`);
    for (const n of names) expect(set.add(n), n).toBe(true);
    for (const n of names) expect(set.add(n), n).toBe(false);
    expect(set.add('name-5000')).toBe(true);
    expect(set.add('')).toBe(true);
    expect(set.add('')).toBe(false);
  });

  it('finds the repeated name among thousands', async () => {
    const members = Array.from({ length: 3000 }, (_, i): RawMember => ({ name: `n${i}-1-1/desc`, data: desc(`n${i}`, '1-1') }));
    expect(scanPlainStream(gzipSync(rawTar(members)))?.entries).toHaveLength(3000);
    const again: RawMember = { name: 'n7-2-1/desc', data: desc('n7', '2-1') };
    // Found when the last chunk is decoded, and (with 1,000 entries after it) when a full chunk is.
    for (const twice of [gzipSync(rawTar([...members, again])), gzipSync(rawTar([...members.slice(0, 2000), again, ...members.slice(2000)]))]) {
      expect(scanPlainStream(twice)).toBeUndefined();
      await gzAgree(twice);
    }
  });

  it('reads an archive whose names are out of order', async () => {
    const gz = gzipSync(rawTar([{ name: 'b-1-1/desc', data: desc('b', '1-1') }, { name: 'a-b-1-1/desc', data: desc('a-b', '1-1') }, { name: 'a-1-1/desc', data: desc('a', '1-1') }]));
    expect(scanPlainStream(gz)?.entries.map((e) => e.name)).toEqual(['b', 'a-b', 'a']);
    await gzAgree(gz);
  });

  it('walks a single-frame zstd database the same way, and hands other zstd files on', async () => {
    const tar = many(1200, 'files');
    const zst = new Uint8Array(zstdCompressSync(tar, { params: { [zlibConstants.ZSTD_c_checksumFlag]: 1 } }));
    const read = scanPlainStream(zst, { keepRaw: true })!;
    expect(read.compression).toBe('zstd');
    expect(JSON.stringify(read)).toBe(JSON.stringify({ ...parseSyncDbTar(tar, { keepRaw: true }), compression: 'zstd' }));
    await gzAgree(zst);
    await gzAgree(zst, { keepRaw: false });
    const twoFrames = new Uint8Array([...zstdCompressSync(tar.subarray(0, 300_001)), ...zstdCompressSync(tar.subarray(300_001))]);
    const skippableFirst = new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4, ...zst]);
    const badChecksum = zst.slice();
    badChecksum[badChecksum.length - 1]! ^= 1;
    for (const [what, bytes] of [
      ['two frames', twoFrames],
      ['a skippable frame first', skippableFirst],
      ['cut', zst.subarray(0, zst.length >> 1)],
      ['a bad checksum', badChecksum],
      ['a damaged byte in the middle', Uint8Array.from(zst, (b, i) => (i === zst.length >> 1 ? b ^ 0x55 : b))],
    ] as const) {
      expect(scanPlainStream(bytes), what).toBeUndefined();
      await gzAgree(bytes);
    }
    expect(JSON.parse(await gzOutcome(twoFrames)).entries).toHaveLength(1200);
  });

  it('gives what decompress and the general path give for damaged, concatenated or padded gzip', async () => {
    const tar = many(400);
    const gz = gzipSync(tar);
    const cases: [string, Uint8Array][] = [
      ['cut in the deflate data', gz.subarray(0, Math.floor(gz.length / 2))],
      ['cut in the trailer', gz.subarray(0, gz.length - 3)],
      ['bad CRC', Uint8Array.from(gz, (b, i) => (i === gz.length - 8 ? b ^ 0xff : b))],
      ['bad ISIZE', Uint8Array.from(gz, (b, i) => (i === gz.length - 1 ? b ^ 0x01 : b))],
      ['garbage after the stream', concat(gz, new TextEncoder().encode('garbage!'))],
      ['zero bytes after the stream', concat(gz, new Uint8Array(1000))],
      ['two members, the tar split between them', concat(gzipSync(tar.subarray(0, 300_001)), gzipSync(tar.subarray(300_001)))],
      ['a damaged byte in the middle', Uint8Array.from(gz, (b, i) => (i === gz.length >> 1 ? b ^ 0x55 : b))],
    ];
    for (const [what, bytes] of cases) {
      const outcome = await gzAgree(bytes);
      expect(outcome, what).toBeTruthy();
    }
    // The damaged ones are errors, the rest read.
    expect(JSON.parse(await gzOutcome(cases[2]![1])).code).toBeDefined();
    expect(JSON.parse(await gzOutcome(cases[6]![1])).entries).toHaveLength(400);
  });

  it('stops at maxUncompressedSize with decompress\'s error, and at the walk limits', async () => {
    const gz = gzipSync(many(400));
    const limited = JSON.parse(await gzAgree(gz, { maxUncompressedSize: 100_000 })) as { code: string; message: string };
    expect(limited.code).toBe('LIMIT_EXCEEDED');
    expect(() => scanPlainStream(gz, { maxUncompressedSize: 100_000 })).toThrow(/larger than maxOutput \(100000 bytes\)/);
    expect(JSON.parse(await gzAgree(gz, { maxMembers: 10 })).code).toBe('LIMIT_EXCEEDED');
    expect(JSON.parse(await gzAgree(gz, { maxMemberSize: 100 })).code).toBe('LIMIT_EXCEEDED');
  });

  it('hands anything unusual to the general path', async () => {
    const d = new TextEncoder().encode(desc('a', '1-1'));
    const unusual: [string, Uint8Array][] = [
      ['pax header', writeTar([{ name: 'a-1-1/desc', data: d, mtime: 2 ** 34 }], { format: 'pax' })],
      ['./ prefix', rawTar([{ name: './a-1-1/desc', data: d }])],
      ['an unsafe name', rawTar([{ name: '../a-1-1/desc', data: d }])],
      ['a bad checksum', Uint8Array.from(rawTar([{ name: 'a-1-1/desc', data: d }]), (b, i) => (i === 148 ? 0x37 : b))],
      ['one package in two directories', rawTar([{ name: 'a-1-1/desc', data: d }, { name: 'a-2-1/desc', data: new TextEncoder().encode(desc('a', '2-1')) }])],
      ['a bad directory name', rawTar([{ name: 'nodash/desc', data: d }])],
    ];
    for (const [what, tar] of unusual) {
      const gz = gzipSync(tar);
      expect(scanPlainStream(gz), what).toBeUndefined();
      await gzAgree(gz);
    }
  });

  it('falls back to decompress where zlib cannot be driven piece by piece', async () => {
    const gz = gzipSync(many(50));
    const expected = await gzOutcome(gz, { fastPath: false });
    const zlib = process.getBuiltinModule('node:zlib');
    // A zlib whose streams have no handle to drive (as in runtimes that only emulate node:zlib),
    // for the piece-by-piece reader (which asks for a gunzip stream without options; the whole
    // decompression passes a chunk size).
    const handleless = {
      ...zlib,
      createGunzip: (options?: Parameters<typeof zlib.createGunzip>[0]) =>
        options === undefined ? Object.assign(new EventEmitter(), { destroyed: false, close() {} }) : zlib.createGunzip(options),
    };
    const original = process.getBuiltinModule;
    try {
      process.getBuiltinModule = ((id: string) => (id === 'node:zlib' ? handleless : original.call(process, id))) as typeof original;
      expect(decodePieces(gz, 1e9)).toBeUndefined();
      expect(scanPlainStream(gz)).toBeUndefined();
      expect(await gzOutcome(gz)).toBe(expected);
    } finally {
      process.getBuiltinModule = original;
    }
    expect(scanPlainStream(gz)?.entries).toHaveLength(50);
  });
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
