/**
 * Which kind of package a file is, by content (never by name): an RPM starts with its lead magic
 * `ED AB EE DB`; an xbps package is a (compressed) tar with `./props.plist` among its first
 * members (xbps-create writes the INSTALL and REMOVE scripts, then props.plist, files.plist and
 * the payload); a pacman package is a (compressed) tar with `.PKGINFO` among its first members. Edge module:
 * reads the file's first bytes through node:fs.
 */
import { nodeBuiltin } from '../shared/input.js';
import { decompressStream } from '../shared/compression.js';
import { readTar } from '../shared/tar.js';
import { fileChunks } from '../shared/hash.js';
import { RepokitError } from '../shared/errors.js';
import type { RepositoryFormat } from './view.js';

/** What {@link detectPackageKind} found: `pacman` (ALPM), `xbps`, `rpm`, or `unknown`. */
export type PackageKind = 'pacman' | 'xbps' | 'rpm' | 'unknown';

/** The repository format that indexes a package kind. */
export const FORMAT_OF_KIND: Readonly<Record<Exclude<PackageKind, 'unknown'>, RepositoryFormat>> = { pacman: 'alpm', xbps: 'xbps', rpm: 'aptrpm' };

/** The package kind a repository format indexes. */
export const KIND_OF_FORMAT: Readonly<Record<RepositoryFormat, Exclude<PackageKind, 'unknown'>>> = { alpm: 'pacman', xbps: 'xbps', aptrpm: 'rpm' };

/** Members looked at before giving up on finding `.PKGINFO` (makepkg puts it among the first few). */
const MAX_MEMBERS = 16;
/** Decompressed bytes read at most while looking. */
const MAX_OUTPUT = 64 * 1024 * 1024;

const RPM_MAGIC = [0xed, 0xab, 0xee, 0xdb];

/**
 * The kind of package `path` holds, judged by content. Files that cannot be read as any of the
 * three (also damaged archives and directories) are `unknown`; only a missing or unreadable path
 * throws (IO_ERROR).
 */
export async function detectPackageKind(path: string, options: { signal?: AbortSignal } = {}): Promise<PackageKind> {
  const fs = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  let head: Uint8Array;
  try {
    const st = await fs.stat(path);
    if (!st.isFile()) return 'unknown';
    const fh = await fs.open(path, 'r');
    try {
      head = new Uint8Array(4);
      const { bytesRead } = await fh.read(head, 0, 4, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new RepokitError('IO_ERROR', `cannot read: ${String((e as { code?: unknown }).code ?? e)}`, { file: path, cause: e });
  }
  if (head.length === 4 && RPM_MAGIC.every((b, i) => head[i] === b)) return 'rpm';
  const signal = options.signal ? { signal: options.signal } : {};
  try {
    let n = 0;
    for await (const m of readTar(decompressStream(fileChunks(path, signal), { maxOutput: MAX_OUTPUT, ...signal }), { wantData: () => false, includeDirectories: true })) {
      const name = m.entry.name.replace(/^\.\//, '');
      if (name === 'props.plist') return 'xbps';
      if (name === '.PKGINFO') return 'pacman';
      if (++n >= MAX_MEMBERS) break;
    }
  } catch (e) {
    options.signal?.throwIfAborted();
    void e; // not a tar we can read: not a package of ours
  }
  return 'unknown';
}
