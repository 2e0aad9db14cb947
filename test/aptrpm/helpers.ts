/**
 * Shared bits of the apt-rpm tests: corpus paths (../shared, resolved from the repository root),
 * and a probe for the compressors the tree writer and reader need (xz comes from @napi-rs/lzma's
 * native binding, which a checkout may lack: tests needing it skip with the reason, and fail
 * under CI).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { compress, decompress } from '../../src/shared/compression.js';
import { isCi } from '../shared/tools.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED = join(REPO_ROOT, '..', 'shared');
export const APT_CORPUS = join(SHARED, 'corpus', 'aptrpm');
export const RPM_GENERATED = join(SHARED, 'corpus', 'rpm', 'generated');
export const ALT_PKGLIST = join(APT_CORPUS, 'public', 'johnlepikhin_rpm-spec-tool', 'tiny-alt', 'base', 'pkglist.classic.xz');
export const ALT_RELEASE = join(APT_CORPUS, 'public', 'johnlepikhin_rpm-spec-tool', 'tiny-alt', 'base', 'release');
export const FORGEJO_RPM = join(APT_CORPUS, 'public', 'forgejo', 'test.package-name-1.0.2-1.x86_64.rpm');
export const HAVE_CORPUS = existsSync(join(APT_CORPUS, 'public', 'MANIFEST.json')) && existsSync(RPM_GENERATED);
export const NO_CORPUS = `skipped: the shared corpus is absent (no ${APT_CORPUS}; ../shared is resolved from the repo root ${REPO_ROOT})`;

/** Why a compressor cannot run here, or null when it works (probed once per format). */
const probed = new Map<string, Promise<string | null>>();
export function compressorMissing(format: 'xz' | 'bzip2'): Promise<string | null> {
  let p = probed.get(format);
  if (p === undefined) {
    p = (async () => {
      try {
        const z = await compress(new TextEncoder().encode('probe'), format);
        await decompress(z);
        return null;
      } catch (e) {
        return `${format} is unavailable here: ${(e as Error).message.split('\n')[0]}`;
      }
    })();
    probed.set(format, p);
  }
  return p;
}

const missing = {
  xz: await compressorMissing('xz'),
  bzip2: await compressorMissing('bzip2'),
};

/**
 * `describe` for suites that need xz (and bzip2 when asked), and with `needsCorpus` the shared
 * corpus: skipped with the reason in the title when the codec or the corpus is missing; a missing
 * codec fails under CI instead.
 */
export function describeWithCompressors(
  title: string,
  formats: readonly ('xz' | 'bzip2')[],
  body: () => void,
  options: { needsCorpus?: boolean } = {},
): void {
  const reasons = formats.map((f) => missing[f]).filter((r): r is string => r !== null);
  if (reasons.length > 0 && isCi()) {
    describe(title, () => {
      it('requires the compressors in CI', () => {
        throw new Error(reasons.join('; '));
      });
    });
  } else if (options.needsCorpus === true && !HAVE_CORPUS) {
    describe.skip(`${title} — ${NO_CORPUS}`, body);
  } else if (reasons.length === 0) {
    describe(title, body);
  } else {
    describe.skip(`${title} — skipped: ${reasons.join('; ')}`, body);
  }
}

/** Whether a compressor works here (for single tests). */
export const HAVE = { xz: missing.xz === null, bzip2: missing.bzip2 === null };
export const MISSING = missing;
