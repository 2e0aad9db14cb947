/**
 * Helpers for the ALPM package and database tests: tool probes (skip locally, fail under CI), a
 * private pacman configuration (own --config and --dbpath) over file:// repositories, a raw tar
 * writer for archives the safe writer refuses to make (hostile names), and small package builders.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { concatBytes } from '../../src/shared/bytes.js';
import { decompress } from '../../src/shared/compression.js';

export const isCi = (): boolean => {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
};

/** Why the given tools cannot be used here (null when all run). Under CI a missing tool throws. */
export function missingTools(tools: readonly string[]): string | null {
  const missing: string[] = [];
  for (const t of tools) {
    const args = t === 'fakeroot' ? ['-v'] : t === 'repo-add' || t === 'vercmp' ? ['--help'] : ['--version'];
    const r = spawnSync(t, args, { encoding: 'utf8' });
    if (r.error !== undefined || (r.status !== 0 && t !== 'vercmp')) missing.push(t);
  }
  if (missing.length === 0) return null;
  const reason = `${missing.join(', ')} not installed (apt-get install pacman-package-manager makepkg libarchive-tools)`;
  if (isCi()) throw new Error(`${reason}; CI must install it`);
  return reason;
}

let xzProbe: Promise<string | null> | undefined;
/**
 * Null when repokit can decode xz here, else why not (the @napi-rs/lzma native binding can be
 * missing from a local node_modules). Under CI this is a failure, not a skip.
 */
export function xzUnavailable(): Promise<string | null> {
  xzProbe ??= (async () => {
    const xz = spawnSync('xz', ['-c'], { input: Buffer.from('probe') });
    if (xz.status !== 0) return 'the xz tool is missing (cannot make a probe)';
    try {
      await decompress(new Uint8Array(xz.stdout));
      return null;
    } catch (e) {
      const why = `repokit cannot decode xz here: ${(e as Error).message.split('\n')[0]!.slice(0, 120)}`;
      if (isCi()) throw new Error(`${why}; CI must have @napi-rs/lzma's native binding`);
      return why;
    }
  })();
  return xzProbe;
}

/** A private pacman setup: `pacman --config <dir>/pacman.conf --dbpath <dir>/db ...`. */
export class Pacman {
  readonly dir: string;
  constructor(repos: readonly { name: string; dir: string }[]) {
    this.dir = mkdtempSync(join(tmpdir(), 'repokit-pacman-'));
    mkdirSync(join(this.dir, 'db'));
    mkdirSync(join(this.dir, 'cache'));
    const conf = ['[options]', 'Architecture = auto', 'SigLevel = Never', `CacheDir = ${join(this.dir, 'cache')}`, ''];
    for (const r of repos) conf.push(`[${r.name}]`, `Server = file://${r.dir}`, '');
    writeFileSync(join(this.dir, 'pacman.conf'), conf.join('\n'));
  }

  /** Run pacman; returns stdout, throws with stderr on failure. */
  run(args: readonly string[]): string {
    const r = spawnSync('pacman', ['--config', join(this.dir, 'pacman.conf'), '--dbpath', join(this.dir, 'db'), '--noconfirm', '--color', 'never', ...args], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C', LANG: 'C', TZ: 'UTC' },
    });
    if (r.status !== 0) throw new Error(`pacman ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** `-Si` blocks per `repo/name`, each as field -> value (continuation lines joined). */
  info(target: string): Map<string, string> {
    const out = this.run(['-Si', target]);
    const fields = new Map<string, string>();
    let last = '';
    for (const line of out.split('\n')) {
      const m = /^(\S[^:]*?)\s+: (.*)$/.exec(line);
      if (m !== null) {
        last = m[1]!;
        fields.set(last, m[2]!);
      } else if (line.startsWith(' ') && last !== '') {
        fields.set(last, `${fields.get(last)!} ${line.trim()}`);
      }
    }
    return fields;
  }
}

/** One member of a raw tar (no safety checks: for hostile archives). */
export interface RawMember {
  name: string;
  data?: Uint8Array | string;
  type?: '0' | '5' | '2';
  /** Size written in the header (default: the data length) — lie about it to test limits. */
  size?: number;
}

function octal(v: number, len: number): string {
  return `${v.toString(8).padStart(len - 1, '0')}\0`;
}

/** A ustar archive written byte by byte (names up to 100 bytes, any content, no checks). */
export function rawTar(members: readonly RawMember[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const m of members) {
    const data = typeof m.data === 'string' ? enc.encode(m.data) : (m.data ?? new Uint8Array(0));
    const h = new Uint8Array(512);
    const put = (s: string, at: number): void => h.set(enc.encode(s).subarray(0, 512 - at), at);
    put(m.name, 0);
    put(octal(m.type === '5' ? 0o755 : 0o644, 8), 100);
    put(octal(0, 8), 108);
    put(octal(0, 8), 116);
    put(octal(m.size ?? data.length, 12), 124);
    put(octal(0, 12), 136);
    put('        ', 148);
    put(m.type ?? '0', 156);
    put('ustar\x0000', 257);
    let sum = 0;
    for (const b of h) sum += b;
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h);
    if (data.length > 0) {
      const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
      padded.set(data);
      blocks.push(padded);
    }
  }
  blocks.push(new Uint8Array(1024));
  return concatBytes(blocks);
}

export const gzip = (b: Uint8Array): Uint8Array => new Uint8Array(gzipSync(b));

/** A minimal valid `.PKGINFO`. */
export function pkginfo(name: string, version: string, extra = ''): string {
  return `# Generated by a test\npkgname = ${name}\npkgbase = ${name}\npkgver = ${version}\npkgdesc = test package ${name}\nurl = https://example.invalid\nbuilddate = 1700000000\npackager = Tests <t@example.invalid>\nsize = 4\narch = any\nlicense = MIT\n${extra}`;
}

/** A small gzip package made with the raw tar writer: `.PKGINFO`, a directory and one file. */
export function tinyPackage(name: string, version: string, extraMembers: readonly RawMember[] = []): Uint8Array {
  return gzip(
    rawTar([
      { name: '.PKGINFO', data: pkginfo(name, version) },
      { name: 'usr/', type: '5' },
      { name: `usr/${name}`, data: 'data' },
      ...extraMembers,
    ]),
  );
}

/** A temporary repository directory, and a way to put a tiny package (optionally with a `.sig`) into it. */
export interface TempRepo {
  dir: string;
  pkg(name: string, version: string, sig?: boolean): string;
}

export function tempRepo(prefix = 'repokit-alpm-repo-'): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    pkg(name, version, sig = false) {
      const p = join(dir, `${name}-${version}-any.pkg.tar.gz`);
      writeFileSync(p, tinyPackage(name, version));
      if (sig) writeFileSync(`${p}.sig`, new Uint8Array([0x88, 0x75, 0x04, 0x00]));
      return p;
    },
  };
}
