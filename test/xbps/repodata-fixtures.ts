/**
 * Tiny `.xbps` packages for the repository tests, made the way xbps-create lays them out
 * (`./props.plist`, `./files.plist`, then the payload) with the real `bsdtar` and compressor tools
 * (lz4: bsdtar's own filter at level 9, libarchive being what xbps-create compresses with).
 * props.plist is written with repokit's proplib writer (checked byte for byte against xbps
 * elsewhere).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePlist } from '../../src/xbps/plist-write.js';
import { plistInteger, type PlistValue } from '../../src/xbps/types.js';
import { isCi } from '../shared/tools.js';

export type ToolCompression = 'zstd' | 'xz' | 'gzip' | 'bzip2' | 'lz4' | 'none';

export interface PackageSpec {
  pkgver: string;
  arch?: string;
  shortDesc?: string;
  shlibProvides?: string[];
  shlibRequires?: string[];
  reverts?: string[];
  /** Payload file contents (one file, /usr/share/<name>/data). */
  payload?: string | Uint8Array;
  compression?: ToolCompression;
  /** Extra props keys. */
  extra?: [string, PlistValue][];
}

/**
 * Null when the tools the fixtures need are installed, else which one is missing (to skip with);
 * under CI a missing tool throws instead, so the suites using them fail.
 */
export function haveTools(): string | null {
  for (const t of ['bsdtar', 'zstd', 'xz', 'gzip', 'bzip2']) {
    if (spawnSync(t, ['--version'], { stdio: 'ignore' }).error) {
      if (isCi()) throw new Error(`${t} is not installed; CI must install it`);
      return `${t} is not installed`;
    }
  }
  return null;
}

const COMPRESSOR: Record<Exclude<ToolCompression, 'none' | 'lz4'>, string[]> = {
  zstd: ['zstd', '-q', '-c', '-9'],
  xz: ['xz', '-c', '-9'],
  gzip: ['gzip', '-n', '-c', '-9'],
  bzip2: ['bzip2', '-c', '-9'],
};

/** Build `<dir>/<pkgver>.<arch>.xbps` and return its path. */
export function makePackage(dir: string, spec: PackageSpec): string {
  const arch = spec.arch ?? 'x86_64';
  const dash = spec.pkgver.lastIndexOf('-');
  const name = spec.pkgver.slice(0, dash);
  const props = new Map<string, PlistValue>([
    ['architecture', arch],
    ['installed_size', plistInteger(4)],
    ['pkgname', name],
    ['pkgver', spec.pkgver],
    ['short_desc', spec.shortDesc ?? `the ${name} package`],
    ['version', spec.pkgver.slice(dash + 1)],
    ['packaged-with', 'repokit tests'],
  ]);
  if (spec.shlibProvides) props.set('shlib-provides', spec.shlibProvides);
  if (spec.shlibRequires) props.set('shlib-requires', spec.shlibRequires);
  if (spec.reverts) props.set('reverts', spec.reverts);
  for (const [k, v] of spec.extra ?? []) props.set(k, v);
  const payloadPath = `/usr/share/${name}/data`;
  const files = new Map<string, PlistValue>([['files', [new Map<string, PlistValue>([['file', payloadPath], ['sha256', '0'.repeat(64)]])]]]);
  const stage = mkdtempSync(join(tmpdir(), 'repokit-xbps-pkg-'));
  try {
    writeFileSync(join(stage, 'props.plist'), writePlist(props));
    writeFileSync(join(stage, 'files.plist'), writePlist(files));
    mkdirSync(join(stage, 'usr', 'share', name), { recursive: true });
    writeFileSync(join(stage, payloadPath.slice(1)), spec.payload ?? `payload of ${spec.pkgver}\n`);
    const c = spec.compression ?? 'zstd';
    const filter = c === 'lz4' ? ['--lz4', '--options', 'lz4:compression-level=9'] : [];
    const tar = spawnSync('bsdtar', [...filter, '--format=ustar', '--uid', '0', '--gid', '0', '--uname', 'root', '--gname', 'root', '-cf', '-', './props.plist', './files.plist', `.${payloadPath}`], {
      cwd: stage,
      maxBuffer: 1 << 30,
    });
    if (tar.status !== 0) throw new Error(`bsdtar failed: ${tar.stderr}`);
    let bytes: Uint8Array = tar.stdout;
    if (c !== 'none' && c !== 'lz4') {
      const [cmd, ...args] = COMPRESSOR[c];
      const r = spawnSync(cmd!, args, { input: bytes, maxBuffer: 1 << 30 });
      if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
      bytes = r.stdout;
    }
    const out = join(dir, `${spec.pkgver}.${arch}.xbps`);
    writeFileSync(out, bytes);
    return out;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
