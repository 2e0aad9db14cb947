/**
 * Golden test: repokit's rindex on the packages of ../shared/corpus/xbps/generated gives the same
 * repodata as the real xbps-rindex 0.60.7 did — member for member, index.plist byte for byte, and
 * the whole uncompressed tar byte for byte. The uncompressed repository ('none') must be identical
 * as a file. Compressed outputs must use the same container format (and for zstd the same frame
 * header: no content size, no checksum, 4 MiB window); their bytes depend on the compressor
 * library's version and are not compared.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTar } from '../../src/shared/tar.js';
import { sniffCompression } from '../../src/shared/compression.js';
import { rindexAdd, rindexSign } from '../../src/xbps/rindex.js';
import { readRepodata } from '../../src/xbps/repodata-read.js';
import { decompressGolden, GENERATED, generatedManifest, HAVE_GENERATED, SKIP_GENERATED, tempRepo, xzUnavailable } from './repodata-corpus.js';

interface GoldenCase {
  name: string;
  dir: string;
  compression: 'zstd' | 'xz' | 'gzip' | 'none';
  /** Runs of `rindexAdd`, each a list of package file names in the order xbps-rindex got them. */
  adds: string[][];
  signedBy?: string;
  /** What libxbps listed for the golden repodata (expected/*.json): pkgname -> pkgver. */
  pkgvers?: Record<string, string>;
}

/** The cases, derived from MANIFEST.json's repository entries (their `made_by` commands). */
function cases(): GoldenCase[] {
  const manifest = generatedManifest();
  const out: GoldenCase[] = [];
  for (const f of manifest) {
    if (f.repository_dir === undefined) continue;
    const name = f.repository_dir.replace(/^repos\//, '');
    const pkgs = (f.directory_contents ?? []).filter((n) => n.endsWith('.xbps'));
    const compression = (/--compression (\w+)/.exec(f.made_by)?.[1] ?? 'zstd') as GoldenCase['compression'];
    const explicit = /-a ((?:\S+\.xbps ?)+)$/.exec(f.made_by)?.[1]?.trim().split(/\s+/);
    let adds: string[][];
    if (name === 'update') {
      // "xbps-rindex -a <all base packages>; then xbps-rindex -a <the newer one>"
      const later = /then .*-a (\S+\.xbps)/.exec(f.made_by)![1]!;
      adds = [pkgs.filter((p) => p !== later), [later]];
    } else {
      adds = [explicit ?? pkgs];
    }
    const c: GoldenCase = { name, dir: join(GENERATED, f.repository_dir), compression, adds };
    if (f.expected !== undefined) {
      const expected = JSON.parse(readFileSync(join(GENERATED, f.expected), 'utf8')) as { signed_by?: string; libxbps: { index_pkgvers: Record<string, string> } };
      if (expected.signed_by !== undefined) c.signedBy = expected.signed_by;
      c.pkgvers = expected.libxbps.index_pkgvers;
    }
    out.push(c);
  }
  return out;
}

function members(tar: Uint8Array): { name: string; size: number; mode: number; uid: number; gid: number; uname: string; gname: string; mtime: number; data: string }[] {
  return [...parseTar(tar)].map((m) => ({
    name: m.entry.name,
    size: m.entry.size,
    mode: m.entry.mode,
    uid: m.entry.uid,
    gid: m.entry.gid,
    uname: m.entry.uname,
    gname: m.entry.gname,
    mtime: m.entry.mtime,
    data: Buffer.from(m.data ?? new Uint8Array()).toString('latin1'),
  }));
}

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const NO_XZ = await xzUnavailable();

describe.skipIf(!HAVE_GENERATED)(`golden repodata from xbps-rindex 0.60.7${HAVE_GENERATED ? '' : ` (${SKIP_GENERATED})`}`, () => {
  const all = cases();

  it('the manifest lists the six repositories this test knows how to rebuild', () => {
    expect(all.map((c) => c.name).sort()).toEqual(['gzip', 'none', 'signed', 'update', 'xz', 'zstd']);
  });

  for (const c of all) {
    const skipXz = c.compression === 'xz' && NO_XZ;
    it.skipIf(skipXz)(`${c.name}: repokit's repodata equals xbps-rindex's${skipXz ? ' (skipped: the @napi-rs/lzma native binding is missing on this machine, so xz cannot be written)' : ''}`, async () => {
      const golden = new Uint8Array(readFileSync(join(c.dir, 'x86_64-repodata')));
      const repo = tempRepo(c.adds.flat().map((p) => join(c.dir, p)));
      cleanups.push(repo.cleanup);
      for (const list of c.adds) {
        const r = await rindexAdd(list.map((p) => join(repo.dir, p)), { arch: 'x86_64', compression: c.compression, workers: 0 });
        expect(r.written).toBe(true);
      }
      if (c.signedBy !== undefined) {
        const pem = readFileSync(join(c.dir, 'signing-key.pub.pem'), 'utf8');
        const s = await rindexSign(repo.dir, { arch: 'x86_64', key: pem, signedBy: c.signedBy, compression: c.compression });
        expect(s.written).toBe(true);
      }
      const outPath = join(repo.dir, 'x86_64-repodata');
      const mine = new Uint8Array(readFileSync(outPath));
      expect(statSync(outPath).mode & 0o777).toBe(0o664);

      // Same container format.
      expect(sniffCompression(mine)).toBe(sniffCompression(golden));
      expect(sniffCompression(mine)).toBe(c.compression);

      const mineTar = await decompressGolden(mine);
      const goldenTar = await decompressGolden(golden);
      const [mi, gi] = [members(mineTar), members(goldenTar)];
      // index.plist byte for byte first, so a difference there is reported as such.
      expect(mi[0]?.name).toBe('index.plist');
      expect(mi[0]?.data).toBe(gi[0]?.data);
      expect(mi).toEqual(gi);
      expect(Buffer.compare(Buffer.from(mineTar), Buffer.from(goldenTar))).toBe(0);

      if (c.compression === 'none') expect(Buffer.compare(Buffer.from(mine), Buffer.from(golden))).toBe(0);
      if (c.compression === 'zstd') {
        // magic, frame header descriptor (no content size, no checksum, not single-segment), window 4 MiB
        expect(Buffer.from(mine.subarray(0, 6)).toString('hex')).toBe(Buffer.from(golden.subarray(0, 6)).toString('hex'));
      }

      // And both read back to the same model.
      const [a, b] = [await readRepodata(outPath), await readRepodata(golden)];
      expect([...a.index.values()].map((e) => e.pkgver)).toEqual([...b.index.values()].map((e) => e.pkgver));
      expect(a.signed).toBe(b.signed);
      expect(a.stage.size).toBe(0);
      expect(Object.fromEntries([...a.index].map(([k, e]) => [k, e.pkgver]))).toEqual(c.pkgvers);
    });
  }
});
