/**
 * Conformance over ../shared/corpus/xbps: every repodata, package and signature file reads, and
 * what repokit reads agrees with what the real tools stated about the same files:
 * - public/MANIFEST.json: xbps-query 0.60.7 package lists, bsdtar member listings, Python plistlib
 *   key lists, openssl signature checks (real files from public repositories);
 * - generated/expected/*.json: libxbps 0.60.7's view of repodata made by xbps-rindex (every entry
 *   field, the meta, the key fingerprint, `xbps-query -f` file lists).
 * Cases known not to pass are listed with a reason (it.fails), so the list cannot go stale.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readXbpsPackage } from '../../src/xbps/package.js';
import { readRepodata } from '../../src/xbps/repodata-read.js';
import { entrySha256, plistToJson, type XbpsJson } from '../../src/xbps/repodata.js';
import { keyFingerprint, verifySignature } from '../../src/xbps/signature.js';
import { parsePlistDict } from '../../src/xbps/plist-parse.js';
import { repoMetaOf } from '../../src/xbps/repodata.js';
import { GENERATED, HAVE_GENERATED, HAVE_PUBLIC, PUBLIC, SKIP_GENERATED, SKIP_PUBLIC, generatedManifest, publicManifest, xzUnavailable } from './repodata-corpus.js';

const NO_XZ = await xzUnavailable();
const NO_XZ_REASON = 'the @napi-rs/lzma native binding is missing on this machine, so xz cannot be decoded in-process';

/** Cases known to fail: id -> reason. Empty: every case passes. */
const KNOWN_FAILURES: Readonly<Record<string, string>> = {};

function conformanceCase(id: string, fn: () => Promise<void>, skipReason?: string): void {
  if (skipReason !== undefined) {
    it.skip(`${id} (skipped: ${skipReason})`, fn);
    return;
  }
  const known = KNOWN_FAILURES[id];
  if (known === undefined) it(id, fn);
  else it.fails(`${id} [known failure: ${known}]`, fn);
}

/** "-rw-r--r-- 0 root root 811 Jan 1 1970 index.plist" -> name and size. */
function bsdtarMember(line: string): { name: string; size: number } {
  const f = line.trim().split(/\s+/);
  return { name: f[f.length - 1]!, size: Number(f[4]) };
}

const ROOT_PLIST_FILES = ['void-linux_xbps/60%3Aae%3A0c%3Ad6%3Af0%3A95%3A17%3A80%3Abc%3A93%3A46%3A7a%3A89%3Aaf%3Aa3%3A2d.plist'];

describe.skipIf(!HAVE_PUBLIC)(`public corpus${HAVE_PUBLIC ? '' : ` (${SKIP_PUBLIC})`}`, () => {
  const manifest = publicManifest();

  for (const f of manifest) {
    const path = join(PUBLIC, f.file);
    if (f.exercises.includes('repodata')) {
      conformanceCase(`${f.file}: reads; packages, members and container match xbps-query and bsdtar`, async () => {
        const repo = await readRepodata(path);
        const q = f.tool_facts['xbps_query'] as { pkgvers: string[] };
        const names = [...repo.index.values(), ...repo.stage.values()].map((e) => e.pkgver).sort();
        expect(names).toEqual([...q.pkgvers].sort());
        const bsdtar = f.tool_facts['bsdtar'] as { members: string[]; container_compression_magic: string };
        expect(repo.members).toEqual(bsdtar.members.map(bsdtarMember));
        expect(repo.compression).toBe(bsdtar.container_compression_magic);
        expect(repo.warnings).toEqual([]);
        const layout = f.exercises.find((x) => x.startsWith('layout-'));
        expect(repo.layout).toBe(layout === 'layout-0.60' ? 'repodata-0.60' : 'repodata-0.42');
        expect(repo.signed).toBe(f.exercises.includes('signed'));
        if (f.exercises.includes('unsigned')) expect(repo.metaForm).toBe(layout === 'layout-0.60' ? 'empty' : 'DEADBEEF');
        const bits = f.exercises.find((x) => /^rsa-\d+$/.test(x));
        if (bits !== undefined) expect(repo.meta?.publicKeySize).toBe(Number(bits.slice(4)));
      });
    }
    if (f.exercises.includes('package')) {
      const facts = f.tool_facts['props_plist'] as { pkgver: string; keys: string[] };
      const tar = f.tool_facts['bsdtar'] as { first_members: string[] };
      conformanceCase(
        `${f.file}: reads; pkgver, props keys, sha256, size and leading members match plistlib and bsdtar`,
        async () => {
          const pkg = await readXbpsPackage(path);
          expect(pkg.pkgver).toBe(facts.pkgver);
          expect([...pkg.props.keys()].sort()).toEqual([...facts.keys].sort());
          expect(pkg.sha256).toBe(f.sha256);
          expect(pkg.size).toBe(f.size);
          expect(pkg.leadingMembers).toEqual(tar.first_members.slice(0, pkg.leadingMembers.length));
          expect(pkg.files?.has('files')).toBe(true);
        },
        f.exercises.includes('xz') && NO_XZ ? NO_XZ_REASON : undefined,
      );
    }
  }

  conformanceCase('Toasterbirb xnotify .sig (legacy SHA-1 OID + SHA-256 digest) verifies with the repodata key', async () => {
    const dir = join(PUBLIC, 'Toasterbirb_void-repo');
    const repo = await readRepodata(join(dir, 'x86_64-repodata'));
    const pkg = await readXbpsPackage(join(dir, 'xnotify-0.8.1_1.x86_64.xbps'));
    expect(pkg.sha256).toBe(entrySha256(repo.index.get('xnotify')!));
    const sig = new Uint8Array(readFileSync(join(dir, 'xnotify-0.8.1_1.x86_64.xbps.sig')));
    expect(verifySignature(pkg, sig, repo.meta!.publicKey!)).toEqual({ ok: true, kind: 'sig', problem: '' });
    // As a .sig2 it must not pass: the DigestInfo names SHA-1.
    const strict = verifySignature(pkg, sig, repo.meta!.publicKey!, { kind: 'sig2' });
    expect(strict.ok).toBe(false);
    expect(strict.problem).toMatch(/DigestInfo prefix/);
  });

  conformanceCase('ryze312 rudolfs .sig2 verifies against the repodata filename-sha256 and key (as openssl said)', async () => {
    const dir = join(PUBLIC, 'ryze312_xbps-pkgs');
    const repo = await readRepodata(join(dir, 'x86_64-repodata'));
    const sig = new Uint8Array(readFileSync(join(dir, 'rudolfs-0.3.8_1.x86_64.xbps.sig2')));
    const digest = entrySha256(repo.index.get('rudolfs')!)!;
    expect(verifySignature(digest, sig, repo.meta!.publicKey!, { kind: 'sig2' })).toEqual({ ok: true, kind: 'sig2', problem: '' });
    // One bit off in the digest and it fails.
    const other = (digest[0] === '0' ? '1' : '0') + digest.slice(1);
    expect(verifySignature(other, sig, repo.meta!.publicKey!).ok).toBe(false);
  });

  for (const file of ROOT_PLIST_FILES) {
    conformanceCase(`${file}: the key plist's fingerprint is its file name (xbps names key files by it)`, async () => {
      const dict = parsePlistDict(readFileSync(join(PUBLIC, file)));
      const meta = repoMetaOf(dict);
      expect(meta.complete).toBe(true);
      expect(meta.publicKeySize).toBe(4096);
      const name = decodeURIComponent(file.split('/').pop()!).replace(/\.plist$/, '');
      expect(keyFingerprint(meta.publicKey!)).toBe(name);
    });
  }
});

/** The oracle writes <data> as {"base64": ...}; repokit's JSON writes the base64 string. */
function fromOracle(v: unknown): XbpsJson {
  if (Array.isArray(v)) return v.map(fromOracle);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Object.keys(o).length === 1 && typeof o['base64'] === 'string') return o['base64'];
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromOracle(x)]));
  }
  return v as XbpsJson;
}

interface Expected {
  signed: boolean;
  signed_by?: string;
  public_key_bits?: number;
  public_key_fingerprint?: string;
  libxbps: { index_count: number; stage_count: number; meta: unknown };
  packages: { pkgver: string; pkgname: string; files: string[]; libxbps: unknown }[];
}

if (!HAVE_GENERATED) {
  it.skip(`generated corpus (xbps 0.60.7) (${SKIP_GENERATED})`, () => {});
} else describe('generated corpus (xbps 0.60.7)', () => {
  const manifest = generatedManifest();

  for (const f of manifest.filter((x) => x.file.endsWith('.xbps'))) {
    conformanceCase(`${f.file}: reads; sha256 and size as stated`, async () => {
      const pkg = await readXbpsPackage(join(GENERATED, f.file));
      expect(pkg.sha256).toBe(f.sha256);
      expect(pkg.size).toBe(f.size);
      expect(pkg.compression).toBe('zstd');
      expect(pkg.pkgver).toBe(/-n (\S+)/.exec(f.made_by)![1]);
    });
  }

  for (const f of manifest.filter((x) => x.expected !== undefined)) {
    const compression = /--compression (\w+)/.exec(f.made_by)?.[1] ?? 'zstd';
    conformanceCase(
      `${f.file}: every entry, the meta and the file lists equal libxbps's view`,
      async () => {
        const expected = JSON.parse(readFileSync(join(GENERATED, f.expected!), 'utf8')) as Expected;
        const dir = join(GENERATED, f.repository_dir!);
        const repo = await readRepodata(join(GENERATED, f.file));
        expect(repo.index.size).toBe(expected.libxbps.index_count);
        expect(repo.stage.size).toBe(expected.libxbps.stage_count);
        expect(repo.signed).toBe(expected.signed);
        expect(repo.meta === undefined ? null : plistToJson(repo.meta.dict)).toEqual(fromOracle(expected.libxbps.meta));
        for (const p of expected.packages) {
          const e = repo.index.get(p.pkgname)!;
          expect(e.pkgver).toBe(p.pkgver);
          expect(plistToJson(e.dict)).toEqual(fromOracle(p.libxbps));
          // xbps-query -f: conf_files, then files, then links as "path -> target".
          const pkg = await readXbpsPackage(join(dir, `${p.pkgver}.${plistToJson(e.dict.get('architecture')!) as string}.xbps`));
          expect(pkg.sha256).toBe(entrySha256(e));
          const list = (k: string) => ((pkg.files!.get(k) ?? []) as Map<string, unknown>[]);
          const files = [
            ...list('conf_files').map((x) => x.get('file')),
            ...list('files').map((x) => x.get('file')),
            ...list('links').map((x) => `${String(x.get('file'))} -> ${String(x.get('target'))}`),
          ];
          expect(files).toEqual(p.files);
        }
        if (expected.signed) {
          const pem = readFileSync(join(dir, 'signing-key.pub.pem'), 'utf8');
          expect(new TextDecoder().decode(repo.meta!.publicKey)).toBe(pem);
          expect(repo.meta!.signatureBy).toBe(expected.signed_by);
          expect(repo.meta!.publicKeySize).toBe(expected.public_key_bits);
          expect(keyFingerprint(repo.meta!.publicKey!)).toBe(expected.public_key_fingerprint);
          for (const sigName of readdirSync(dir).filter((n) => n.endsWith('.sig2'))) {
            const pkg = await readXbpsPackage(join(dir, sigName.slice(0, -'.sig2'.length)));
            const sig = new Uint8Array(readFileSync(join(dir, sigName)));
            expect(verifySignature(pkg, sig, pem, { kind: 'sig2' }), sigName).toEqual({ ok: true, kind: 'sig2', problem: '' });
            expect(verifySignature(pkg, sig, repo.meta!, { kind: 'sig2' }).ok).toBe(true);
          }
        }
      },
      compression === 'xz' && NO_XZ ? NO_XZ_REASON : undefined,
    );
  }
});
