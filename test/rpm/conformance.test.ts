/**
 * Conformance of the RPM reader over the shared corpus (../shared/corpus/rpm), in the style of the
 * protobuf-es conformance runner: every corpus entry is a case, every case must pass, and the cases
 * that are known not to pass are listed below with a reason. A listed case that starts passing fails
 * the run (it.fails), so the list cannot go stale silently.
 *
 * Two sources of truth:
 * - public/MANIFEST.json: real packages from public test suites, with facts python3-rpm 4.18
 *   reported (`tool_facts.rpm_header`): all of them are accepted by rpm and must parse here, with the
 *   same identity, payload and file count.
 * - generated/expected/*.json: packages built with rpmbuild 4.18, dumped tag by tag by rpm's Python
 *   bindings (rpm-oracle.py): every tag's type and value, the region/trailer layout, the payload
 *   position and the typed package view must match ours.
 *
 * Without ../shared (resolved from the repository root, not the working directory) every case is
 * skipped, and the skip says why.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Header } from '../../src/rpm/header.js';
import { rpmTagsToJson, type TagJson, type TagJsonValue } from '../../src/rpm/json.js';
import { rpmMetadata, type RpmMetadata } from '../../src/rpm/metadata.js';
import { readRpmSync, type RpmPackage } from '../../src/rpm/package.js';
import { mainTagInfo, signatureTagInfo, type TagInfo } from '../../src/rpm/tags.js';
import { RpmType } from '../../src/rpm/types.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHARED = join(REPO_ROOT, '..', 'shared');
const CORPUS = join(SHARED, 'corpus', 'rpm');
const PUBLIC_MANIFEST = join(CORPUS, 'public', 'MANIFEST.json');
const EXPECTED_DIR = join(CORPUS, 'generated', 'expected');

const HAVE_PUBLIC = existsSync(PUBLIC_MANIFEST);
const HAVE_GENERATED = existsSync(EXPECTED_DIR);
const SKIP_PUBLIC = `skipped: the shared corpus is absent (no ${PUBLIC_MANIFEST}; ../shared is resolved from the repo root ${REPO_ROOT})`;
const SKIP_GENERATED = `skipped: the shared corpus is absent (no ${EXPECTED_DIR}; ../shared is resolved from the repo root ${REPO_ROOT})`;

/**
 * Cases known to fail, keyed by case id ("<file> > <aspect>" for generated packages, "<file>" for
 * public ones), each with the reason. Empty: every case passes. Keep a reason per entry, e.g.
 *   'aurora-x.rpm > package view': 'files: FILECAPS not decoded yet (issue #12)',
 */
const KNOWN_FAILURES: Readonly<Record<string, string>> = {};

const caseIds = new Set<string>();

/** `it`, or `it.fails` with the reason in the title when the case is a known failure. */
function conformanceCase(id: string, title: string, fn: () => void): void {
  caseIds.add(id);
  const known = KNOWN_FAILURES[id];
  if (known === undefined) it(title, fn);
  else it.fails(`${title} [known failure: ${known}]`, fn);
}

// ---------------------------------------------------------------------------------------------
// public/MANIFEST.json

interface RpmHeaderFacts {
  accepted: boolean;
  name: string;
  epoch: number | null;
  version: string;
  release: string;
  arch: string;
  is_source: boolean;
  payload_compressor: string | null;
  payload_format: string;
  file_count: number;
  rpm_log?: string;
}

interface PublicEntry {
  file: string;
  format: string;
  size: number;
  sha256: string;
  exercises?: string[];
  tool_facts?: { rpm_header?: RpmHeaderFacts };
}

const publicEntries: PublicEntry[] = HAVE_PUBLIC
  ? (JSON.parse(readFileSync(PUBLIC_MANIFEST, 'utf8')) as PublicEntry[]).filter(
      (e) => e.format === 'rpm' && /\.rpm(-v3)?$/.test(e.file) && e.tool_facts?.rpm_header !== undefined,
    )
  : [];

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

describe.skipIf(!HAVE_PUBLIC)(HAVE_PUBLIC ? 'public corpus vs rpm 4.18 header facts' : `public corpus (${SKIP_PUBLIC})`, () => {
  it('covers every .rpm entry of the manifest (57, all accepted by rpm)', () => {
    expect(publicEntries.length).toBe(57);
    expect(publicEntries.every((e) => e.tool_facts!.rpm_header!.accepted)).toBe(true);
  });

  for (const entry of publicEntries) {
    conformanceCase(entry.file, entry.file, () => {
      const path = join(CORPUS, 'public', entry.file);
      const bytes = new Uint8Array(readFileSync(path));
      expect({ size: bytes.length, sha256: sha256(bytes) }).toEqual({ size: entry.size, sha256: entry.sha256 });

      const facts = entry.tool_facts!.rpm_header!;
      const pkg = readRpmSync(path);
      const md = rpmMetadata(pkg);
      expect({
        accepted: true,
        name: md.name,
        epoch: md.epoch,
        version: md.version,
        release: md.release,
        arch: md.arch,
        is_source: md.isSource,
        payload_compressor: md.payload.compressor,
        payload_format: md.payload.format,
        file_count: md.files.length,
      }).toEqual({
        accepted: facts.accepted,
        name: facts.name,
        epoch: facts.epoch,
        version: facts.version,
        release: facts.release,
        arch: facts.arch,
        is_source: facts.is_source,
        payload_compressor: facts.payload_compressor,
        payload_format: facts.payload_format,
        file_count: facts.file_count,
      });

      // Layout sanity: the payload starts inside the file, after the main header.
      expect(pkg.offsets.fileSize).toBe(entry.size);
      expect(pkg.offsets.payload).toBeLessThanOrEqual(entry.size);
      expect(pkg.offsets.payload - pkg.offsets.header).toBe(pkg.header.byteLength);
      // The format the manifest says the package exercises.
      const ex = entry.exercises ?? [];
      expect(pkg.format).toBe(ex.includes('rpm-format-v6') ? 6 : ex.includes('rpm-format-v3') ? 3 : 4);
      // rpm logs "RPM v3 packages are deprecated" exactly where we warn about a region-less header.
      const v3Warning = pkg.warnings.some((w) => w.includes('no region tag'));
      expect(v3Warning).toBe((facts.rpm_log ?? '').includes('RPM v3 packages are deprecated'));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// generated/expected/*.json

interface ExpectedTag {
  tag: number;
  name: string;
  type: number;
  type_name: string;
  count: number;
  rpm_tag_name?: string;
  value: unknown;
}

interface ExpectedRegion {
  tag: number;
  name: string;
  type: number;
  count: number;
  offset: number;
  trailer_hex: string;
  trailer: { tag: number; type: number; offset: number; count: number };
}

interface ExpectedHeader {
  offset: number;
  size: number;
  pad?: number;
  il: number;
  dl: number;
  region: ExpectedRegion;
  tags: ExpectedTag[];
}

interface ExpectedDependency {
  name: string;
  flags: number;
  evr: string;
  dnevr: string;
}

interface ExpectedFile {
  path: string;
  size: number;
  mode: number;
  user: string;
  group: string;
  mtime: number;
  digest: string;
  linkto: string;
  fflags: number;
  vflags: number;
  inode: number;
  rdev: number;
  color: number;
  lang: string;
  caps: string;
}

interface Expected {
  file: string;
  size: number;
  sha256: string;
  signature_header: ExpectedHeader;
  header: ExpectedHeader;
  payload: { offset: number; size: number };
  package: {
    nevra: string;
    name: string;
    epoch: number | null;
    version: string;
    release: string;
    arch: string;
    evr: string;
    is_source: boolean;
    summary: string;
    description: string;
    payload: { format: string; compressor: string | null; flags: string | null };
    dependencies: Partial<Record<string, ExpectedDependency[]>>;
    files: ExpectedFile[];
  };
  checksig: { digests: { rc: number; lines: string[] } };
}

const expectedFiles: string[] = HAVE_GENERATED
  ? readdirSync(EXPECTED_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];

const INTEGER_TYPES = new Set<number>([RpmType.CHAR, RpmType.INT8, RpmType.INT16, RpmType.INT32, RpmType.INT64]);

/**
 * Our tag JSON value in the oracle's shape. The ONE deliberate representation difference:
 * rpmTagsToJson writes an integer entry with count 1 as a bare number (and INT64 as a decimal
 * string, bare when count 1), while python3-rpm always returns a list for integer types, so the
 * expected files wrap single integers in arrays ([4917], not 4917). We wrap ours the same way and
 * turn INT64 strings into numbers for the comparison. Types are compared unchanged.
 */
function normaliseOurs(type: number, v: TagJsonValue): unknown {
  if (!INTEGER_TYPES.has(type)) return v;
  const arr = Array.isArray(v) ? v : [v];
  return type === RpmType.INT64 ? arr.map((x) => Number(x)) : arr;
}

/**
 * The count the oracle reports. python3-rpm gives a BIN value as one bytes object, so the dumps say
 * count 1 for BIN where the index (and our HeaderEntry) holds the byte length; everything else is
 * the index count.
 */
function oracleCount(type: number, count: number): number {
  return type === RpmType.BIN ? 1 : count;
}

function tagNames(info: TagInfo | undefined): string[] {
  return info === undefined ? [] : [info.name, ...(info.aliases ?? [])];
}

function compareTags(ours: Record<string, TagJson>, h: Header, exp: ExpectedHeader, ns: 'main' | 'signature'): void {
  // python3-rpm never shows the region tag; rpmTagsToJson includes it as the 16 trailer bytes,
  // which must be the oracle's trailer_hex.
  const regionTag = String(exp.region.tag);
  expect(ours[regionTag]).toEqual({ type: RpmType.BIN, value: exp.region.trailer_hex });
  const ourTags = Object.keys(ours)
    .filter((t) => t !== regionTag)
    .map(Number)
    .sort((a, b) => a - b);
  expect(ourTags).toEqual(exp.tags.map((t) => t.tag).sort((a, b) => a - b));

  for (const t of exp.tags) {
    const o = ours[String(t.tag)]!;
    const e = h.entry(t.tag)!;
    expect({ tag: t.tag, type: o.type, count: oracleCount(e.type, e.count), value: normaliseOurs(o.type, o.value) }).toEqual({
      tag: t.tag,
      type: t.type,
      count: t.count,
      value: t.value,
    });
    // Tag names: ours (current rpm names, older names as aliases) must know the oracle's (rpm 4.18).
    const info = ns === 'main' ? mainTagInfo(t.tag) : signatureTagInfo(t.tag);
    expect(tagNames(info), `name of ${ns} tag ${t.tag}`).toContain(t.name);
  }
}

function compareLayout(h: Header, exp: ExpectedHeader): void {
  const r = h.region!;
  const trailerAt = h.dataStart + r.trailerOffset;
  expect({
    offset: h.base,
    size: h.byteLength,
    il: h.il,
    dl: h.dl,
    region: {
      tag: r.tag,
      type: h.entries[0]!.type,
      count: h.entries[0]!.count,
      offset: r.trailerOffset,
      trailer_hex: Buffer.from(h.bytes.subarray(trailerAt, trailerAt + 16)).toString('hex'),
      trailer: r.trailer,
    },
  }).toEqual({
    offset: exp.offset,
    size: exp.size,
    il: exp.il,
    dl: exp.dl,
    region: {
      tag: exp.region.tag,
      type: exp.region.type,
      count: exp.region.count,
      offset: exp.region.offset,
      trailer_hex: exp.region.trailer_hex,
      trailer: exp.region.trailer,
    },
  });
}

/** rpm 4.18's rpmfi reports the digest of a file without one (directories, symlinks) as all zeros; ours is "". */
const normaliseDigest = (d: string): string => (/^0+$/.test(d) ? '' : d);

/**
 * The package view, field by field, in the oracle's names. Documented differences:
 * - nevra of a source package: rpm's NEVRA tag uses the header's ARCH (aurora-core-3:2.4.1-7.x86_64
 *   for aurora-core-2.4.1-7.src.rpm); rpmMetadata deliberately names source packages with arch
 *   "src" (as their file names and repository metadata do). Compared with the arch replaced.
 * - file digests: see normaliseDigest.
 * - dependencies: the oracle lists only the kinds a package has; ours has every kind, empty ones
 *   included.
 */
function ourPackageView(md: RpmMetadata, exp: Expected['package']) {
  const deps: Record<string, { name: string; flags: number; evr: string }[]> = {};
  for (const [kind, list] of Object.entries(md.dependencies)) {
    if (list.length === 0 && exp.dependencies[kind] === undefined) continue;
    deps[kind] = list.map((d) => ({ name: d.name, flags: d.flags, evr: d.version }));
  }
  return {
    nevra: md.nevra,
    name: md.name,
    epoch: md.epoch,
    version: md.version,
    release: md.release,
    arch: md.arch,
    evr: md.evr,
    is_source: md.isSource,
    summary: md.summary,
    description: md.description,
    payload: md.payload,
    dependencies: deps,
    files: md.files.map((f) => ({
      path: f.path,
      size: f.size,
      mode: f.mode,
      user: f.user,
      group: f.group,
      mtime: f.mtime,
      digest: f.digest,
      linkto: f.linkTo,
      fflags: f.flags,
      vflags: f.verifyFlags,
      inode: f.inode,
      rdev: f.rdev,
      color: f.color,
      lang: f.lang,
      caps: f.caps,
    })),
  };
}

function expectedPackageView(exp: Expected['package']) {
  const deps: Record<string, { name: string; flags: number; evr: string }[]> = {};
  for (const [kind, list] of Object.entries(exp.dependencies)) {
    deps[kind] = (list ?? []).map((d) => ({ name: d.name, flags: d.flags, evr: d.evr }));
  }
  return {
    nevra: exp.is_source ? exp.nevra.slice(0, exp.nevra.length - exp.arch.length) + 'src' : exp.nevra,
    name: exp.name,
    epoch: exp.epoch,
    version: exp.version,
    release: exp.release,
    arch: exp.arch,
    evr: exp.evr,
    is_source: exp.is_source,
    summary: exp.summary,
    description: exp.description,
    payload: exp.payload,
    dependencies: deps,
    files: exp.files.map((f) => ({
      path: f.path,
      size: f.size,
      mode: f.mode,
      user: f.user,
      group: f.group,
      mtime: f.mtime,
      digest: normaliseDigest(f.digest),
      linkto: f.linkto,
      fflags: f.fflags,
      vflags: f.vflags,
      inode: f.inode,
      rdev: f.rdev,
      color: f.color,
      lang: f.lang,
      caps: f.caps,
    })),
  };
}

/**
 * `rpmkeys -Kv` digest lines and the tags they come from. Only presence is checked here (a digest
 * line exists exactly when its tag does); verifying the values is the digest verifier's job.
 */
const DIGEST_LINES: readonly { line: string; present: (p: RpmPackage) => boolean }[] = [
  { line: 'Header SHA256 digest', present: (p) => p.signature.has(273) },
  { line: 'Header SHA1 digest', present: (p) => p.signature.has(269) },
  { line: 'Header SHA3-256 digest', present: (p) => p.signature.has(279) },
  { line: 'Payload SHA256 digest', present: (p) => p.header.has(5092) },
  // PAYLOADDIGESTALT covers the uncompressed payload; rpm 4.18 only checks (and lists) it when the
  // payload is stored uncompressed (no PAYLOADCOMPRESSOR), as aurora-plain is.
  { line: 'Payload SHA256 ALT digest', present: (p) => p.header.has(5097) && !p.header.has(1125) },
  { line: 'MD5 digest', present: (p) => p.signature.has(1004) },
];

function digestLines(pkg: RpmPackage): string[] {
  return DIGEST_LINES.filter((d) => d.present(pkg))
    .map((d) => d.line)
    .sort();
}

describe.skipIf(!HAVE_GENERATED)(
  HAVE_GENERATED ? 'generated corpus vs python3-rpm tag dumps' : `generated corpus (${SKIP_GENERATED})`,
  () => {
    it('has expected dumps', () => {
      expect(expectedFiles.length).toBeGreaterThan(0);
    });

    for (const name of expectedFiles) {
      describe(name, () => {
        const exp = JSON.parse(readFileSync(join(EXPECTED_DIR, name), 'utf8')) as Expected;
        const rpmPath = join(CORPUS, 'generated', exp.file);
        let cached: RpmPackage | undefined;
        const pkg = (): RpmPackage => (cached ??= readRpmSync(rpmPath));
        const id = (aspect: string) => `${exp.file} > ${aspect}`;

        conformanceCase(id('file'), 'file matches the dump (size, sha256) and parses', () => {
          const bytes = new Uint8Array(readFileSync(rpmPath));
          expect({ size: bytes.length, sha256: sha256(bytes) }).toEqual({ size: exp.size, sha256: exp.sha256 });
          expect(pkg().warnings).toEqual([]);
        });

        conformanceCase(id('signature tags'), 'signature header tags', () => {
          compareTags(rpmTagsToJson(pkg()).signature, pkg().signature, exp.signature_header, 'signature');
        });

        conformanceCase(id('main tags'), 'main header tags', () => {
          compareTags(rpmTagsToJson(pkg()).header, pkg().header, exp.header, 'main');
        });

        conformanceCase(id('layout'), 'region, trailer, padding and payload layout', () => {
          const p = pkg();
          compareLayout(p.signature, exp.signature_header);
          compareLayout(p.header, exp.header);
          expect(p.offsets.signaturePadding).toBe(exp.signature_header.pad);
          expect(p.offsets.signature).toBe(exp.signature_header.offset);
          expect(p.offsets.header).toBe(exp.header.offset);
          expect({ offset: p.offsets.payload, size: p.offsets.fileSize! - p.offsets.payload }).toEqual(exp.payload);
        });

        conformanceCase(id('package view'), 'typed package view (rpmMetadata)', () => {
          expect(ourPackageView(rpmMetadata(pkg()), exp.package)).toEqual(expectedPackageView(exp.package));
        });

        conformanceCase(id('digest lines'), 'rpmkeys digest lines match the digest tags present', () => {
          const lines = exp.checksig.digests.lines.map((l) => l.replace(/: .*$/, '')).sort();
          expect(digestLines(pkg())).toEqual(lines);
        });
      });
    }
  },
);

describe('known failures list', () => {
  it('names only existing cases, each with a reason', () => {
    for (const [id, reason] of Object.entries(KNOWN_FAILURES)) {
      expect(caseIds.has(id), `KNOWN_FAILURES entry "${id}" is not a case`).toBe(true);
      expect(reason.trim()).not.toBe('');
    }
  });
});
