/**
 * Digests against the coreutils tools (md5sum, sha1sum, sha256sum, sha512sum, b2sum), one-pass
 * multi-digest hashing of files, and file chunking.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHasher, fileChunks, hashFile, type HashAlgorithm } from '../../src/shared/hash.js';
import { toHex } from '../../src/shared/bytes.js';
import { rpmError, rpmErrorAsync } from '../helpers/errors.js';
import { hasTool, runTool } from './tools.js';

const work = mkdtempSync(join(tmpdir(), 'repokit-hash-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// 1 MiB + 3 bytes: crosses the 256 KiB read size, with a short last read.
const content = new Uint8Array((1 << 20) + 3);
for (let i = 0; i < content.length; i++) content[i] = (i * 2654435761) >>> 24;
const path = join(work, 'blob');
writeFileSync(path, content);

const TOOLS: Record<HashAlgorithm, string> = { md5: 'md5sum', sha1: 'sha1sum', sha256: 'sha256sum', sha512: 'sha512sum', blake2b512: 'b2sum' };

describe('hashFile / createHasher', () => {
  for (const [alg, tool] of Object.entries(TOOLS) as [HashAlgorithm, string][]) {
    it.skipIf(!hasTool(tool))(`${alg} equals ${tool}${hasTool(tool) ? '' : ' (skipped: not installed)'}`, async () => {
      const want = new TextDecoder().decode(runTool(tool, [path])).split(' ')[0];
      const h = createHasher(alg);
      h.update(content.subarray(0, 1000));
      h.update(content.subarray(1000));
      expect(toHex(h.digest())).toBe(want);
      const { size, digests } = await hashFile(path, [alg]);
      expect(size).toBe(content.length);
      expect(toHex(digests[alg])).toBe(want);
    });
  }

  it('computes several digests in one pass, each equal to its own hasher', async () => {
    const all: HashAlgorithm[] = ['md5', 'sha1', 'sha256', 'sha512', 'blake2b512', 'sha256'];
    const { size, digests } = await hashFile(path, all);
    expect(size).toBe(content.length);
    expect(Object.keys(digests).sort()).toEqual(['blake2b512', 'md5', 'sha1', 'sha256', 'sha512']);
    for (const a of Object.keys(digests) as HashAlgorithm[]) {
      const h = createHasher(a);
      h.update(content);
      expect(digests[a]).toEqual(h.digest());
    }
    expect(digests.blake2b512).toHaveLength(64);
  });

  it('errors: unknown algorithm, missing file, aborted', async () => {
    expect(rpmError(() => createHasher('crc32' as HashAlgorithm)).code).toBe('INVALID_ARGUMENT');
    const e = await rpmErrorAsync(hashFile(join(work, 'missing'), ['sha256']));
    expect({ code: e.code, file: e.file }).toEqual({ code: 'IO_ERROR', file: join(work, 'missing') });
    const ac = new AbortController();
    ac.abort(new Error('cancelled'));
    await expect(hashFile(path, ['sha256'], { signal: ac.signal })).rejects.toThrow('cancelled');
  });
});

describe('fileChunks', () => {
  it('yields the file in chunks of chunkSize that stay valid after the next read', async () => {
    const chunks: Uint8Array[] = [];
    for await (const c of fileChunks(path, { chunkSize: 100_000 })) chunks.push(c);
    expect(chunks.map((c) => c.length)).toEqual([...Array(10).fill(100_000), 48_579]);
    const joined = new Uint8Array(content.length);
    let at = 0;
    for (const c of chunks) {
      joined.set(c, at);
      at += c.length;
    }
    expect(joined).toEqual(content);
  });

  it('empty file, bad chunk size, missing file', async () => {
    const empty = join(work, 'empty');
    writeFileSync(empty, '');
    const got: Uint8Array[] = [];
    for await (const c of fileChunks(empty)) got.push(c);
    expect(got).toEqual([]);
    const iterate = async (p: string, chunkSize?: number): Promise<void> => {
      for await (const _ of fileChunks(p, chunkSize === undefined ? {} : { chunkSize })) void _;
    };
    expect((await rpmErrorAsync(iterate(path, 0))).code).toBe('INVALID_ARGUMENT');
    expect((await rpmErrorAsync(iterate(join(work, 'nope')))).code).toBe('IO_ERROR');
  });
});
