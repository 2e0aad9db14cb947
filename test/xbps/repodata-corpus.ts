/**
 * Shared pieces of the XBPS repository tests: where the shared corpus is (resolved from the repo
 * root, never the working directory), the reason to skip when it is absent, temporary
 * repositories, and decompression of golden files (falling back to the `xz` tool when this
 * machine's @napi-rs/lzma binding is missing).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decompress } from '../../src/shared/compression.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { isCi } from '../shared/tools.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const XBPS_CORPUS = join(REPO_ROOT, '..', 'shared', 'corpus', 'xbps');
export const GENERATED = join(XBPS_CORPUS, 'generated');
export const PUBLIC = join(XBPS_CORPUS, 'public');
export const HAVE_GENERATED = existsSync(join(GENERATED, 'MANIFEST.json'));
export const HAVE_PUBLIC = existsSync(join(PUBLIC, 'MANIFEST.json'));
export const SKIP_GENERATED = `skipped: the shared corpus is absent (no ${join(GENERATED, 'MANIFEST.json')}; ../shared is resolved from the repo root ${REPO_ROOT})`;
export const SKIP_PUBLIC = `skipped: the shared corpus is absent (no ${join(PUBLIC, 'MANIFEST.json')})`;

/** One file entry of generated/MANIFEST.json. */
export interface GeneratedFile {
  file: string;
  made_by: string;
  size: number;
  sha256: string;
  repository_dir?: string;
  arch?: string;
  directory_contents?: string[];
  expected?: string;
}

export function generatedManifest(): GeneratedFile[] {
  if (!HAVE_GENERATED) return [];
  return (JSON.parse(readFileSync(join(GENERATED, 'MANIFEST.json'), 'utf8')) as { files: GeneratedFile[] }).files;
}

/** One entry of public/MANIFEST.json. */
export interface PublicFile {
  file: string;
  size: number;
  sha256?: string;
  exercises: string[];
  tool_facts: Record<string, Record<string, unknown>>;
}

export function publicManifest(): PublicFile[] {
  if (!HAVE_PUBLIC) return [];
  return JSON.parse(readFileSync(join(PUBLIC, 'MANIFEST.json'), 'utf8')) as PublicFile[];
}

/** A fresh temporary directory holding copies of `files`; call the returned `cleanup` afterwards. */
export function tempRepo(files: readonly string[] = []): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'repokit-xbps-'));
  for (const f of files) copyFileSync(f, join(dir, basename(f)));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * True when `xz` input cannot be decoded in-process here (the lzma binding is missing), for tests
 * to skip with; under CI that throws instead, so the tests fail.
 */
export async function xzUnavailable(): Promise<boolean> {
  try {
    await decompress(new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0]));
    return false;
  } catch (e) {
    const missing = isRepokitError(e) && e.code === 'UNSUPPORTED_COMPRESSION';
    if (missing && isCi()) throw new Error(`the @napi-rs/lzma native binding is missing; CI must have it (${(e as Error).message.split('\n')[0]})`);
    return missing;
  }
}

/** Decompress a golden file (the library, or the `xz` tool when the lzma binding is missing). */
export async function decompressGolden(bytes: Uint8Array): Promise<Uint8Array> {
  try {
    return await decompress(bytes);
  } catch (e) {
    if (!(isRepokitError(e) && e.code === 'UNSUPPORTED_COMPRESSION')) throw e;
    const r = spawnSync('xz', ['-dc'], { input: bytes, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw e;
    return new Uint8Array(r.stdout);
  }
}
