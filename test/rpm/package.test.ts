/**
 * Package framing (rpm.md §1.1-1.2, §2.1): lead, signature header, padding, main header, offsets,
 * SIZE cross-check, and every input kind readRpm / readRpmSync accept, including the guarantee that
 * only header bytes are read (a 2 GiB sparse file) and that a Node stream is left at the payload.
 *
 * Synthetic packages come from ./hdr-builder.ts; a few checks use the shared corpus and are skipped
 * (with the reason in the title) when ../shared is absent.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { rpmTagsToJson } from '../../src/rpm/json.js';
import { rpmMetadata } from '../../src/rpm/metadata.js';
import { parseLead, parseRpm, readRpm, readRpmSync, type ReadRpmOptions, type RpmPackage } from '../../src/rpm/package.js';
import { verifyRpm } from '../../src/rpm/digest.js';
import { RpmType as T } from '../../src/rpm/types.js';
import { rpmError, rpmErrorAsync, expectError } from '../helpers/errors.js';
import { buildLead, buildPackage, concat, minimalMainEntries } from './hdr-builder.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PUBLIC = join(REPO_ROOT, '..', 'shared', 'corpus', 'rpm', 'public');
const HAVE_CORPUS = existsSync(join(PUBLIC, 'MANIFEST.json'));
const NO_CORPUS = `skipped: the shared corpus is absent (no ${PUBLIC}; ../shared is resolved from the repo root)`;
const HELLO = join(PUBLIC, 'rpm-software-management_rpm/RPMS/hello-2.0-1.x86_64.rpm');

const TMP = mkdtempSync(join(tmpdir(), 'repokit-rpm-package-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));




/** A deterministic PRNG (mulberry32) so chunkings are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function chunk(bytes: Uint8Array, seed: number, maxChunk: number): Buffer[] {
  const rnd = prng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(rnd() * maxChunk);
    out.push(Buffer.from(bytes.subarray(i, i + n)));
    i += n;
  }
  return out;
}

async function drain(stream: Readable): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(typeof c === 'string' ? Buffer.from(c) : (c as Uint8Array));
  return concat(...parts);
}

function webStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

/** What must be the same whichever way a package was read. */
function essence(pkg: RpmPackage) {
  return { lead: pkg.lead, tags: rpmTagsToJson(pkg), offsets: { ...pkg.offsets, fileSize: undefined }, format: pkg.format };
}

const built = buildPackage();

describe('lead (P1)', () => {
  it('fields are decoded', () => {
    const lead = parseLead(buildLead({ major: 3, minor: 0, type: 1, archnum: 16, name: 'hello-2.0-1', osnum: 1, signatureType: 5 }));
    expect(lead).toEqual({ major: 3, minor: 0, type: 1, archnum: 16, name: 'hello-2.0-1', osnum: 1, signatureType: 5 });
  });

  it('bad magic', () => {
    const b = built.bytes.slice();
    b[0] = 0;
    expectError(() => parseRpm(b), 'RPM_BAD_LEAD', 0);
  });

  it('a file shorter than the lead', () => {
    expectError(() => parseRpm(built.bytes.subarray(0, 50)), 'RPM_BAD_LEAD', 0);
    expectError(() => parseRpm(new Uint8Array(0)), 'RPM_BAD_LEAD', 0);
  });

  it('odd major version and signature type are only warnings (rpm >= 4.19.1 checks the magic only)', () => {
    const p = buildPackage({ lead: { major: 5, signatureType: 1 } });
    const pkg = parseRpm(p.bytes);
    expect(pkg.lead).toMatchObject({ major: 5, signatureType: 1 });
    expect(pkg.warnings).toMatchSnapshot();
    expect(parseRpm(buildPackage({ lead: { major: 4 } }).bytes).warnings).toEqual([]);
  });
});

describe('framing and offsets', () => {
  it('offsets, headerBytes and headerRange of a synthetic package', () => {
    const pkg = parseRpm(built.bytes);
    expect(built.pad).toBe(4); // SIZE (4 bytes) + trailer (16): dl 20
    expect(pkg.offsets).toEqual({
      signature: 96,
      signaturePadding: 4,
      header: built.H,
      payload: built.P,
      fileSize: built.bytes.length,
    });
    expect(pkg.headerBytes).toEqual(built.bytes.subarray(built.H, built.P));
    expect(pkg.signature.base).toBe(96);
    expect(pkg.header.base).toBe(built.H);
    expect(rpmMetadata(pkg).headerRange).toEqual({ start: built.H, end: built.P });
    expect(pkg.warnings).toEqual([]);
  });

  it('a package without signature padding (dl multiple of 8)', () => {
    const p = buildPackage({ size: 'longsize' }); // INT64 8 bytes + trailer 16 = 24
    expect(p.pad).toBe(0);
    expect(parseRpm(p.bytes).offsets).toMatchObject({ signaturePadding: 0, header: 96 + p.sig.bytes.length });
  });

  it('a clean synthetic package passes the strict profile', () => {
    expect(parseRpm(built.bytes, { profile: 'strict' }).warnings).toEqual([]);
  });

  it('truncated inside the signature header, the padding, the main header', () => {
    const sigEnd = 96 + built.sig.bytes.length;
    expectError(() => parseRpm(built.bytes.subarray(0, 100)), 'TRUNCATED', 100);
    expectError(() => parseRpm(built.bytes.subarray(0, sigEnd - 3)), 'TRUNCATED', sigEnd - 3);
    expectError(() => parseRpm(built.bytes.subarray(0, sigEnd + 2)), 'TRUNCATED', sigEnd + 2);
    expectError(() => parseRpm(built.bytes.subarray(0, built.H + 10)), 'TRUNCATED', built.H + 10);
    expectError(() => parseRpm(built.bytes.subarray(0, built.P - 1)), 'TRUNCATED', built.P - 1);
  });

  it('a package that ends right after the main header (empty payload) parses', () => {
    const p = buildPackage({ payload: new Uint8Array(0) });
    expect(parseRpm(p.bytes).offsets).toMatchObject({ payload: p.bytes.length, fileSize: p.bytes.length });
  });

  it('errors in the main header are positioned absolutely', () => {
    const b = built.bytes.slice();
    b[built.H] = 0;
    expectError(() => parseRpm(b), 'RPM_BAD_HEADER_MAGIC', built.H);
  });

  it('limits via options: lowered per header', () => {
    expectError(() => parseRpm(built.bytes, { limits: { header: { maxIndexEntries: 2 } } }), 'LIMIT_EXCEEDED', built.H + 8);
    expectError(() => parseRpm(built.bytes, { limits: { signature: { maxDataBytes: 4 } } }), 'LIMIT_EXCEEDED', 96 + 12);
  });
});

describe('signature padding (P3)', () => {
  const dirty = buildPackage({ padByte: 0xaa });

  it('rpm ignores the padding bytes', () => {
    expect(parseRpm(dirty.bytes).offsets.header).toBe(dirty.H);
  });

  it('strict requires zeros', () => {
    expectError(() => parseRpm(dirty.bytes, { profile: 'strict' }), 'RPM_BAD_PADDING', 96 + dirty.sig.bytes.length);
  });
});

describe('SIZE / LONGSIZE cross-check (P5)', () => {
  const junk = concat(built.bytes, Uint8Array.of(1, 2, 3));

  it('a mismatch is a warning', () => {
    const pkg = parseRpm(junk);
    expect(pkg.offsets.fileSize).toBe(junk.length);
    expect(pkg.warnings).toMatchSnapshot();
  });

  it('strict turns it into RPM_SIZE_MISMATCH at the main header', () => {
    expectError(() => parseRpm(junk, { profile: 'strict' }), 'RPM_SIZE_MISMATCH', built.H);
  });

  it('LONGSIZE is checked the same way', () => {
    const p = buildPackage({ size: 'longsize' });
    expect(parseRpm(p.bytes).warnings).toEqual([]);
    expectError(() => parseRpm(concat(p.bytes, Uint8Array.of(0)), { profile: 'strict' }), 'RPM_SIZE_MISMATCH', p.H);
  });

  it('a wrong SIZE value is noticed on an exact-length file', () => {
    const p = buildPackage({ size: 12345 });
    expect(parseRpm(p.bytes).warnings).toHaveLength(1);
  });

  it('no size tag, nothing to check', () => {
    const p = buildPackage({ size: 'none', sig: [{ tag: 273, type: T.STRING, value: 'a'.repeat(64) }] });
    expect(parseRpm(concat(p.bytes, Uint8Array.of(9)), { profile: 'strict' }).warnings).toEqual([]);
  });

  it('streams have no known size, so no check', async () => {
    const pkg = await readRpm(Readable.from([Buffer.from(junk)]), { profile: 'strict' });
    expect(pkg.offsets.fileSize).toBeUndefined();
    expect(pkg.warnings).toEqual([]);
  });
});

describe('format and isSource', () => {
  it('synthetic: 4 with a region, 3 without, 6 with RPMFORMAT 6', () => {
    expect(parseRpm(built.bytes).format).toBe(4);
    const v3 = parseRpm(buildPackage({ mainOptions: { region: null }, sigOptions: { region: null } }).bytes);
    expect(v3.format).toBe(3);
    expect(v3.warnings).toMatchSnapshot();
    const v6 = buildPackage({ main: minimalMainEntries([{ tag: 5114, type: T.INT32, value: [6] }]) });
    expect(parseRpm(v6.bytes).format).toBe(6);
  });

  it('synthetic: SOURCERPM means binary; SOURCEPACKAGE or no SOURCERPM means source', () => {
    expect(parseRpm(built.bytes).isSource).toBe(false);
    const srcpkg = buildPackage({ main: minimalMainEntries([{ tag: 1106, type: T.INT32, value: [1] }]) });
    expect(parseRpm(srcpkg.bytes).isSource).toBe(true);
    const noSourceRpm = buildPackage({ main: minimalMainEntries().filter((e) => e.tag !== 1044) });
    expect(parseRpm(noSourceRpm.bytes).isSource).toBe(true);
  });

  describe.skipIf(!HAVE_CORPUS)(HAVE_CORPUS ? 'corpus packages' : `corpus packages (${NO_CORPUS})`, () => {
    it.each([
      ['rpm-software-management_rpm/RPMS/hello-1.0-1.x86_64.rpm-v3', 3, false],
      ['rpm-software-management_rpm/RPMS/hello-2.0-1.x86_64.rpm', 4, false],
      ['rpm-software-management_rpm/SRPMS/foo-1.0-1.src.rpm', 4, true],
      ['rpm-rs_rpm/RPMS/v6/rpm-basic-2.3.4-5.el9.noarch.rpm', 6, false],
      ['rpm-rs_rpm/SRPMS/v6/rpm-basic-2.3.4-5.el9.src.rpm', 6, true],
      ['rpm-software-management_rpm/RPMS/hlinktest-1.0-1.noarch-v3sig.rpm', 6, false],
      ['cavaliergopher_rpm/centos-release-as-2.1AS-4.noarch.rpm', 4, false],
    ] as const)('%s: format %i, source %s', (file, format, isSource) => {
      const pkg = readRpmSync(join(PUBLIC, file));
      expect({ format: pkg.format, isSource: pkg.isSource }).toEqual({ format, isSource });
    });

    it('hello-2.0-1.x86_64.rpm offsets are the worked example of rpm.md §1.1', () => {
      const pkg = readRpmSync(HELLO);
      expect(pkg.offsets).toEqual({ signature: 96, signaturePadding: 4, header: 4504, payload: 7160, fileSize: 9915 });
      expect(pkg.signature.getNumber(1000)).toBe(9915 - 4504);
      expect(pkg.headerBytes.length).toBe(7160 - 4504);
      expect(rpmMetadata(pkg).headerRange).toEqual({ start: 4504, end: 7160 });
    });

    it('centos-release-as (signature pad 7) and badima (dribbles) frame correctly', () => {
      const as = readRpmSync(join(PUBLIC, 'cavaliergopher_rpm/centos-release-as-2.1AS-4.noarch.rpm'));
      expect(as.offsets.signaturePadding).toBe(7);
      const badima = readRpmSync(join(PUBLIC, 'rpm-software-management_rpm/RPMS/hello-2.0-1.x86_64-badima.rpm'));
      expect({ il: badima.signature.il, ril: badima.signature.region?.ril }).toEqual({ il: 10, ril: 8 });
      expect(() => readRpmSync(join(PUBLIC, 'rpm-software-management_rpm/RPMS/hello-2.0-1.x86_64-badima.rpm'), { profile: 'strict' })).toThrow();
    });
  });
});

describe('input kinds', () => {
  const path = join(TMP, 'input-kinds.rpm');
  writeFileSync(path, built.bytes);
  const reference = essence(parseRpm(built.bytes));

  it('path string (async and sync)', async () => {
    const a = await readRpm(path);
    expect(essence(a)).toEqual(reference);
    expect(a.offsets.fileSize).toBe(built.bytes.length);
    const s = readRpmSync(path);
    expect(essence(s)).toEqual(reference);
    expect(s.offsets.fileSize).toBe(built.bytes.length);
  });

  it('file URL (async and sync)', async () => {
    const url = pathToFileURL(path);
    expect(essence(await readRpm(url))).toEqual(reference);
    expect(essence(readRpmSync(url))).toEqual(reference);
  });

  it('Uint8Array, also a view at a non-zero byteOffset', async () => {
    const big = new Uint8Array(built.bytes.length + 13);
    big.set(built.bytes, 7);
    const view = big.subarray(7, 7 + built.bytes.length);
    for (const input of [built.bytes, view]) {
      expect(essence(await readRpm(input))).toEqual(reference);
      expect(essence(readRpmSync(input))).toEqual(reference);
      expect(parseRpm(input).offsets.fileSize).toBe(built.bytes.length);
    }
  });

  it('ArrayBuffer', async () => {
    const ab = built.bytes.slice().buffer;
    expect(essence(await readRpm(ab))).toEqual(reference);
    expect(essence(readRpmSync(ab))).toEqual(reference);
  });

  describe('Node Readable: parses, and leaves the stream at the payload', () => {
    it.each([
      ['1-byte chunks', 1, 1],
      ['random chunks up to 7 bytes', 2, 7],
      ['random chunks up to 64 bytes', 3, 64],
      ['random chunks up to 4 KiB', 4, 4096],
    ])('%s (objectMode)', async (_name, seed, max) => {
      const stream = Readable.from(chunk(built.bytes, seed, max));
      const pkg = await readRpm(stream);
      expect(essence(pkg)).toEqual(reference);
      expect(pkg.offsets.fileSize).toBeUndefined();
      expect(await drain(stream)).toEqual(built.payload);
    });

    it('random chunks, byte mode (objectMode false)', async () => {
      const stream = Readable.from(chunk(built.bytes, 5, 50), { objectMode: false });
      expect(essence(await readRpm(stream))).toEqual(reference);
      expect(await drain(stream)).toEqual(built.payload);
    });

    it('the whole file in one chunk', async () => {
      const stream = Readable.from([Buffer.from(built.bytes)]);
      expect(essence(await readRpm(stream))).toEqual(reference);
      expect(await drain(stream)).toEqual(built.payload);
    });

    it('a chunk boundary exactly at the payload start', async () => {
      const stream = Readable.from([Buffer.from(built.bytes.subarray(0, built.P)), Buffer.from(built.payload)]);
      await readRpm(stream);
      expect(await drain(stream)).toEqual(built.payload);
    });

    it.skipIf(!HAVE_CORPUS)(`a real package in random chunks${HAVE_CORPUS ? '' : ` (${NO_CORPUS})`}`, async () => {
      const bytes = new Uint8Array(readFileSync(HELLO));
      const stream = Readable.from(chunk(bytes, 6, 300));
      const pkg = await readRpm(stream);
      expect(pkg.offsets.payload).toBe(7160);
      expect(await drain(stream)).toEqual(bytes.subarray(7160));
    });

    it('a stream that errors is IO_ERROR', async () => {
      const stream = new Readable({
        read() {
          this.push(Buffer.from(built.bytes.subarray(0, 100)));
          this.destroy(new Error('disk on fire'));
        },
      });
      const e = await rpmErrorAsync(readRpm(stream));
      expect(e.code).toBe('IO_ERROR');
      expect(e.message).toMatchSnapshot();
    });

    it('a stream that ends early is TRUNCATED', async () => {
      const e = await rpmErrorAsync(readRpm(Readable.from([Buffer.from(built.bytes.subarray(0, built.H + 20))])));
      expect({ code: e.code, offset: e.offset }).toEqual({ code: 'TRUNCATED', offset: built.H + 20 });
    });
  });

  it('web ReadableStream', async () => {
    expect(essence(await readRpm(webStream(chunk(built.bytes, 7, 33))))).toEqual(reference);
    expect(essence(await readRpm(webStream([built.bytes])))).toEqual(reference);
  });

  it('readRpmSync refuses streams', () => {
    const e = rpmError(() => readRpmSync(Readable.from([]) as unknown as Uint8Array));
    expect(e.code).toBe('INVALID_ARGUMENT');
  });

  it('readRpm refuses other values', async () => {
    const e = await rpmErrorAsync(readRpm(42 as unknown as Uint8Array));
    expect(e.code).toBe('INVALID_ARGUMENT');
  });
});

describe('only header bytes are read', () => {
  /*
   * Method: a 2 GiB sparse file (the package's bytes up to the payload, then ftruncate: a hole, so
   * it costs no disk) is read through its path while fs.read (async) and
   * fs.readSync (sync) are spied on. Both file sources read with explicit positions, so the spies
   * see every byte range requested; the union must be exactly [0, P). This does not depend on
   * timing (speed belongs to the benchmark, not to unit tests).
   */
  const GiB2 = 2 * 1024 * 1024 * 1024;
  const source = HAVE_CORPUS ? new Uint8Array(readFileSync(HELLO)) : built.bytes;
  const P = HAVE_CORPUS ? 7160 : built.P;
  const sparse = join(TMP, 'sparse-2GiB.rpm');
  writeFileSync(sparse, source.subarray(0, P));
  truncateSync(sparse, GiB2);

  function coverage(ranges: { position: number; length: number }[]): { bytes: number; end: number } {
    return { bytes: ranges.reduce((n, r) => n + r.length, 0), end: Math.max(...ranges.map((r) => r.position + r.length)) };
  }

  it('readRpm(path) reads [0, P) and nothing else', async () => {
    // The async file source uses fs.read(fd, buffer, offset, length, position, callback).
    const fs = process.getBuiltinModule('node:fs');
    const spy = vi.spyOn(fs, 'read');
    try {
      const pkg = await readRpm(sparse);
      expect(pkg.offsets).toMatchObject({ payload: P, fileSize: GiB2 });
      const ranges = spy.mock.calls.map((c) => {
        const args = c as unknown[];
        return { length: args[3] as number, position: args[4] as number };
      });
      expect(ranges.length).toBeGreaterThan(0);
      expect(coverage(ranges)).toEqual({ bytes: P, end: P });
      // SIZE no longer matches the (2 GiB) file: a warning in the rpm profile.
      expect(pkg.warnings.some((w) => w.includes('SIZE'))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('readRpmSync(path) reads [0, P) and nothing else', () => {
    const fs = process.getBuiltinModule('node:fs');
    const spy = vi.spyOn(fs, 'readSync');
    try {
      const pkg = readRpmSync(sparse);
      expect(pkg.offsets).toMatchObject({ payload: P, fileSize: GiB2 });
      // readSync(fd, buffer, offset, length, position)
      const ranges = spy.mock.calls.map((c) => {
        const args = c as unknown[];
        return { length: args[3] as number, position: args[4] as number };
      });
      expect(coverage(ranges)).toEqual({ bytes: P, end: P });
    } finally {
      spy.mockRestore();
    }
  });
});

describe('errors name the file when read from a path', () => {
  const bad = join(TMP, 'bad-lead.rpm');
  writeFileSync(bad, concat(Uint8Array.of(1, 2, 3, 4), new Uint8Array(200)));
  const badMain = join(TMP, 'bad-main.rpm');
  const b = built.bytes.slice();
  b[built.H + 1] = 0;
  writeFileSync(badMain, b);
  const junk = join(TMP, 'junk-after.rpm');
  writeFileSync(junk, concat(built.bytes, Uint8Array.of(0)));
  const missing = join(TMP, 'does-not-exist.rpm');

  it.each([
    ['bad lead', bad, 'RPM_BAD_LEAD', {}],
    ['bad main header magic', badMain, 'RPM_BAD_HEADER_MAGIC', {}],
    ['strict size mismatch', junk, 'RPM_SIZE_MISMATCH', { profile: 'strict' }],
    ['missing file', missing, 'IO_ERROR', {}],
  ] as const)('%s', async (_name, file, code, options: ReadRpmOptions) => {
    for (const e of [await rpmErrorAsync(readRpm(file, options)), rpmError(() => readRpmSync(file, options))]) {
      expect(e.code).toBe(code);
      expect(e.file).toBe(file);
      expect(e.message.startsWith(`${file}: `)).toBe(true);
      expect(e.toJSON()['file']).toBe(file);
    }
  });

  it('file URLs are reported as paths', async () => {
    const e = await rpmErrorAsync(readRpm(pathToFileURL(bad)));
    expect(e.file).toBe(bad);
  });

  it('buffers have no file', () => {
    const e = rpmError(() => parseRpm(readFileSync(bad)));
    expect(e.file).toBeUndefined();
    expect(e.message).toMatchSnapshot();
  });
});

describe('paths that are not regular files (a FIFO, like /dev/stdin or <(...))', () => {
  const pkgFile = join(REPO_ROOT, 'fixtures/rpm/hello-1.0-1.noarch.rpm');
  const fifo = (name: string): string => {
    const p = join(TMP, name);
    execFileSync('mkfifo', [p]);
    // The writer is another process: a synchronous read would block this one's event loop.
    spawn('sh', ['-c', 'cat "$0" > "$1"', pkgFile, p], { stdio: 'ignore' });
    return p;
  };

  it('readRpmSync reads sequentially and leaves the size unknown', () => {
    const pkg = readRpmSync(fifo('sync.fifo'));
    expect(rpmTagsToJson(pkg)).toEqual(rpmTagsToJson(readRpmSync(pkgFile)));
    expect(pkg.offsets.fileSize).toBeUndefined();
  });

  it('readRpm falls back to sequential reads', async () => {
    const pkg = await readRpm(fifo('async.fifo'));
    expect(rpmTagsToJson(pkg)).toEqual(rpmTagsToJson(readRpmSync(pkgFile)));
    expect(pkg.offsets.fileSize).toBeUndefined();
  });

  it('verifyRpm reads a FIFO to its end', async () => {
    const r = await verifyRpm(fifo('verify.fifo'));
    expect(r.ok).toBe(true);
    expect(r.package.offsets.fileSize).toBe(readFileSync(pkgFile).length);
  });
});
