/**
 * lzop and lrzip through the external programs (src/shared/external-compression.ts via
 * src/shared/compression.ts): round trips with the real tools both ways, determinism, damaged
 * data, the output cap (the program is killed), abort, and the error when a program is missing.
 */
import { describe, expect, it } from 'vitest';
import { compress, decompress, decompressStream } from '../../src/shared/compression.js';
import { rpmErrorAsync } from '../helpers/errors.js';
import { Prng } from '../helpers/fuzz.js';
import { missingToolNote, runTool } from './tools.js';

function sample(n: number): Uint8Array {
  const rng = new Prng(42);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = i % 3 === 0 ? rng.int(256) : 0x61 + (i % 7);
  return out;
}

const data = sample(600_000);
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

async function drain(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c.slice());
  return Buffer.concat(parts);
}

async function* chunks(z: Uint8Array, piece: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < z.length; i += piece) yield z.subarray(i, i + piece);
}

for (const [kind, tool, theirArgs, magic] of [
  ['lzop', 'lzop', ['-c', '-q'], [0x89, 0x4c, 0x5a, 0x4f]],
  ['lrzip', 'lrzip', ['-q'], [0x4c, 0x52, 0x5a, 0x49]],
] as const) {
  const note = missingToolNote(tool);
  describe.skipIf(note !== '')(`${kind} through the ${tool} program${note}`, () => {
    it('round-trips both ways, whole and streamed, and writes the same bytes each time', async () => {
      const ours = await compress(data, kind);
      expect([...ours.subarray(0, 4)]).toEqual([...magic]);
      expect(same(runTool(tool, kind === 'lzop' ? ['-d', '-c'] : ['-d', '-q'], ours), data)).toBe(true);
      // The same bytes a second later too (lzop stores its stdin's time, which repokit sets to 0).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(same(await compress(data, kind), ours)).toBe(true);
      const theirs = runTool(tool, [...theirArgs], data);
      expect(same(await decompress(theirs), data)).toBe(true);
      expect(same(await drain(decompressStream(chunks(theirs, 10_000))), data)).toBe(true);
      expect(same(await decompress(await compress(new Uint8Array(0), kind)), new Uint8Array(0))).toBe(true);
    });

    it('damaged data is CORRUPT_COMPRESSED_DATA with the program message', async () => {
      const z = (await compress(data, kind)).slice();
      z.fill(0x55, 100, 400);
      const e = await rpmErrorAsync(decompress(z));
      expect(e.code).toBe('CORRUPT_COMPRESSED_DATA');
      expect(e.detail).toContain(tool);
    });

    it('stops at maxOutput and when the signal aborts (the program is killed)', async () => {
      const big = await compress(new Uint8Array(40 << 20), kind);
      expect((await rpmErrorAsync(decompress(big, { maxOutput: 1 << 20 }))).code).toBe('LIMIT_EXCEEDED');
      const ac = new AbortController();
      const reason = new Error('stop');
      let seen = 0;
      const err = await drain(
        (async function* () {
          for await (const c of decompressStream(chunks(big, 4096), { signal: ac.signal })) {
            seen += c.length;
            if (seen > 100_000) ac.abort(reason);
            yield c;
          }
        })(),
      ).catch((e: unknown) => e);
      expect(err).toBe(reason);
    });

    it('a level out of range is INVALID_ARGUMENT', async () => {
      expect((await rpmErrorAsync(compress(data, kind, { level: 10 }))).code).toBe('INVALID_ARGUMENT');
    });
  });
}

describe('a missing program', () => {
  it('is UNSUPPORTED_COMPRESSION naming the program', async () => {
    const saved = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      const lzo = new Uint8Array([0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
      const e = await rpmErrorAsync(decompress(lzo));
      expect(e.code).toBe('UNSUPPORTED_COMPRESSION');
      expect(e.detail).toContain('lzop');
      const e2 = await rpmErrorAsync(compress(data, 'lrzip'));
      expect(e2.code).toBe('UNSUPPORTED_COMPRESSION');
      expect(e2.detail).toContain('lrzip');
    } finally {
      process.env['PATH'] = saved;
    }
  });
});
