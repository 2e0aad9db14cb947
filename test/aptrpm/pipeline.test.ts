/**
 * The index-building pipeline (see docs/aptrpm.md, "Performance"): files hashed in the background
 * by ScanJob (worker threads, reordered while running), index headers encoded with placeholder
 * digests and filled in place, and buildArchIndexes' output independent of the thread count —
 * byte-identical to the pure buildPkglist/buildSrclist over scanPackageFiles.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { binaryIndex, buildArchIndexes, buildPkglist, buildSrclist, scanPackageFiles, CRPMTAG } from '../../src/aptrpm/index.js';
import { encodeRawHeader, setStringInPlace, stringEntry, int32Entry } from '../../src/aptrpm/raw-header.js';
import { ScanJob, type RawScan } from '../../src/aptrpm/scan.js';
import { rpmError, rpmErrorAsync } from '../helpers/errors.js';
import { HAVE_CORPUS, NO_CORPUS, RPM_GENERATED, describeWithCompressors } from './helpers.js';

const top = mkdtempSync(join(tmpdir(), 'repokit-aptrpm-pipeline-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const corpus = (suffix: string) => (HAVE_CORPUS ? readdirSync(RPM_GENERATED).filter((f) => f.endsWith(suffix)).sort() : []);
const suite = (t: string) => (HAVE_CORPUS ? t : `${t} — ${NO_CORPUS}`);

describe('setStringInPlace', () => {
  const entries = [stringEntry(1000, 'name'), int32Entry(CRPMTAG.FILESIZE, 7), stringEntry(CRPMTAG.MD5, '0'.repeat(32)), stringEntry(CRPMTAG.DIRECTORY, 'RPMS.classic')];

  it('gives the bytes a fresh encoding of the real value gives', () => {
    const blob = encodeRawHeader(entries);
    const real = 'd41d8cd98f00b204e9800998ecf8427e';
    setStringInPlace(blob, CRPMTAG.MD5, real);
    expect(Buffer.from(blob).equals(encodeRawHeader([...entries.slice(0, 2), stringEntry(CRPMTAG.MD5, real), entries[3]!]))).toBe(true);
  });

  it('refuses a missing tag, another length and a non-STRING entry (RPM_ENCODE)', () => {
    const blob = encodeRawHeader(entries);
    const before = Buffer.from(blob);
    expect(rpmError(() => setStringInPlace(blob, CRPMTAG.BLAKE2B, 'ab'.repeat(64))).code).toBe('RPM_ENCODE');
    expect(rpmError(() => setStringInPlace(blob, CRPMTAG.MD5, 'abc')).code).toBe('RPM_ENCODE');
    expect(rpmError(() => setStringInPlace(blob, CRPMTAG.FILESIZE, 'abc')).code).toBe('RPM_ENCODE');
    expect(Buffer.from(blob).equals(before)).toBe(true);
  });
});

// Without the corpus there are no files to read: skipped, with the reason in the title.
(HAVE_CORPUS ? describe : describe.skip)(suite('ScanJob'), () => {
  const files = corpus('.rpm').map((f) => join(RPM_GENERATED, f));
  const digest = (p: string) => {
    const b = readFileSync(p);
    return { size: b.length, md5: md5(b), b2: createHash('blake2b512').update(b).digest('hex') };
  };

  for (const workers of [0, 1, 3]) {
    it(`${workers} worker threads: every file once, delivered in the order asked for after reprioritizing`, async () => {
      const job = new ScanJob(files, { workers }, false);
      const order = files.map((_, i) => i).reverse();
      job.prioritize(order);
      const got: [number, RawScan][] = [];
      try {
        await job.deliverInOrder(order, (i, raw) => got.push([i, raw]));
      } finally {
        job.close();
      }
      expect(got.map(([i]) => i)).toEqual(order);
      for (const [i, raw] of got) expect({ size: raw.size, md5: raw.md5, b2: raw.b2 }).toEqual(digest(files[i]!));
    });
  }

  it('a file that cannot be read rejects with IO_ERROR naming it, and stops the job', async () => {
    const paths = [...files.slice(0, 3), join(top, 'missing.rpm'), ...files.slice(3)];
    for (const workers of [0, 2]) {
      const job = new ScanJob(paths, { workers }, false);
      let delivered = 0;
      try {
        const e = await rpmErrorAsync(job.deliverInOrder(paths.map((_, i) => i), () => void delivered++));
        expect(e.code).toBe('IO_ERROR');
        expect(e.file).toBe(join(top, 'missing.rpm'));
        expect(delivered).toBeLessThanOrEqual(3);
      } finally {
        job.close();
      }
    }
  });

  it('an error thrown by the consumer rejects with that error', async () => {
    const job = new ScanJob(files, { workers: 2 }, false);
    try {
      await expect(
        job.deliverInOrder(
          files.map((_, i) => i),
          () => {
            throw new Error('consumer');
          },
        ),
      ).rejects.toThrow('consumer');
    } finally {
      job.close();
    }
  });

  it('an aborted signal rejects with its reason', async () => {
    const ac = new AbortController();
    const job = new ScanJob(files, { workers: 2, signal: ac.signal }, false);
    try {
      const p = job.deliverInOrder(
        files.map((_, i) => i),
        () => ac.abort(new Error('stop')),
      );
      await expect(p).rejects.toThrow('stop');
    } finally {
      job.close();
    }
  });
});

describeWithCompressors(
  'buildArchIndexes output does not depend on threads or timing',
  ['xz'],
  () => {
    const bins = corpus('.x86_64.rpm');
    const srcs = corpus('.src.rpm');
    let n = 0;
    const tree = () => {
      const root = join(top, `t${n++}`);
      mkdirSync(join(root, 'x86_64', 'RPMS.classic'), { recursive: true });
      mkdirSync(join(root, 'SRPMS.classic'));
      for (const f of bins) copyFileSync(join(RPM_GENERATED, f), join(root, 'x86_64', 'RPMS.classic', f));
      for (const f of srcs) copyFileSync(join(RPM_GENERATED, f), join(root, 'SRPMS.classic', f));
      return root;
    };

    for (const fileList of ['full', 'stripped'] as const) {
      for (const blake2b of [true, false]) {
        it(`${fileList} file lists, blake2b ${blake2b}: 0, 1 and 2 worker threads write the pure builders' bytes`, async () => {
          const scanned = await scanPackageFiles(
            bins.map((f) => join(RPM_GENERATED, f)),
            { workers: 0, blake2b },
          );
          const records = scanned.map((s) => ({ header: s.package.header, file: s.file }));
          const wantList = buildPkglist(records, { fileList });
          const sources = await scanPackageFiles(
            srcs.map((f) => join(RPM_GENERATED, f)),
            { workers: 0, blake2b },
          );
          const wantSrc = buildSrclist(
            sources.map((s) => ({ header: s.package.header, file: s.file })),
            { binaries: binaryIndex(records) },
          );
          for (const workers of [0, 1, 2]) {
            const root = tree();
            await buildArchIndexes(root, 'x86_64', { workers, fileList, blake2b, release: { date: new Date(0) } });
            const base = join(root, 'x86_64', 'base');
            expect(md5(readFileSync(join(base, 'pkglist.classic')))).toBe(md5(wantList));
            expect(md5(readFileSync(join(base, 'srclist.classic')))).toBe(md5(wantSrc));
          }
        });
      }
    }
  },
  { needsCorpus: true },
);
