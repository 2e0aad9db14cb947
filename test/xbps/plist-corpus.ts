/**
 * The property lists of the shared XBPS corpus (../shared/corpus/xbps), for the codec tests:
 * every member of every `<arch>-repodata`, `props.plist` and `files.plist` of every `.xbps`, and
 * the standalone plists. Archive members are extracted with `bsdtar -xOf` (the archive reader
 * is not part of the codecs). Without the corpus, or without bsdtar outside CI, the list is
 * empty and `CORPUS_SKIP` says why; in CI a missing bsdtar is an error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const XBPS_CORPUS = join(REPO_ROOT, '..', 'shared', 'corpus', 'xbps');

export interface CorpusPlist {
  /** `<path relative to the corpus>` or `<archive>!<member>`. */
  id: string;
  bytes: Uint8Array;
  /** Written by proplib (xbps-create / xbps-rindex / xbps key import), so our writer must match it. */
  proplib: boolean;
}

function isCi(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

function haveBsdtar(): boolean {
  return spawnSync('bsdtar', ['--version'], { encoding: 'utf8' }).status === 0;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

function member(archive: string, name: string): Uint8Array | undefined {
  const r = spawnSync('bsdtar', ['-xOf', archive, name], { maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) return undefined;
  return new Uint8Array(r.stdout);
}

function listMembers(archive: string): string[] {
  const r = spawnSync('bsdtar', ['-tf', archive], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bsdtar -tf ${archive}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

function load(): { plists: CorpusPlist[]; skip: string | undefined } {
  if (!existsSync(XBPS_CORPUS)) {
    return { plists: [], skip: `skipped: the shared corpus is absent (no ${XBPS_CORPUS})` };
  }
  if (!haveBsdtar()) {
    if (isCi()) throw new Error('bsdtar is not installed; CI must install it (apt-get install libarchive-tools)');
    return { plists: [], skip: 'skipped: bsdtar is not installed (apt-get install libarchive-tools)' };
  }
  const plists: CorpusPlist[] = [];
  for (const file of walk(XBPS_CORPUS)) {
    const rel = relative(XBPS_CORPUS, file);
    if (file.endsWith('-repodata')) {
      for (const m of listMembers(file)) {
        const bytes = member(file, m);
        if (bytes === undefined) throw new Error(`cannot extract ${m} from ${file}`);
        // DEADBEEF is the pre-0.60 "unsigned" marker, not a plist.
        if (m === 'index-meta.plist' && new TextDecoder().decode(bytes) === 'DEADBEEF') continue;
        plists.push({ id: `${rel}!${m}`, bytes, proplib: true });
      }
    } else if (file.endsWith('.xbps')) {
      for (const m of ['./props.plist', './files.plist']) {
        const bytes = member(file, m);
        if (bytes === undefined) throw new Error(`cannot extract ${m} from ${file}`);
        plists.push({ id: `${rel}!${m}`, bytes, proplib: true });
      }
    } else if (file.endsWith('.plist')) {
      // The official key plist was written by xbps; pkgdb-0.38.plist is a hand-written test file.
      plists.push({ id: rel, bytes: new Uint8Array(readFileSync(file)), proplib: !rel.includes('pkgdb-') });
    }
  }
  return { plists, skip: undefined };
}

const loaded = load();
/** Every plist of the corpus (empty when skipped). */
export const CORPUS_PLISTS: readonly CorpusPlist[] = loaded.plists;
/** Why the corpus tests are skipped, or undefined when they run. */
export const CORPUS_SKIP: string | undefined = loaded.skip;
