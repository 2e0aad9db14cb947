/**
 * Reading pkglists: in memory (parsePkglist) and streamed (readPkglist) from files, bytes, Node
 * and web streams and chunk iterables, plain, xz (one and several concatenated streams, made by
 * the real `xz`) and bzip2 (made by the real `bzip2`), with the offsets and codes of rpm's
 * per-header checks.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHeader, RpmType } from '../../src/rpm/index.js';
import { parsePkglist, readPkglist, readPkglistHeaders } from '../../src/aptrpm/index.js';
import { concatBytes } from '../../src/shared/bytes.js';
import { rpmError, rpmErrorAsync } from '../helpers/errors.js';
import { hasTool, missingToolNote } from '../shared/tools.js';
import { APT_CORPUS, HAVE_CORPUS, NO_CORPUS, describeWithCompressors } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'repokit-aptrpm-reader-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function header(name: string, extra: { tag: number; type: RpmType; value: string | string[] | number[] }[] = []): Uint8Array {
  return encodeHeader([{ tag: 1000, type: RpmType.STRING, value: name }, { tag: 1001, type: RpmType.STRING, value: '1.0' }, ...extra]);
}

const three = concatBytes([header('a'), header('bb', [{ tag: 1010, type: RpmType.INT32, value: [7] }]), header('ccc')]);

async function names(input: Parameters<typeof readPkglist>[0]): Promise<string[]> {
  return (await readPkglistHeaders(input)).map((h) => h.getString(1000)!);
}

describe('parsePkglist', () => {
  it('reads headers back to back, with their offsets', () => {
    const got = [...parsePkglist(three)];
    expect(got.map((e) => [e.index, e.offset, e.header.getString(1000)])).toEqual([
      [0, 0, 'a'],
      [1, header('a').length, 'bb'],
      [2, header('a').length + header('bb', [{ tag: 1010, type: RpmType.INT32, value: [7] }]).length, 'ccc'],
    ]);
    expect(got[1]!.header.base).toBe(got[1]!.offset);
  });

  it('an empty list has no headers', () => {
    expect([...parsePkglist(new Uint8Array(0))]).toEqual([]);
  });

  it('a list cut inside a header is TRUNCATED at its end', () => {
    const cut = three.subarray(0, three.length - 3);
    const e = rpmError(() => [...parsePkglist(cut)]);
    expect({ code: e.code, offset: e.offset }).toEqual({ code: 'TRUNCATED', offset: cut.length });
    const e2 = rpmError(() => [...parsePkglist(concatBytes([three, new Uint8Array(5)]))]);
    expect({ code: e2.code, offset: e2.offset }).toEqual({ code: 'TRUNCATED', offset: three.length });
  });

  it('garbage between headers is a bad magic at its offset', () => {
    const a = header('a');
    const bad = concatBytes([a, new Uint8Array(16).fill(0x41), header('b')]);
    const e = rpmError(() => [...parsePkglist(bad)]);
    expect({ code: e.code, offset: e.offset }).toEqual({ code: 'RPM_BAD_HEADER_MAGIC', offset: a.length });
  });

  it("a header without NAME is refused as apt refuses it ('Corrupt pkglist'), unless asked not to", () => {
    const noName = encodeHeader([{ tag: 1001, type: RpmType.STRING, value: '1' }]);
    const list = concatBytes([header('a'), noName]);
    const e = rpmError(() => [...parsePkglist(list)]);
    expect({ code: e.code, offset: e.offset }).toEqual({ code: 'APTRPM_BAD_PKGLIST', offset: header('a').length });
    expect([...parsePkglist(list, { requireName: false })].length).toBe(2);
  });

  it("rpm's per-header checks apply: misaligned INT32 data is refused at the entry", () => {
    const h = header('x', [{ tag: 1010, type: RpmType.INT32, value: [1] }]).slice();
    // Entry 2 (tag 1010) offset field: make it 1 (misaligned).
    const dv = new DataView(h.buffer);
    expect(dv.getUint32(16 + 2 * 16)).toBe(1010);
    dv.setUint32(16 + 2 * 16 + 8, dv.getUint32(16 + 2 * 16 + 8) + 1);
    const e = rpmError(() => [...parsePkglist(h)]);
    expect(e.code).toBe('RPM_BAD_ENTRY');
    expect(e.offset).toBe(16 + 2 * 16);
  });

  it('limits can be lowered: a header over maxDataBytes is LIMIT_EXCEEDED before it is read', () => {
    const e = rpmError(() => [...parsePkglist(three, { limits: { maxDataBytes: 4 } })]);
    expect({ code: e.code, offset: e.offset }).toEqual({ code: 'LIMIT_EXCEEDED', offset: 12 });
  });

  it('compressed input is named, not misread', () => {
    const e = rpmError(() => [...parsePkglist(Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 0, 0))]);
    expect(e.code).toBe('APTRPM_BAD_PKGLIST');
    expect(e.message).toContain('xz');
  });
});

describe('readPkglist', () => {
  it('reads bytes, chunk iterables of any split, Node and web streams, paths and URLs', async () => {
    const want = ['a', 'bb', 'ccc'];
    expect(await names(three)).toEqual(want);
    const ones = Array.from(three, (b) => Uint8Array.of(b));
    expect(await names(ones)).toEqual(want);
    expect(await names(Readable.from([three.subarray(0, 20), three.subarray(20)]))).toEqual(want);
    expect(await names(new Blob([three.slice().buffer as ArrayBuffer]).stream())).toEqual(want);
    const file = join(tmp, 'pkglist.plain');
    writeFileSync(file, three);
    expect(await names(file)).toEqual(want);
    expect(await names(new URL(`file://${file}`))).toEqual(want);
  });

  it('each header owns its bytes (the reader keeps no reference to the chunks)', async () => {
    const chunk = three.slice();
    const headers = await readPkglistHeaders([chunk]);
    chunk.fill(0);
    expect(headers.map((h) => h.getString(1000))).toEqual(['a', 'bb', 'ccc']);
  });

  it('errors carry the offset in the list and the file', async () => {
    const file = join(tmp, 'pkglist.cut');
    writeFileSync(file, three.subarray(0, three.length - 1));
    const e = await rpmErrorAsync(readPkglistHeaders(file));
    expect({ code: e.code, offset: e.offset, file: e.file }).toEqual({ code: 'TRUNCATED', offset: three.length - 1, file });
    const missing = await rpmErrorAsync(readPkglistHeaders(join(tmp, 'nope')));
    expect(missing.code).toBe('IO_ERROR');
    expect(missing.file).toBe(join(tmp, 'nope'));
  });

  it('stops on a bad chunk type', async () => {
    const e = await rpmErrorAsync(readPkglistHeaders([three, 'text' as unknown as Uint8Array]));
    expect(e.code).toBe('INVALID_ARGUMENT');
  });
});

describeWithCompressors('readPkglist: xz', ['xz'], () => {
  it.skipIf(!hasTool('xz'))(`one xz stream (xz -c) and two concatenated streams (as genbasedir writes lists of 32 MiB and more)${missingToolNote('xz')}`, async () => {
    const file = join(tmp, 'list');
    writeFileSync(file, three);
    const one = execFileSync('xz', ['-c', file]);
    expect(await names(new Uint8Array(one))).toEqual(['a', 'bb', 'ccc']);
    const half = header('a').length + 7; // split inside the second header
    writeFileSync(join(tmp, 'h1'), three.subarray(0, half));
    writeFileSync(join(tmp, 'h2'), three.subarray(half));
    const two = concatBytes([execFileSync('xz', ['-c', join(tmp, 'h1')]), execFileSync('xz', ['-c', join(tmp, 'h2')])]);
    const xzFile = join(tmp, 'list.xz');
    writeFileSync(xzFile, two);
    expect(await names(xzFile)).toEqual(['a', 'bb', 'ccc']);
    // Fed one byte at a time, too.
    expect(await names(Array.from(two, (b) => Uint8Array.of(b)))).toEqual(['a', 'bb', 'ccc']);
  });

  it.skipIf(!hasTool('xz'))(`a truncated xz file is an error, not a short list${missingToolNote('xz')}`, async () => {
    const file = join(tmp, 'list2');
    writeFileSync(file, three);
    const z = new Uint8Array(execFileSync('xz', ['-c', file]));
    const e = await rpmErrorAsync(readPkglistHeaders(z.subarray(0, z.length - 10)));
    expect(['TRUNCATED', 'CORRUPT_COMPRESSED_DATA']).toContain(e.code);
  });

  it.skipIf(!HAVE_CORPUS)(HAVE_CORPUS ? 'the corpus .xz and plain lists hold the same headers' : `the corpus .xz and plain lists — ${NO_CORPUS}`, async () => {
    for (const arch of ['x86_64', 'noarch']) {
      const plain = [...parsePkglist(readFileSync(join(APT_CORPUS, 'generated', arch, 'base', 'pkglist.classic')))].map((e) => Buffer.from(e.header.bytes).toString('hex'));
      const xz = (await readPkglistHeaders(join(APT_CORPUS, 'generated', arch, 'base', 'pkglist.classic.xz'))).map((h) => Buffer.from(h.bytes).toString('hex'));
      expect(xz).toEqual(plain);
    }
  });
});

describeWithCompressors('readPkglist: bzip2', ['bzip2'], () => {
  it.skipIf(!hasTool('bzip2'))(`a bzip2 list (bzip2 -c)${missingToolNote('bzip2')}`, async () => {
    const file = join(tmp, 'list3');
    writeFileSync(file, three);
    expect(await names(new Uint8Array(execFileSync('bzip2', ['-c', file])))).toEqual(['a', 'bb', 'ccc']);
  });

  it.skipIf(!HAVE_CORPUS)(HAVE_CORPUS ? 'a bzip2 list from the corpus' : `a bzip2 list from the corpus — ${NO_CORPUS}`, async () => {
    const h = await readPkglistHeaders(join(APT_CORPUS, 'generated', 'noarch', 'base', 'pkglist.classic.bz2'));
    expect(h.length).toBe(7);
  });
});
