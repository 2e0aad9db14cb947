/**
 * The tar reader against archives made by the real bsdtar and GNU tar (each format they write),
 * one tiny hand-made archive per quirk (pax global headers, base-256 sizes, v7 directories,
 * missing end blocks, bad checksums, unsafe names), limits, and the writer checked by listing its
 * output with bsdtar and GNU tar.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSafeTarPath, normalizeTarPath, parseTar, readTar, writeTar, type TarEntry, type TarMember, type TarReadOptions, type TarWriteEntry } from '../../src/shared/tar.js';
import { rpmError, rpmErrorAsync } from '../helpers/errors.js';
import { hasTool, missingToolNote, runTool } from './tools.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const work = mkdtempSync(join(tmpdir(), 'repokit-tar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const LONG = `${'deep/'.repeat(30)}${'n'.repeat(90)}.txt`; // 240 bytes: ustar prefix + name
const VERY_LONG = 'x'.repeat(200); // no '/' to split at: needs pax or GNU L

/** A source tree with the things archives disagree about. */
const tree = join(work, 'tree');
mkdirSync(join(tree, 'pkg', LONG.slice(0, LONG.lastIndexOf('/'))), { recursive: true });
writeFileSync(join(tree, 'pkg', 'desc'), '%NAME%\nfoo\n');
writeFileSync(join(tree, 'pkg', LONG), 'long\n');
writeFileSync(join(tree, 'pkg', VERY_LONG), 'very long\n');
writeFileSync(join(tree, 'pkg', 'ünïcødé'), 'utf8\n');
writeFileSync(join(tree, 'pkg', 'empty'), '');
symlinkSync('desc', join(tree, 'pkg', 'link'));

function members(bytes: Uint8Array, options?: TarReadOptions): TarMember[] {
  return [...parseTar(bytes, options)];
}

async function* chunked(b: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.slice(i, i + size);
}

async function readAll(bytes: Uint8Array, size: number, options?: TarReadOptions): Promise<TarMember[]> {
  const out: TarMember[] = [];
  for await (const m of readTar(chunked(bytes, size), options)) out.push(m);
  return out;
}

/** The same bytes at an odd offset of their buffer (header blocks then are not 4-byte aligned). */
function unaligned(bytes: Uint8Array): Uint8Array {
  const b = new Uint8Array(bytes.length + 1).subarray(1);
  b.set(bytes);
  return b;
}

function summary(ms: readonly TarMember[]): string[] {
  return ms.map(({ entry: e, data }) => `${e.type} ${normalizeTarPath(e.name)} ${e.size}${e.linkname ? ` -> ${e.linkname}` : ''}${data ? ` ${JSON.stringify(dec.decode(data))}` : ''}`).sort();
}

const EXPECTED_TREE = [
  'directory pkg 0',
  `directory pkg/${'deep/'.repeat(30).slice(0, -1)} 0`,
  `file pkg/${LONG} 5 "long\\n"`,
  `file pkg/${VERY_LONG} 10 "very long\\n"`,
  'file pkg/desc 11 "%NAME%\\nfoo\\n"',
  'file pkg/empty 0 ""',
  'file pkg/ünïcødé 5 "utf8\\n"',
  'symlink pkg/link 0 -> desc',
  ...Array.from({ length: 29 }, (_, i) => `directory pkg/${'deep/'.repeat(i + 1).slice(0, -1)} 0`),
].sort();

const FORMATS: [string, string, string[]][] = [
  ['bsdtar', 'default (restricted pax)', []],
  ['bsdtar', 'pax', ['--format', 'pax']],
  ['bsdtar', 'gnutar', ['--format', 'gnutar']],
  ['tar', 'gnu', ['--format=gnu']],
  ['tar', 'oldgnu', ['--format=oldgnu']],
  ['tar', 'pax', ['--format=pax']],
  ['tar', 'posix with global header', ['--format=posix', '--pax-option=globexthdr.name=%d/GlobalHead.0,comment=hello']],
];

describe('reading archives made by the real tools', () => {
  for (const [tool, label, args] of FORMATS) {
    it.skipIf(!hasTool(tool))(`${tool} ${label}${hasTool(tool) ? '' : ` (skipped: ${tool} not installed)`}`, async () => {
      const bytes = runTool(tool, ['-c', '-f', '-', ...args, 'pkg'], undefined, tree);
      const sync = members(bytes);
      expect(summary(sync)).toEqual(EXPECTED_TREE);
      for (const size of [1, 511, 512, 4096]) expect(summary(await readAll(bytes, size)), `chunk ${size}`).toEqual(EXPECTED_TREE);
      expect(summary(members(unaligned(bytes)))).toEqual(EXPECTED_TREE);
      if (label.includes('global')) expect(sync[0]!.entry.pax['comment']).toBe('hello');
    });
  }

  it.skipIf(!hasTool('tar'))(`ustar and v7 from GNU tar (the formats that cannot hold every name)${missingToolNote('tar')}`, () => {
    const bytes = runTool('tar', ['-c', '-f', '-', '--format=ustar', 'pkg/desc', `pkg/${LONG}`], undefined, tree);
    expect(summary(members(bytes))).toEqual([`file pkg/${LONG} 5 "long\\n"`, 'file pkg/desc 11 "%NAME%\\nfoo\\n"']);
    const v7 = runTool('tar', ['-c', '-f', '-', '--format=v7', 'pkg/desc', 'pkg/empty'], undefined, tree);
    const ms = members(v7);
    expect(summary(ms)).toEqual(['file pkg/desc 11 "%NAME%\\nfoo\\n"', 'file pkg/empty 0 ""']);
    expect(ms[0]!.entry.uname).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-made quirks

interface RawHeader {
  name?: string;
  type?: string;
  size?: number | Uint8Array;
  magic?: 'ustar' | 'gnu' | 'v7';
  prefix?: string;
  linkname?: string;
  mode?: number;
  mtime?: number;
  checksumDelta?: number;
}

function rawHeader(h: RawHeader): Uint8Array {
  const b = new Uint8Array(512);
  const put = (at: number, s: string): void => b.set(enc.encode(s), at);
  put(0, h.name ?? 'f');
  put(100, `${(h.mode ?? 0o644).toString(8).padStart(7, '0')}\0`);
  put(108, '0000000\0');
  put(116, '0000000\0');
  const size = h.size ?? 0;
  if (typeof size === 'number') put(124, `${size.toString(8).padStart(11, '0')}\0`);
  else b.set(size, 124);
  put(136, `${(h.mtime ?? 0).toString(8).padStart(11, '0')}\0`);
  put(156, h.type ?? '0');
  put(157, h.linkname ?? '');
  const magic = h.magic ?? 'ustar';
  if (magic === 'ustar') put(257, 'ustar\x0000');
  if (magic === 'gnu') put(257, 'ustar  \0');
  if (h.prefix !== undefined) put(345, h.prefix);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const c of b) sum += c;
  put(148, `${(sum + (h.checksumDelta ?? 0)).toString(8).padStart(6, '0')}\0 `);
  return b;
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

function archive(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function file(name: string, text: string, extra: RawHeader = {}): Uint8Array {
  const data = enc.encode(text);
  return archive(rawHeader({ name, size: data.length, ...extra }), padded(data));
}

function paxBody(records: Record<string, string>): Uint8Array {
  let s = '';
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`;
    let len = rest.length + 1;
    while (String(len).length + enc.encode(rest).length !== len) len = String(len).length + enc.encode(rest).length;
    s += `${len}${rest}`;
  }
  return enc.encode(s);
}

function pax(type: 'x' | 'g', records: Record<string, string>): Uint8Array {
  const body = paxBody(records);
  return archive(rawHeader({ name: 'PaxHeader', type, size: body.length }), padded(body));
}

const END = new Uint8Array(1024);

/**
 * Both drivers must agree on every quirk: same members, or the same error — parseTar (also over
 * an unaligned buffer) and readTar; and `includeDirectories: false` leaves out the directories
 * and nothing else.
 */
async function both(bytes: Uint8Array, options?: TarReadOptions): Promise<TarMember[]> {
  const sync = members(bytes, options);
  const want = summary(sync);
  expect(summary(await readAll(bytes, 100, options))).toEqual(want);
  expect(summary(members(unaligned(bytes), options))).toEqual(want);
  expect(summary(members(bytes, { ...options, includeDirectories: false }))).toEqual(summary(sync.filter((m) => m.entry.type !== 'directory')));
  return sync;
}

async function bothFail(bytes: Uint8Array, options?: TarReadOptions): Promise<{ code: string; offset: number | undefined }> {
  const e = rpmError(() => members(bytes, options));
  const want = { code: e.code, offset: e.offset };
  const e2 = await rpmErrorAsync(readAll(bytes, 100, options));
  expect({ code: e2.code, offset: e2.offset }).toEqual(want);
  const e3 = rpmError(() => members(unaligned(bytes), options));
  expect({ code: e3.code, offset: e3.offset }).toEqual(want);
  const e5 = rpmError(() => members(bytes, { ...options, includeDirectories: false }));
  expect({ code: e5.code, offset: e5.offset }).toEqual(want);
  return want;
}

describe('format quirks (one tiny archive each)', () => {
  it('pax per-file records override path, linkpath, size, mtime, uid and uname', async () => {
    const bytes = archive(pax('x', { path: 'real/name.txt', mtime: '1700000000.25', uid: '4000000', uname: 'ü', size: '3' }), file('short', 'abc', { size: 99 }), END);
    const [m] = await both(bytes);
    // The pax size wins over the header's (which would run past the end otherwise).
    expect(m!.entry).toMatchObject({ name: 'real/name.txt', mtime: 1700000000, uid: 4000000, uname: 'ü', size: 3 });
    expect(m!.entry.pax['mtime']).toBe('1700000000.25');
  });

  it('pax global records apply to every later member; per-file ones to one', async () => {
    const bytes = archive(pax('g', { uname: 'global', comment: 'g' }), pax('x', { uname: 'local' }), file('a', '1'), file('b', '2'), END);
    const ms = await both(bytes);
    expect(ms.map((m) => m.entry.uname)).toEqual(['local', 'global']);
    expect(ms[1]!.entry.pax).toEqual({ uname: 'global', comment: 'g' });
  });

  it('GNU long name (L) and long link (K) records', async () => {
    const name = `${'a'.repeat(150)}/file`;
    const link = `${'b'.repeat(120)}`;
    const L = enc.encode(`${name}\0`);
    const K = enc.encode(`${link}\0`);
    const bytes = archive(
      rawHeader({ name: '././@LongLink', type: 'L', size: L.length, magic: 'gnu' }),
      padded(L),
      rawHeader({ name: '././@LongLink', type: 'K', size: K.length, magic: 'gnu' }),
      padded(K),
      rawHeader({ name: name.slice(0, 100), type: '2', linkname: link.slice(0, 100), magic: 'gnu' }),
      END,
    );
    const [m] = await both(bytes);
    expect(m!.entry).toMatchObject({ name, type: 'symlink', linkname: link });
  });

  it('base-256 size field (GNU, for members over 8 GiB)', async () => {
    const size = new Uint8Array(12);
    size[0] = 0x80;
    size[11] = 5;
    const bytes = archive(rawHeader({ name: 'big', size, magic: 'gnu' }), padded(enc.encode('hello')), END);
    const [m] = await both(bytes);
    expect(m!.entry.size).toBe(5);
    expect(dec.decode(m!.data)).toBe('hello');
  });

  it('ustar prefix field joins the name', async () => {
    const [m] = await both(archive(rawHeader({ name: 'file', prefix: 'some/dir' }), END));
    expect(m!.entry.name).toBe('some/dir/file');
  });

  it('v7 headers: no magic, directories marked by a trailing slash', async () => {
    const ms = await both(archive(rawHeader({ name: 'dir/', magic: 'v7', type: '\0' }), file('dir/f', 'x', { magic: 'v7' }), END));
    expect(ms.map((m) => [m.entry.type, m.entry.name])).toEqual([
      ['directory', 'dir/'],
      ['file', 'dir/f'],
    ]);
  });

  it('ends at the first zero block; a missing end (EOF at a block boundary) is accepted like libarchive', async () => {
    expect(summary(await both(archive(file('a', '1'), new Uint8Array(512))))).toEqual(['file a 1 "1"']);
    expect(summary(await both(file('a', '1')))).toEqual(['file a 1 "1"']);
    // Garbage after the end marker is never read.
    expect(summary(await both(archive(file('a', '1'), END, enc.encode('trailing junk'))))).toEqual(['file a 1 "1"']);
    expect(summary(await both(new Uint8Array(0)))).toEqual([]);
  });

  it('a short header block, short data or missing padding is TRUNCATED', async () => {
    const good = archive(file('a', 'hello'), END);
    expect(await bothFail(good.subarray(0, 300))).toEqual({ code: 'TRUNCATED', offset: 300 });
    expect(await bothFail(good.subarray(0, 514))).toEqual({ code: 'TRUNCATED', offset: 514 });
    expect(await bothFail(good.subarray(0, 600))).toEqual({ code: 'TRUNCATED', offset: 600 });
    // An extended header with no member after it.
    expect((await bothFail(archive(pax('x', { path: 'p' }))) ).code).toBe('TRUNCATED');
  });

  it('a header checksum mismatch is TAR_BAD_HEADER at the header offset', async () => {
    expect(await bothFail(archive(file('a', '1'), rawHeader({ name: 'b', checksumDelta: 1 }), END))).toEqual({ code: 'TAR_BAD_HEADER', offset: 1024 });
    expect(await bothFail(enc.encode('this is not a tar archive'.repeat(30)))).toEqual({ code: 'TAR_BAD_HEADER', offset: 0 });
  });

  it('accepts the signed checksum old Sun tar wrote (bytes over 0x7f counted negative)', async () => {
    // 'ü' is two bytes over 0x7f: the signed sum is 2 × 256 below the unsigned one.
    const [m] = await both(archive(rawHeader({ name: 'ü', checksumDelta: -512 }), END));
    expect(m!.entry.name).toBe('ü');
    expect((await bothFail(archive(rawHeader({ name: 'ü', checksumDelta: -256 }), END))).code).toBe('TAR_BAD_HEADER');
  });

  it('malformed pax records are TAR_BAD_HEADER', async () => {
    const bad = enc.encode('99 path=x\n');
    const bytes = archive(rawHeader({ name: 'p', type: 'x', size: bad.length }), padded(bad), file('a', '1'), END);
    expect((await bothFail(bytes)).code).toBe('TAR_BAD_HEADER');
    const nonNumeric = archive(pax('x', { size: 'lots' }), file('a', '1'), END);
    expect((await bothFail(nonNumeric)).code).toBe('TAR_BAD_HEADER');
  });

  it('refuses absolute names and .. components (TAR_UNSAFE_PATH), keeps ./ prefixes', async () => {
    for (const name of ['/etc/passwd', '../evil', 'a/../../evil', 'ok/..', '..']) {
      expect(await bothFail(archive(file('fine', 'x'), file(name, 'x'), END)), name).toEqual({ code: 'TAR_UNSAFE_PATH', offset: 1024 });
    }
    // Through pax and GNU long names too, and hardlink targets.
    expect((await bothFail(archive(pax('x', { path: '../x' }), file('fine', 'x'), END))).code).toBe('TAR_UNSAFE_PATH');
    expect((await bothFail(archive(rawHeader({ name: 'h', type: '1', linkname: '/etc/shadow' }), END))).code).toBe('TAR_UNSAFE_PATH');
    // Symlink targets may point anywhere (they are data, not paths the reader writes to).
    const [m] = await both(archive(rawHeader({ name: 'l', type: '2', linkname: '../../usr/lib/x.so' }), END));
    expect(m!.entry.linkname).toBe('../../usr/lib/x.so');
    const [dot] = await both(archive(file('./.PKGINFO', 'pkgname = x\n'), END));
    expect(dot!.entry.name).toBe('./.PKGINFO');
    expect(normalizeTarPath(dot!.entry.name)).toBe('.PKGINFO');
    expect(normalizeTarPath('./usr//bin/')).toBe('usr/bin');
  });

  it.skipIf(!hasTool('bsdtar'))(`refuses what bsdtar -P stores with an absolute name${missingToolNote('bsdtar')}`, async () => {
    const bytes = runTool('bsdtar', ['-c', '-f', '-', '-P', join(tree, 'pkg', 'desc')]);
    expect((await bothFail(bytes)).code).toBe('TAR_UNSAFE_PATH');
  });

  it('devices, FIFOs and hardlinks carry no data; unknown type flags read as files', async () => {
    const ms = await both(archive(rawHeader({ name: 'fifo', type: '6', size: 0 }), rawHeader({ name: 'hl', type: '1', linkname: 'fifo' }), file('odd', 'z', { type: 'Q' }), END));
    expect(ms.map((m) => [m.entry.type, m.entry.size])).toEqual([
      ['other', 0],
      ['hardlink', 0],
      ['file', 1],
    ]);
  });
});

describe('limits and data selection', () => {
  const three = archive(file('a', 'aaaa'), file('b', 'bb'), file('c', 'c'.repeat(1000)), END);

  it('maxMembers, maxMemberSize and maxTotalSize are LIMIT_EXCEEDED', async () => {
    expect(await bothFail(three, { maxMembers: 2 })).toEqual({ code: 'LIMIT_EXCEEDED', offset: 2048 });
    expect(await bothFail(three, { maxMemberSize: 999 })).toEqual({ code: 'LIMIT_EXCEEDED', offset: 2048 + 124 });
    expect(await bothFail(three, { maxTotalSize: 1005 })).toEqual({ code: 'LIMIT_EXCEEDED', offset: 2048 });
    expect(members(three, { maxMembers: 3, maxMemberSize: 1000, maxTotalSize: 1006 })).toHaveLength(3);
    expect(rpmError(() => members(three, { maxMembers: -1 })).code).toBe('INVALID_ARGUMENT');
  });

  it('a huge pax header is LIMIT_EXCEEDED before anything is read', async () => {
    const bytes = archive(rawHeader({ name: 'p', type: 'x', size: 2 << 20 }), END);
    expect(await bothFail(bytes)).toEqual({ code: 'LIMIT_EXCEEDED', offset: 124 });
  });

  it('wantData skips unwanted data (and maxMemberSize applies only to wanted members)', async () => {
    const seen: string[] = [];
    const ms = await both(three, {
      maxMemberSize: 10,
      wantData: (e: TarEntry) => {
        seen.push(e.name);
        return e.name !== 'c';
      },
    });
    expect(ms.map((m) => m.data?.length)).toEqual([4, 2, undefined]);
    // Once per member, in order, in each of the drivers `both` runs.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual(Array.from({ length: seen.length / 3 }, () => ['a', 'b', 'c']).flat());
  });

  it('includeDirectories: false still checks and counts directories', async () => {
    const dirs = archive(rawHeader({ name: 'd/', type: '5' }), file('d/a', 'x'), rawHeader({ name: 'e/', type: '5' }), END);
    expect(members(dirs, { includeDirectories: false }).map((m) => m.entry.name)).toEqual(['d/a']);
    expect(await bothFail(dirs, { maxMembers: 2 })).toEqual({ code: 'LIMIT_EXCEEDED', offset: 1536 });
    // Left-out directories are checked on their bytes: every unsafe form, also through the ustar prefix.
    for (const [name, prefix] of [['../up/', undefined], ['/abs/', undefined], ['a/../b/', undefined], ['..', undefined], ['x/', '../p'], ['x/', '/p'], ['..', 'p']] as const) {
      const h = rawHeader({ name, type: '5', ...(prefix === undefined ? {} : { prefix }) });
      expect(await bothFail(archive(h, END)), `${prefix ?? ''} ${name}`).toEqual({ code: 'TAR_UNSAFE_PATH', offset: 0 });
    }
    expect(await bothFail(archive(rawHeader({ name: '', type: '5' }), END))).toEqual({ code: 'TAR_BAD_HEADER', offset: 0 });
    // Safe ones, including a name that starts with '/' after a prefix ("p//x/").
    for (const [name, prefix] of [['x/', 'p'], ['/x/', 'p'], ['..x/', undefined], ['x../', '...']] as const) {
      const h = rawHeader({ name, type: '5', ...(prefix === undefined ? {} : { prefix }) });
      expect((await both(archive(h, END))).map((m) => m.entry.type), `${prefix ?? ''} ${name}`).toEqual(['directory']);
    }
  });

  it('isSafeTarPath: only whole ".." components and absolute names are unsafe', () => {
    for (const ok of ['a/b', './a', 'a//b/', '..a', 'a..', 'a/..b/c', 'a/b..', '...', 'a/.../b']) expect(isSafeTarPath(ok), ok).toBe(true);
    for (const bad of ['/a', '..', '../a', 'a/..', 'a/../b', 'a\0b']) expect(isSafeTarPath(bad), bad).toBe(false);
  });

  it('readTar stops reading input when the consumer stops', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < three.length; i += 512) {
        pulled++;
        yield three.slice(i, i + 512);
      }
    }
    for await (const m of readTar(source())) {
      expect(m.entry.name).toBe('a');
      break;
    }
    expect(pulled).toBeLessThanOrEqual(2);
  });
});

// ---------------------------------------------------------------------------------------------
// Writer

const WRITE_ENTRIES: TarWriteEntry[] = [
  { name: 'pkg-1.0-1', type: 'directory' },
  { name: 'pkg-1.0-1/desc', data: enc.encode('%NAME%\npkg\n\n'), mtime: 1700000000, uname: 'root', gname: 'root' },
  { name: 'pkg-1.0-1/empty' },
  { name: LONG, data: enc.encode('long') },
  { name: VERY_LONG, data: enc.encode('very long') },
  { name: 'ünïcødé/fïle', data: enc.encode('u') },
  { name: 'link', type: 'symlink', linkname: 'pkg-1.0-1/desc' },
  { name: 'longlink', type: 'symlink', linkname: 'y'.repeat(150) },
  { name: 'exec', data: enc.encode('#!/bin/sh\n'), mode: 0o755, uid: 1000, gid: 1000 },
];

/** `-tv` listings reduced to what both tools print the same way: mode, size, name, link. */
function listing(tool: string, bytes: Uint8Array): string[] {
  const out = dec.decode(runTool(tool, ['-t', '-v', '-f', '-'], bytes, work));
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const f = line.trim().split(/\s+/);
      const modeStr = f[0]!;
      // GNU: mode owner/group size date time name ; bsdtar: mode links owner group size mon day year|time name
      const gnu = f[1]!.includes('/');
      const size = gnu ? f[2]! : f[4]!;
      const rest = f.slice(gnu ? 5 : 8).join(' ');
      return `${modeStr} ${size} ${rest}`;
    });
}

describe('writeTar', () => {
  for (const format of ['pax', 'gnu'] as const) {
    it(`${format}: round-trips through parseTar`, () => {
      const bytes = writeTar(WRITE_ENTRIES, { format });
      const ms = members(bytes);
      expect(ms.map((m) => m.entry.name)).toEqual(WRITE_ENTRIES.map((e) => (e.type === 'directory' ? `${e.name}/` : e.name)));
      expect(ms[1]!.entry).toMatchObject({ mtime: 1700000000, uname: 'root', gname: 'root', mode: 0o644 });
      expect(ms[8]!.entry).toMatchObject({ mode: 0o755, uid: 1000, gid: 1000 });
      expect(ms[7]!.entry.linkname).toBe('y'.repeat(150));
      expect(dec.decode(ms[4]!.data)).toBe('very long');
      expect(writeTar(WRITE_ENTRIES, { format })).toEqual(bytes);
    });

    it.skipIf(!hasTool('bsdtar') || !hasTool('tar'))(`${format}: bsdtar and GNU tar list it identically${missingToolNote('bsdtar', 'tar')}`, () => {
      const bytes = writeTar(WRITE_ENTRIES, { format });
      const bsd = listing('bsdtar', bytes);
      expect(listing('tar', bytes)).toEqual(bsd);
      expect(bsd).toContain(`-rw-r--r-- 4 ${LONG}`);
      expect(bsd).toContain(`lrwxrwxrwx 0 longlink -> ${'y'.repeat(150)}`);
      expect(bsd).toContain('drwxr-xr-x 0 pkg-1.0-1/');
      expect(bsd).toContain('-rwxr-xr-x 10 exec');
    });
  }

  it('pax writes plain ustar headers unless a member needs more (restricted pax)', () => {
    const plain = writeTar([{ name: 'index.plist', data: enc.encode('<plist/>'), uname: 'root', gname: 'root' }]);
    expect(plain.length).toBe(512 * 4); // header, data, two zero blocks: no pax header, no record padding
    expect(dec.decode(plain.subarray(257, 265))).toBe('ustar\x0000');
    // The fields as libarchive writes them (checked against xbps-rindex output in the reference).
    expect(dec.decode(plain.subarray(100, 108))).toBe('000644 \0');
    expect(dec.decode(plain.subarray(124, 136))).toBe('00000000010 ');
    const withPax = writeTar([{ name: 'ü', data: enc.encode('x') }]);
    expect(withPax[156]).toBe('x'.charCodeAt(0));
    expect(writeTar([{ name: 'a' }], { padToRecord: true }).length).toBe(10240);
  });

  it.skipIf(!hasTool('bsdtar') || !hasTool('tar'))(`ustar: matches what bsdtar --format ustar lists; refuses what does not fit${missingToolNote('bsdtar', 'tar')}`, () => {
    const ok = WRITE_ENTRIES.filter((e) => e.name !== VERY_LONG && !e.name.startsWith('ü') && e.name !== 'longlink');
    const bytes = writeTar(ok, { format: 'ustar' });
    expect(listing('bsdtar', bytes)).toEqual(listing('tar', bytes));
    expect(rpmError(() => writeTar([{ name: VERY_LONG }], { format: 'ustar' })).code).toBe('INVALID_ARGUMENT');
  });

  it('refuses unsafe names and inconsistent entries', () => {
    for (const bad of [{ name: '../x' }, { name: '/abs' }, { name: '' }, { name: 'd', type: 'directory' as const, data: enc.encode('x') }, { name: 'l', type: 'symlink' as const }]) {
      expect(rpmError(() => writeTar([bad])).code, JSON.stringify(bad)).toBe('INVALID_ARGUMENT');
    }
  });

  it.skipIf(!hasTool('tar'))(`extracts with GNU tar to the same bytes${missingToolNote('tar')}`, () => {
    const dir = join(work, 'extract');
    mkdirSync(dir);
    runTool('tar', ['-x', '-f', '-', '-C', dir], writeTar(WRITE_ENTRIES));
    const catted = runTool('cat', [join(dir, LONG), join(dir, VERY_LONG), join(dir, 'ünïcødé/fïle')]);
    expect(dec.decode(catted)).toBe('longvery longu');
  });
});
