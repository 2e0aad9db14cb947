/**
 * repoAdd reading packages on worker threads: the databases are byte-identical whatever the
 * number of workers, files the workers hand back (other compressions, broken or missing files)
 * behave as on the calling thread, and errors are the same.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { repoAdd } from '../../src/alpm/database.js';
import { readPackages } from '../../src/alpm/read-pool.js';
import { readPackage } from '../../src/alpm/package.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { gzip, rawTar, tinyPackage } from '../helpers/alpm-packages.js';

/** 24 packages: gzip (most), zstd, plain tar, with varied files. */
function packages(dir: string): string[] {
  const paths: string[] = [];
  for (let i = 0; i < 24; i++) {
    const name = `p${String(i).padStart(2, '0')}`;
    const extra = Array.from({ length: i % 5 }, (_, k) => ({ name: `usr/share/${name}/f${k}`, data: `data ${i} ${k}\n`.repeat(i + 1) }));
    const gz = tinyPackage(name, `1.${i}-1`, extra);
    let bytes = gz;
    let suffix = '.gz';
    if (i % 6 === 1) {
      bytes = new Uint8Array(zstdCompressSync(readTar(gz)));
      suffix = '.zst';
    } else if (i % 6 === 2) {
      bytes = readTar(gz);
      suffix = '';
    }
    const p = join(dir, `${name}-1.${i}-1-any.pkg.tar${suffix}`);
    writeFileSync(p, bytes);
    paths.push(p);
  }
  return paths;
}

/** tinyPackage gives gzip; the plain tar is what is inside. */
const readTar = (gz: Uint8Array): Uint8Array => new Uint8Array(gunzipSync(gz));

describe('repoAdd with worker threads', () => {
  it('writes the same bytes with 0, 1 and 2 workers', async () => {
    const src = mkdtempSync(join(tmpdir(), 'repokit-alpm-pool-'));
    const paths = packages(src);
    const outputs: Buffer[][] = [];
    for (const workers of [0, 1, 2]) {
      const dir = mkdtempSync(join(tmpdir(), `repokit-alpm-pool-${workers}-`));
      const res = await repoAdd(join(dir, 'r.db.tar.gz'), paths, { workers, descVersion: 1 });
      expect(res.outcomes.map((o) => o.name)).toEqual(paths.map((_, i) => `p${String(i).padStart(2, '0')}`));
      outputs.push([readFileSync(join(dir, 'r.db.tar.gz')), readFileSync(join(dir, 'r.files.tar.gz'))]);
    }
    expect(outputs[1]![0]!.equals(outputs[0]![0]!)).toBe(true);
    expect(outputs[1]![1]!.equals(outputs[0]![1]!)).toBe(true);
    expect(outputs[2]![0]!.equals(outputs[0]![0]!)).toBe(true);
    expect(outputs[2]![1]!.equals(outputs[0]![1]!)).toBe(true);
  });

  it('gives readPackage results in input order', async () => {
    const src = mkdtempSync(join(tmpdir(), 'repokit-alpm-pool-'));
    const paths = packages(src);
    const here = await Promise.all(paths.map((p) => readPackage(p)));
    const pooled = await readPackages(paths, 2);
    expect(pooled).toEqual(here);
  });

  it('reports the same error as the calling thread for a missing or broken package', async () => {
    const src = mkdtempSync(join(tmpdir(), 'repokit-alpm-pool-'));
    const paths = packages(src);
    const broken = join(src, 'broken-1-1-any.pkg.tar.gz');
    writeFileSync(broken, gzip(rawTar([{ name: 'usr/bin/x', data: 'no metadata' }])).subarray(0, 40));
    const noInfo = join(src, 'noinfo-1-1-any.pkg.tar.gz');
    writeFileSync(noInfo, gzip(rawTar([{ name: 'usr/bin/x', data: 'no metadata' }])));
    const missing = join(src, 'missing-1-1-any.pkg.tar.gz');
    for (const bad of [broken, noInfo, missing]) {
      const list = [...paths.slice(0, 10), bad, ...paths.slice(10)];
      const errs = await Promise.all(
        [0, 2].map((workers) =>
          readPackages(list, workers).then(
            () => undefined,
            (e: unknown) => e,
          ),
        ),
      );
      expect(isRepokitError(errs[0])).toBe(true);
      const [a, b] = errs as [Error & { code: string; file?: string }, Error & { code: string; file?: string }];
      expect({ code: b.code, message: b.message, file: b.file }).toEqual({ code: a.code, message: a.message, file: a.file });
      expect(a.file).toBe(bad);
    }
  });

  it('refuses a bad worker count', async () => {
    await expect(readPackages([], -1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(readPackages([], 1.5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
