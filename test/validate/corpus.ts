/**
 * The shared corpus as the validate tests see it: every file its MANIFEST.json files list, with
 * the kind the file is (from what the manifest says the file exercises or is made by, checked
 * against its path), resolved from the repo root. Absent corpus: empty lists and a skip reason.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileKind } from '../../src/validate/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CORPUS = join(REPO_ROOT, '..', 'shared', 'corpus');
export const HAVE_CORPUS = existsSync(join(CORPUS, 'alpm', 'public', 'MANIFEST.json'));
export const SKIP_CORPUS = HAVE_CORPUS ? '' : ` (skipped: the shared corpus is absent, no ${CORPUS})`;

export interface CorpusFile {
  /** Absolute path. */
  path: string;
  /** Path below the corpus root, for test names. */
  id: string;
  /** The manifest entry as stored. */
  entry: Record<string, unknown>;
}

/** Every file listed by the eight manifests (alpm, aptrpm, rpm, xbps x public, generated). */
export function corpusFiles(): CorpusFile[] {
  if (!HAVE_CORPUS) return [];
  const out: CorpusFile[] = [];
  for (const format of ['alpm', 'aptrpm', 'rpm', 'xbps']) {
    for (const set of ['public', 'generated']) {
      const dir = join(CORPUS, format, set);
      const manifest = join(dir, 'MANIFEST.json');
      if (!existsSync(manifest)) continue;
      const m = JSON.parse(readFileSync(manifest, 'utf8')) as unknown;
      const entries = (Array.isArray(m) ? m : (m as { files: unknown[] }).files) as Record<string, unknown>[];
      for (const entry of entries) {
        const file = entry['file'];
        if (typeof file !== 'string') continue;
        const path = join(dir, file);
        if (!existsSync(path) || !statSync(path).isFile()) continue;
        out.push({ path, id: `${format}/${set}/${file}`, entry });
      }
    }
  }
  return out;
}

/**
 * The kind a corpus file is, by what it is named and what its manifest entry says it exercises.
 * Signatures, keys and bare cpio archives are none of the kinds.
 */
export function expectedKind(f: CorpusFile): FileKind {
  const name = f.id;
  const tags = JSON.stringify(f.entry['exercises'] ?? f.entry['features'] ?? []);
  if (/\.(sig|sig2|pem|asc|cpio|json)$/.test(name)) return 'unknown';
  if (/\.rpm(-v3)?$/.test(name)) return 'rpm';
  if (/\.pkg\.tar(\.\w+)?$/.test(name)) return 'alpm-package';
  if (/\.(db|files)\.tar(\.\w+)?$/.test(name)) return 'alpm-db';
  if (/\.(desc|files)$/.test(name) && /desc|files-entry/.test(tags)) return 'alpm-desc';
  if (/\.xbps$/.test(name)) return 'xbps-package';
  if (/-repodata$/.test(name)) return 'xbps-repodata';
  if (/\.plist$/.test(name)) return 'plist';
  if (/\/pkglist\.[^/]+$/.test(name)) return 'aptrpm-pkglist';
  if (/\/release(\.[^/]+)?$/.test(name)) return 'aptrpm-release';
  throw new Error(`no expected kind for corpus file ${name}`);
}
