/**
 * Interop: packages built here with the real rpmbuild are read by repokit and by rpm's C library
 * (python3-rpm, through test/interop/rpm-oracle.py); both must agree tag by tag, and on every
 * typed field. Skips with a reason when the tools are missing; fails instead under CI.
 */
import { Readable } from 'node:stream';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  encodeHeader,
  headerEntries,
  headerToJson,
  readRpm,
  readRpmSync,
  rpmMetadata,
  rpmTagsToJson,
  verifyRpm,
  type RpmMetadata,
  type TagJson,
} from '../../src/rpm/index.js';
import { readWithPythonRpm, type RawEntry } from '../helpers/encode-python.js';
import { runRpmOracle, type OracleDump, type OraclePackage } from '../helpers/rpm-oracle.js';
import { buildInteropRpms, requireTool } from '../helpers/rpmbuild.js';

const skipReason = requireTool('rpmbuild') ?? requireTool('python3-rpm');

/** The oracle writes "" file strings as null; repokit keeps rpm's empty strings. */
const orNull = (s: string): string | null => (s === '' ? null : s);

function typedView(m: RpmMetadata): OraclePackage {
  return {
    name: m.name,
    epoch: m.epoch,
    version: m.version,
    release: m.release,
    arch: m.arch,
    is_source: m.isSource,
    summary: m.summary,
    description: m.description,
    license: m.license,
    group: m.group,
    url: m.url,
    vendor: m.vendor,
    packager: m.packager,
    buildtime: m.buildTime,
    buildhost: m.buildHost,
    size: m.installedSize,
    sourcerpm: m.sourceRpm,
    disttag: m.distTag,
    payload: { format: m.payload.format, compressor: m.payload.compressor, flags: m.payload.flags },
    dependencies: Object.fromEntries(
      Object.entries(m.dependencies).map(([k, deps]) => [k, deps.map((d) => ({ name: d.name, flags: d.flags, version: d.version }))]),
    ),
    files: m.files.map((f) => ({
      path: f.path,
      size: f.size,
      mode: f.mode,
      user: f.user,
      group: f.group,
      mtime: f.mtime,
      digest: orNull(f.digest),
      linkto: orNull(f.linkTo),
      flags: f.flags,
      verifyflags: f.verifyFlags,
      lang: orNull(f.lang),
      caps: orNull(f.caps),
    })),
    file_digest_algo: m.fileDigestAlgorithm.id,
    changelog: m.changelog,
  } as unknown as OraclePackage;
}

/** librpm's raw view of an entry (encode-python.ts) in the `rpm tags` JSON form. */
function rawToJson(e: RawEntry): TagJson {
  const v = e.value;
  if (e.type === 7) return { type: 7, value: v as string };
  const arr = v as string[];
  if (e.type === 6) return { type: 6, value: arr[0]! };
  if (e.type === 8 || e.type === 9) return { type: e.type, value: arr };
  if (e.type === 5) return { type: 5, value: arr.length === 1 ? arr[0]! : arr };
  const nums = arr.map(Number);
  return { type: e.type, value: nums.length === 1 ? nums[0]! : nums };
}

describe.skipIf(skipReason !== null)(`RPM interop with rpmbuild and python3-rpm${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let files: string[] = [];
  let oracle: Record<string, OracleDump> = {};

  beforeAll(async () => {
    files = await buildInteropRpms();
    oracle = runRpmOracle(files);
  });

  it('built a varied set', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(files.filter((f) => f.endsWith('.src.rpm')).length).toBeGreaterThanOrEqual(10);
  });

  it('reads every tag of both headers as rpm does', () => {
    let tags = 0;
    for (const f of files) {
      const ours = rpmTagsToJson(readRpmSync(f));
      const theirs = oracle[f]!;
      expect(ours.signature, `${basename(f)} signature header`).toEqual(theirs.signature);
      expect(ours.header, `${basename(f)} main header`).toEqual(theirs.header);
      tags += Object.keys(theirs.header).length + Object.keys(theirs.signature).length;
    }
    expect(tags).toBeGreaterThan(1000);
  });

  it('derives the same typed metadata as rpm', () => {
    for (const f of files) {
      const pkg = readRpmSync(f);
      const m = rpmMetadata(pkg);
      const expected = oracle[f]!.package;
      expect(typedView(m), basename(f)).toEqual(expected);
      expect(m.nevra.startsWith(`${expected.name}-`)).toBe(true);
    }
  });

  it('reads the same from a path, a buffer, a Node stream and a web stream', async () => {
    for (const f of files.slice(0, 8)) {
      const bytes = readFileSync(f);
      const want = rpmTagsToJson(readRpmSync(f));
      expect(rpmTagsToJson(await readRpm(f))).toEqual(want);
      expect(rpmTagsToJson(await readRpm(new Uint8Array(bytes)))).toEqual(want);
      const chunks = [];
      for (let i = 0; i < bytes.length; i += 777) chunks.push(bytes.subarray(i, i + 777));
      expect(rpmTagsToJson(await readRpm(Readable.from(chunks)))).toEqual(want);
      expect(rpmTagsToJson(await readRpm(new Blob([bytes]).stream()))).toEqual(want);
    }
  });

  it('verifies every digest rpmbuild wrote', async () => {
    for (const f of files) {
      const r = await verifyRpm(f);
      expect(r.ok, basename(f)).toBe(true);
      const names = r.digests.map((d) => d.name);
      expect(names).toContain('Header SHA256 digest');
      expect(names).toContain('MD5 digest');
      expect(names.some((n) => n.startsWith('Payload '))).toBe(true);
    }
  });

  it('writes headers that librpm reads back with the same values (a pkglist of every main header)', () => {
    // Region-less, with magic, back to back: the apt-rpm pkglist layout, read by
    // rpm.readHeaderListFromFile (retrofit off, so rpm adds nothing).
    const dir = mkdtempSync(join(tmpdir(), 'repokit-encode-'));
    const list = join(dir, 'pkglist.test');
    const originals = files.map((f) => readRpmSync(f).header);
    const blobs = originals.map((h) => encodeHeader(headerEntries(h)));
    writeFileSync(list, Buffer.concat(blobs));
    const res = readWithPythonRpm({ files: [list] });
    const got = res.files[0]!;
    if (!got.ok) throw new Error(got.error);
    expect(got.headers).toHaveLength(originals.length);
    originals.forEach((h, i) => {
      const want = headerToJson(h);
      delete want['63'];
      const theirs = Object.fromEntries(got.headers[i]!.raw.map((e) => [String(e.tag), rawToJson(e)]));
      expect(theirs, basename(files[i]!)).toEqual(want);
    });
  });
});
