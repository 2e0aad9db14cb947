/**
 * Conformance of the plist codec and the typed views over the shared XBPS corpus:
 *
 * - every plist that proplib wrote (repodata members of every generation, props.plist and
 *   files.plist of every package, the official key plist) parses, and writing it again gives
 *   the SAME BYTES; parse -> write -> parse is the identity for every plist;
 * - the typed views agree with what xbps 0.60.7 itself reported (generated/expected/*.json:
 *   `xbps-query -S` per package and libxbps' view of index and meta) and with the facts in
 *   public/MANIFEST.json (xbps-query package lists, Python plistlib key lists).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  integerValue,
  isPlistInteger,
  parsePlist,
  parsePlistDict,
  plistEqual,
  readFiles,
  readProps,
  writePlist,
  type PlistDict,
} from '../../src/xbps/codecs.js';
import { CORPUS_PLISTS, CORPUS_SKIP, XBPS_CORPUS, type CorpusPlist } from './plist-corpus.js';

const SKIP = CORPUS_SKIP ?? '';
const runIf = CORPUS_SKIP === undefined ? it : it.skip;

function hexDiff(a: Uint8Array, b: Uint8Array): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const ctx = (x: Uint8Array): string => JSON.stringify(new TextDecoder().decode(x.subarray(Math.max(0, i - 40), i + 40)));
  return `first difference at byte ${i} (lengths ${a.length} vs ${b.length}):\n  ours:   ${ctx(a)}\n  theirs: ${ctx(b)}`;
}

const byId = (suffix: string): CorpusPlist[] => CORPUS_PLISTS.filter((c) => c.id.endsWith(suffix));

describe(`every corpus plist ${SKIP}`, () => {
  runIf('the corpus has the plists this test expects', () => {
    // 6 generated repodata x 3 members, 6 public repodata (2-3 members), 9 + 6x8 + 1 packages x 2.
    expect(CORPUS_PLISTS.length).toBeGreaterThanOrEqual(150);
    expect(CORPUS_PLISTS.filter((c) => c.proplib).length).toBeGreaterThanOrEqual(149);
  });

  for (const c of CORPUS_PLISTS) {
    it(`${c.id}: parse -> write -> parse is the identity${c.proplib ? ', and write gives the same bytes' : ''}`, () => {
      const v = parsePlist(c.bytes, { file: c.id });
      const out = writePlist(v);
      if (c.bytes.length === 0) {
        // A 0-byte repodata member is xbps's empty dictionary.
        expect(v).toEqual(new Map());
      } else if (c.proplib) {
        if (!Buffer.from(out).equals(Buffer.from(c.bytes))) expect.fail(hexDiff(out, c.bytes));
      }
      expect(plistEqual(parsePlist(out), v)).toBe(true);
      // Writing the re-read value is stable (a fixed point), proplib-written or not.
      expect(Buffer.from(writePlist(parsePlist(out))).equals(Buffer.from(out))).toBe(true);
    });
  }

  runIf('the hand-written pkgdb-0.38.plist (not proplib output) differs from our output only in key order', () => {
    const [c] = byId('pkgdb-0.38.plist');
    expect(c).toBeDefined();
    const out = new TextDecoder().decode(writePlist(parsePlistDict(c!.bytes)));
    const theirs = new TextDecoder().decode(c!.bytes);
    expect(out).not.toBe(theirs); // its "reverts" entry is out of order
    expect(out.split('\n').sort()).toEqual(theirs.split('\n').sort());
  });
});

// ---------------------------------------------------------------------------------------------
// Typed views against xbps's own reports

const EXPECTED = join(XBPS_CORPUS, 'generated', 'expected');
const HAVE_EXPECTED = CORPUS_SKIP === undefined && existsSync(EXPECTED);

interface ExpectedRepo {
  repository_dir: string;
  package_count: number;
  libxbps: {
    index_pkgvers: Record<string, string>;
    meta?: Record<string, unknown> | null;
    stage_count: number;
  };
  packages: { pkgver: string; pkgname: string; show: Record<string, unknown> }[];
}

/** xbps-query prints byte sizes humanised; below 1 KiB they are exact ("1623B"). */
function humanBytes(s: unknown): number | undefined {
  const m = typeof s === 'string' ? /^(\d+)B$/.exec(s) : null;
  return m === null ? undefined : Number(m[1]);
}

if (!HAVE_EXPECTED) {
  // Without the corpus the suite would be empty; one skipped placeholder says why.
  it.skip(`typed views agree with xbps-query (generated/expected) ${SKIP || `skipped: no ${EXPECTED}`}`, () => {});
} else describe('typed views agree with xbps-query (generated/expected)', () => {
  const files = readdirSync(EXPECTED).filter((f) => f.endsWith('.json')).sort();
  for (const f of files) {
    const exp = JSON.parse(readFileSync(join(EXPECTED, f), 'utf8')) as ExpectedRepo;
    const repo = `generated/repos/${exp.repository_dir}/x86_64-repodata`;
    it(`${repo}: index entries, pkgvers and meta`, () => {
      const [idx] = byId(`${repo}!index.plist`);
      const [meta] = byId(`${repo}!index-meta.plist`);
      const [stage] = byId(`${repo}!stage.plist`);
      expect(idx).toBeDefined();
      const index = parsePlistDict(idx!.bytes);
      expect(Object.fromEntries([...index].map(([k, e]) => [k, readProps(e as PlistDict).pkgver]))).toEqual(exp.libxbps.index_pkgvers);
      expect(parsePlistDict(stage!.bytes).size).toBe(exp.libxbps.stage_count);
      for (const p of exp.packages) {
        const entry = readProps(index.get(p.pkgname) as PlistDict);
        const show = p.show;
        expect(entry.pkgver).toBe(p.pkgver);
        expect(entry.pkgname).toBe(show['pkgname']);
        expect(entry.architecture).toBe(show['architecture']);
        expect(entry.shortDesc).toBe(show['short_desc']);
        expect(entry.filenameSha256).toBe(show['filename-sha256']);
        const size = humanBytes(show['filename-size']);
        if (size !== undefined) expect(entry.filenameSize).toBe(size);
        const inst = humanBytes(show['installed_size']);
        if (inst !== undefined) expect(entry.installedSize).toBe(inst);
        const msg = humanBytes(show['install-msg']);
        if (msg !== undefined) expect(entry.installMsg?.length).toBe(msg);
        const strings: [keyof typeof entry, string][] = [
          ['homepage', 'homepage'],
          ['license', 'license'],
          ['maintainer', 'maintainer'],
          ['longDesc', 'long_desc'],
          ['sourceRevisions', 'source-revisions'],
          ['sourcepkg', 'sourcepkg'],
          ['tags', 'tags'],
          ['buildOptions', 'build-options'],
          ['changelog', 'changelog'],
        ];
        for (const [field, key] of strings) expect(entry[field], key).toBe(show[key]);
        const arrays: [keyof typeof entry, string][] = [
          ['runDepends', 'run_depends'],
          ['conflicts', 'conflicts'],
          ['provides', 'provides'],
          ['replaces', 'replaces'],
          ['reverts', 'reverts'],
          ['shlibProvides', 'shlib-provides'],
          ['shlibRequires', 'shlib-requires'],
          ['confFiles', 'conf_files'],
        ];
        for (const [field, key] of arrays) expect(entry[field], key).toEqual(show[key] ?? []);
        expect({ ...entry.alternatives }).toEqual(show['alternatives'] ?? {});
        expect(entry.preserve).toBe(show['preserve'] === true || show['preserve'] === 'yes' || show['preserve'] === 'true');
        // props.plist keys xbps-rindex drops never reach the index.
        for (const k of ['pkgname', 'version', 'packaged-with']) expect(entry.raw.has(k)).toBe(false);
      }
      const m = exp.libxbps.meta;
      if (m === undefined || m === null || Object.keys(m).length === 0) {
        expect(meta!.bytes.length).toBe(0);
      } else {
        const md = parsePlistDict(meta!.bytes);
        const key = md.get('public-key');
        expect(key).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(key as Uint8Array).toString('base64')).toBe((m['public-key'] as { base64: string }).base64);
        const bits = md.get('public-key-size');
        expect(isPlistInteger(bits) && integerValue(bits)).toBe(m['public-key-size']);
        expect(md.get('signature-by')).toBe(m['signature-by']);
        expect(md.get('signature-type')).toBe(m['signature-type']);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// public/MANIFEST.json facts

interface PublicEntry {
  file: string;
  tool_facts?: {
    xbps_query?: { pkgvers?: string[] };
    props_plist?: { pkgver: string; keys: string[] };
  };
}

const PUBLIC_MANIFEST = join(XBPS_CORPUS, 'public', 'MANIFEST.json');
const publicEntries: PublicEntry[] =
  CORPUS_SKIP === undefined && existsSync(PUBLIC_MANIFEST) ? (JSON.parse(readFileSync(PUBLIC_MANIFEST, 'utf8')) as PublicEntry[]) : [];

describe(`typed views agree with public/MANIFEST.json ${SKIP}`, () => {
  for (const e of publicEntries) {
    const pkgvers = e.tool_facts?.xbps_query?.pkgvers;
    if (pkgvers !== undefined) {
      it(`${e.file}: the index holds the packages xbps-query lists`, () => {
        const [idx] = byId(`public/${e.file}!index.plist`);
        expect(idx).toBeDefined();
        const index = parsePlistDict(idx!.bytes);
        const ours = [...index.values()].map((v) => readProps(v as PlistDict).pkgver);
        expect(ours.sort()).toEqual([...pkgvers].sort());
        for (const [name, v] of index) expect(readProps(v as PlistDict).pkgname).toBe(name);
      });
    }
    const props = e.tool_facts?.props_plist;
    if (props !== undefined) {
      it(`${e.file}: props.plist has the keys and pkgver Python plistlib reported`, () => {
        const [p] = byId(`public/${e.file}!./props.plist`);
        const d = parsePlistDict(p!.bytes);
        expect([...d.keys()]).toEqual(props.keys);
        expect(readProps(d).pkgver).toBe(props.pkgver);
      });
    }
  }

  runIf('files.plist of every package reads as a typed view with sha256 on every file', () => {
    const all = CORPUS_PLISTS.filter((c) => c.id.endsWith('!./files.plist'));
    expect(all.length).toBeGreaterThan(10);
    for (const c of all) {
      const f = readFiles(parsePlistDict(c.bytes), { file: c.id });
      for (const x of [...f.files, ...f.confFiles]) expect(x.sha256, `${c.id} ${x.file}`).toMatch(/^[0-9a-f]{64}$/);
      for (const l of f.links) expect(l.target.startsWith('/'), `${c.id} ${l.file}`).toBe(true);
    }
    // The 2019 xz package still carries mtime (xbps 0.44-0.59).
    const [dmenu] = byId('dmenu2-0.2_1.x86_64.xbps!./files.plist');
    expect(readFiles(parsePlistDict(dmenu!.bytes)).files.every((x) => typeof x.mtime === 'number')).toBe(true);
  });
});
