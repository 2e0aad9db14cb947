/**
 * Smoke test of the interop infrastructure: builds the RPM set from
 * test/interop/specs with the real rpmbuild, dumps it with the python3-rpm
 * oracle and checks that both did what the specs ask for. Skips (with a
 * reason) when rpmbuild or python3-rpm is missing; fails instead under CI.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runRpmOracle, type OracleDump, type OraclePackage, type OracleTags } from '../helpers/rpm-oracle.js';
import { buildInteropRpms, requireTool } from '../helpers/rpmbuild.js';

const skipReason = requireTool('rpmbuild') ?? requireTool('python3-rpm');

// RPMSENSE_* bits
const LESS = 1 << 1;
const GREATER = 1 << 2;
const EQUAL = 1 << 3;
const SENSEMASK = 15;
const POSTTRANS = 1 << 5;
const PRETRANS = 1 << 7;
const SCRIPT_PRE = 1 << 9;
const SCRIPT_POST = 1 << 10;
const SCRIPT_PREUN = 1 << 11;
const SCRIPT_POSTUN = 1 << 12;
const SCRIPT_VERIFY = 1 << 13;
const META = 1 << 29;
// RPMFILE_* bits
const F_CONFIG = 1 << 0;
const F_DOC = 1 << 1;
const F_MISSINGOK = 1 << 3;
const F_NOREPLACE = 1 << 4;
const F_GHOST = 1 << 6;
const F_LICENSE = 1 << 7;
const F_ARTIFACT = 1 << 12;

const DEP_KINDS = [
  'provides',
  'requires',
  'conflicts',
  'obsoletes',
  'recommends',
  'suggests',
  'supplements',
  'enhances',
] as const;

/** Compressor per rk-payload-* package (null: w.ufdio, no PAYLOADCOMPRESSOR tag). */
const COMPRESSORS: Record<string, string | null> = {
  'rk-payload-gzip': 'gzip',
  'rk-payload-bzip2': 'bzip2',
  'rk-payload-xz': 'xz',
  'rk-payload-lzma': 'lzma',
  'rk-payload-zstd': 'zstd',
  'rk-payload-none': null,
};

const EXPECTED_BINARIES = [
  'rk-files',
  'rk-files-extra',
  'rk-deps',
  'rk-deps-libs',
  'rk-deps-doc',
  'rk-renamed',
  'rk-scripts',
  'rk-i18n',
  'rk-empty',
  'rk-digest-md5',
  'rk-digest-sha512',
  'rk-nodirtokens',
  ...Object.keys(COMPRESSORS),
];
const EXPECTED_SOURCES = [
  'rk-files',
  'rk-deps',
  'rk-scripts',
  'rk-i18n',
  'rk-empty',
  'rk-digest-md5',
  'rk-digest-sha512',
  'rk-nodirtokens',
  ...Object.keys(COMPRESSORS),
];

function trailer(hex: unknown): { tag: number; type: number; offset: number; count: number } {
  expect(typeof hex).toBe('string');
  const b = Buffer.from(hex as string, 'hex');
  expect(b.length).toBe(16);
  return { tag: b.readUInt32BE(0), type: b.readUInt32BE(4), offset: b.readInt32BE(8), count: b.readUInt32BE(12) };
}

function strings(tags: OracleTags, tag: number): string[] {
  const v = tags[String(tag)]?.value;
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

describe('rpm interop: rpmbuild set + python3-rpm oracle', () => {
  let files: string[] = [];
  let dumps: Record<string, OracleDump> = {};
  const bin = new Map<string, { file: string; dump: OracleDump }>();
  const src = new Map<string, { file: string; dump: OracleDump }>();

  beforeAll(async () => {
    if (skipReason !== null) return;
    const t0 = performance.now();
    files = await buildInteropRpms();
    const t1 = performance.now();
    dumps = runRpmOracle(files);
    const t2 = performance.now();
    console.log(
      `interop: ${files.length} packages (build or cache ${(t1 - t0).toFixed(0)} ms, oracle ${(t2 - t1).toFixed(0)} ms)`,
    );
    for (const [file, dump] of Object.entries(dumps)) {
      (dump.package.is_source ? src : bin).set(dump.package.name, { file, dump });
    }
  });

  beforeEach((ctx) => {
    if (skipReason !== null) ctx.skip(skipReason);
  });

  function pkg(name: string, source = false): OraclePackage {
    const entry = (source ? src : bin).get(name);
    if (!entry) throw new Error(`no ${source ? 'source' : 'binary'} package ${name}`);
    return entry.dump.package;
  }
  function header(name: string, source = false): OracleTags {
    const entry = (source ? src : bin).get(name);
    if (!entry) throw new Error(`no ${source ? 'source' : 'binary'} package ${name}`);
    return entry.dump.header;
  }

  it('dumps every built package, and the expected ones were built', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(Object.keys(dumps).sort()).toEqual([...files].sort());
    expect([...bin.keys()].sort()).toEqual(expect.arrayContaining(EXPECTED_BINARIES));
    expect([...src.keys()].sort()).toEqual(expect.arrayContaining(EXPECTED_SOURCES));
    for (const f of files) {
      const p = dumps[f]?.package;
      expect(p?.name).toBeTruthy();
      expect(p?.version).toBeTruthy();
      expect(p?.release).toBeTruthy();
      expect(basename(f).endsWith('.src.rpm')).toBe(p?.is_source);
    }
  });

  it('dumps the signature and main headers as stored, with their regions', () => {
    for (const f of files) {
      const { signature, header: h, package: p } = dumps[f] as OracleDump;
      // Signature header: own tag numbers, region 62 (all rpm >= 4 packages).
      expect(signature['62'], f).toBeDefined();
      expect(signature['62']?.type).toBe(7);
      const st = trailer(signature['62']?.value);
      expect(st).toMatchObject({ tag: 62, type: 7, count: 16 });
      expect(-st.offset / 16).toBe(Object.keys(signature).length); // region covers all, no dribbles
      expect(signature['1000']?.type).toBe(4); // SIZE
      expect(signature['1000']?.value as number).toBeLessThan(statSync(f).size);
      expect(signature['1004']?.type).toBe(7); // MD5
      expect(signature['1004']?.value).toMatch(/^[0-9a-f]{32}$/);
      expect(signature['269']?.value).toMatch(/^[0-9a-f]{40}$/); // SHA1 header digest
      expect(signature['273']?.value).toMatch(/^[0-9a-f]{64}$/); // SHA256 header digest
      // Main header: region 63, nothing merged in from the signature (256-279) or extension tags.
      expect(h['63'], f).toBeDefined();
      const ht = trailer(h['63']?.value);
      expect(ht).toMatchObject({ tag: 63, type: 7, count: 16 });
      expect(-ht.offset / 16).toBe(Object.keys(h).length);
      for (const t of Object.keys(h).map(Number)) {
        expect(t >= 256 && t < 1000, `tag ${t} in ${f}`).toBe(false);
        expect([5000, 5013, 5014, 5015, 5016, 5019, 1196]).not.toContain(t);
      }
      // Raw tags agree with the typed API.
      expect(h['1000']).toEqual({ type: 6, value: p.name });
      expect(h['1004']?.type).toBe(9);
      expect(strings(h, 1004)[0]).toBe(p.summary);
      expect(h['1006']).toEqual({ type: 4, value: p.buildtime });
      expect(p.buildtime).toBe(1_700_000_000);
      expect(p.buildhost).toBe('repokit.example');
      expect(strings(h, 1049).length).toBe(p.dependencies.requires.length);
      expect(strings(h, 1047).length).toBe(p.dependencies.provides.length);
      if (p.is_source) {
        expect(h['1106']).toEqual({ type: 4, value: 1 });
        expect(p.sourcerpm).toBeNull();
      } else {
        expect(p.sourcerpm).toMatch(/\.src\.rpm$/);
      }
    }
  });

  it('reports every payload compressor', () => {
    for (const [name, compressor] of Object.entries(COMPRESSORS)) {
      for (const source of [false, true]) {
        const p = pkg(name, source);
        expect(p.payload.format, name).toBe('cpio');
        expect(p.payload.compressor, name).toBe(compressor);
        if (compressor === null) expect(header(name, source)['1125']).toBeUndefined();
        else expect(header(name, source)['1125']).toEqual({ type: 6, value: compressor });
        expect(p.files.length).toBeGreaterThan(0);
      }
    }
    expect(pkg('rk-digest-sha512').payload).toEqual({ format: 'cpio', compressor: 'zstd', flags: '3T2' });
    expect(pkg('rk-digest-md5').payload).toEqual({ format: 'cpio', compressor: 'gzip', flags: '1' });
  });

  it('rk-files: a few hundred files with every attribute', () => {
    const p = pkg('rk-files');
    expect(p.epoch).toBe(0);
    expect(p.arch).toBe('noarch');
    expect(p.files.length).toBeGreaterThan(300);
    const byPath = new Map(p.files.map((f) => [f.path, f]));
    const get = (path: string) => {
      const f = byPath.get(path);
      expect(f, path).toBeDefined();
      return f as NonNullable<typeof f>;
    };
    expect(get('/etc/rk-files/plain.conf').flags & F_CONFIG).toBe(F_CONFIG);
    expect(get('/etc/rk-files/noreplace.conf').flags & (F_CONFIG | F_NOREPLACE)).toBe(F_CONFIG | F_NOREPLACE);
    expect(get('/etc/rk-files/missingok.conf').flags & F_MISSINGOK).toBe(F_MISSINGOK);
    expect(get('/etc/rk-files/verify.conf').verifyflags).not.toBe(0xffffffff);
    expect(get('/usr/share/doc/rk-files-2.5.1/README.rk').flags & F_DOC).toBe(F_DOC);
    expect(get('/usr/share/licenses/rk-files-2.5.1/LICENSE.rk').flags & F_LICENSE).toBe(F_LICENSE);
    expect(get('/var/log/rk-files.log').flags & F_GHOST).toBe(F_GHOST);
    expect(get('/usr/share/rk-files/build-artifact.txt').flags & F_ARTIFACT).toBe(F_ARTIFACT);
    expect(get('/usr/share/locale/de/LC_MESSAGES/rk-files.txt').lang).toBe('de');
    expect(get('/usr/bin/rk-caps').caps).toBe('cap_net_raw=ep');
    expect(get('/usr/bin/rk-suid').mode).toBe(0o104755);
    expect(get('/usr/share/rk-files/daemon-owned.txt')).toMatchObject({ user: 'daemon', group: 'adm', mode: 0o100640 });
    expect(get('/usr/bin/rk-files-rel')).toMatchObject({ linkto: 'rk-files', digest: null });
    expect(get('/dev/rk-null').mode).toBe(0o020666);
    expect(get('/var/lib/rk-files/fifo').mode & 0o170000).toBe(0o010000);
    const utf8 = get('/usr/share/rk-files/données/résumé-日本語.txt');
    expect(utf8.size).toBeGreaterThan(0);
    expect(utf8.digest).toMatch(/^[0-9a-f]{64}$/);
    const hard = ['a', 'b', 'c'].map((x) => get(`/usr/share/rk-files/hard-${x}`));
    expect(new Set(hard.map((f) => f.digest)).size).toBe(1);
    expect(p.changelog.length).toBe(3);
    expect(p.changelog[0]?.text).toContain('Third entry');
    expect(pkg('rk-files-extra').dependencies.requires.map((d) => `${d.name} ${d.version}`)).toContain(
      'rk-files 0:2.5.1-3',
    );
  });

  it('rk-deps: every dependency kind with every comparison flag', () => {
    const p = pkg('rk-deps');
    expect(p.epoch).toBe(3);
    expect(p.arch).toBe('x86_64');
    expect(p.disttag).toBe('rk1');
    expect(p.vendor).toBe('Repokit Vendor');
    for (const kind of DEP_KINDS) {
      const deps = p.dependencies[kind];
      expect(deps.length, kind).toBeGreaterThan(0);
      const senses = new Set(deps.map((d) => d.flags & SENSEMASK));
      for (const s of [0, LESS, LESS | EQUAL, EQUAL, GREATER | EQUAL, GREATER]) expect(senses.has(s), `${kind} ${s}`).toBe(true);
    }
    const req = p.dependencies.requires;
    const flagsOf = (name: string) => req.find((d) => d.name === name)?.flags ?? -1;
    expect(flagsOf('rk-req-pre') & SCRIPT_PRE).toBe(SCRIPT_PRE);
    expect(flagsOf('rk-req-post') & SCRIPT_POST).toBe(SCRIPT_POST);
    expect(flagsOf('rk-req-preun') & SCRIPT_PREUN).toBe(SCRIPT_PREUN);
    expect(flagsOf('rk-req-postun') & SCRIPT_POSTUN).toBe(SCRIPT_POSTUN);
    expect(flagsOf('rk-req-pretrans') & PRETRANS).toBe(PRETRANS);
    expect(flagsOf('rk-req-posttrans') & POSTTRANS).toBe(POSTTRANS);
    expect(flagsOf('rk-req-verify') & SCRIPT_VERIFY).toBe(SCRIPT_VERIFY);
    expect(flagsOf('rk-req-meta') & META).toBe(META);
    expect(req.find((d) => d.name === 'rk-req-le')?.version).toBe('2:1.0-3');
    expect(req.filter((d) => d.name.startsWith('(')).length).toBeGreaterThanOrEqual(7);
    expect(req.map((d) => d.name)).toContain('(rk-rich-c if rk-rich-d)');
    expect(req.map((d) => d.name)).toContain('(rk-rich-e with rk-rich-f)');
    expect(strings(header('rk-deps'), 5035)).toEqual(['rk-order-any', 'rk-order-ge', 'rk-order-lt']); // ORDERNAME
    expect(pkg('rk-deps-doc').arch).toBe('noarch');
    expect(pkg('rk-deps-libs').arch).toBe('x86_64');
    expect(pkg('rk-renamed')).toMatchObject({ epoch: 1, version: '9.9', release: '1' });
    expect(pkg('rk-deps').changelog.length).toBe(4);
    expect(strings(header('rk-deps', true), 1018)).toEqual(['repokit-interop-source.txt']); // SOURCE
    expect(strings(header('rk-deps', true), 1019)).toEqual(['repokit-interop.patch']); // PATCH
  });

  it('rk-scripts: scriptlets, triggers, file triggers, lua', () => {
    const p = pkg('rk-scripts');
    expect(p.epoch).toBeNull();
    const h = header('rk-scripts');
    // PREIN POSTIN PREUN POSTUN PRETRANS POSTTRANS VERIFYSCRIPT
    for (const t of [1023, 1024, 1025, 1026, 1151, 1152, 1079]) expect(h[String(t)], `tag ${t}`).toBeDefined();
    expect(strings(h, 1086)).toEqual(['<lua>']); // POSTINPROG
    expect(strings(h, 1066).length).toBeGreaterThanOrEqual(4); // TRIGGERNAME
    expect(strings(h, 5069).length).toBeGreaterThanOrEqual(3); // FILETRIGGERNAME
    expect(strings(h, 5079).length).toBeGreaterThanOrEqual(3); // TRANSFILETRIGGERNAME
  });

  it('rk-i18n: every element of the I18N strings', () => {
    const h = header('rk-i18n');
    expect(h['100']).toEqual({ type: 8, value: ['C', 'de', 'fr', 'ja'] });
    expect(h['1004']?.type).toBe(9);
    expect(strings(h, 1004)).toHaveLength(4);
    expect(strings(h, 1004)[1]).toBe('Übersetzte Zeichenketten für repokit');
    expect(strings(h, 1005)).toHaveLength(4);
    expect(strings(h, 1016)).toEqual(['Applications/Text', 'Anwendungen/Text']);
    expect(pkg('rk-i18n').summary).toBe('Translated strings for repokit');
  });

  it('digest algorithms, --nodirtokens and the empty metapackage', () => {
    const md5 = pkg('rk-digest-md5');
    expect(md5.file_digest_algo).toBe(1);
    expect(header('rk-digest-md5')['5011']).toBeUndefined();
    expect(md5.files.filter((f) => f.digest !== null).every((f) => /^[0-9a-f]{32}$/.test(f.digest ?? ''))).toBe(true);
    const sha512 = pkg('rk-digest-sha512');
    expect(sha512.file_digest_algo).toBe(10);
    expect(sha512.files.some((f) => /^[0-9a-f]{128}$/.test(f.digest ?? ''))).toBe(true);
    const legacy = header('rk-nodirtokens');
    expect(legacy['1027']?.type).toBe(8); // OLDFILENAMES
    expect(legacy['1117']).toBeUndefined(); // no BASENAMES
    expect(pkg('rk-nodirtokens').files.map((f) => f.path)).toContain('/usr/share/rk-nodirtokens/sub/two.txt');
    const empty = pkg('rk-empty');
    expect(empty.files).toEqual([]);
    expect(empty.epoch).toBeNull();
    expect(empty.url).toBeNull();
    expect(empty.changelog).toEqual([]);
    expect(header('rk-empty')['1117']).toBeUndefined();
    expect(empty.dependencies.requires.map((d) => d.name)).toContain('rk-files');
  });

  it('source packages carry the spec file', () => {
    for (const [name, { dump }] of src) {
      expect(dump.package.arch, name).toBeTruthy();
      expect(dump.package.files.some((f) => f.path.endsWith('.spec')), name).toBe(true);
    }
  });
});
