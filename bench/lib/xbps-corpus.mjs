/**
 * Generated `.xbps` packages for the XBPS benchmark, laid out as xbps-create lays them out
 * (`./props.plist`, `./files.plist`, then the payload, in a ustar archive compressed with zstd).
 * The tar is written here (a minimal ustar writer), the compression is done by the real `zstd`
 * tool, in one process per batch. Sets are cached under the OS temp directory, keyed by their
 * parameters, and reused when complete.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const VERSION = 2; // bump when the generated content changes

function octal(n, width) {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function ustarHeader(name, size, mode) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(0, 12), 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0' + '00', 257, 'latin1');
  h.write('root', 265);
  h.write('root', 297);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'latin1');
  return h;
}

function tar(members) {
  const parts = [];
  for (const { name, data, mode = 0o644 } of members) {
    parts.push(ustarHeader(name, data.length, mode), data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A proplib-style XML plist of a dict of strings, integers, string arrays and dict arrays. */
function plist(dict) {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n'];
  const value = (v, d) => {
    const t = '\t'.repeat(d);
    if (typeof v === 'string') return `${t}<string>${esc(v)}</string>\n`;
    if (typeof v === 'number') return `${t}<integer>${v}</integer>\n`;
    if (Array.isArray(v)) return `${t}<array>\n${v.map((x) => value(x, d + 1)).join('')}${t}</array>\n`;
    const keys = Object.keys(v).sort();
    return `${t}<dict>\n${keys.map((k) => `${t}\t<key>${esc(k)}</key>\n${value(v[k], d + 1)}`).join('')}${t}</dict>\n`;
  };
  out.push(value(dict, 0), '</plist>\n');
  return Buffer.from(out.join(''));
}

/** Deterministic pseudo-random text (compresses like real files do). */
function text(seed, n) {
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'void', 'linux', 'package', 'index', 'xbps', 'zstd', 'plist'];
  let x = seed >>> 0 || 1;
  const out = [];
  let len = 0;
  while (len < n) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const w = words[(x >>> 0) % words.length] + ((x >>> 8) % 9 === 0 ? '\n' : ' ');
    out.push(w);
    len += w.length;
  }
  return Buffer.from(out.join('').slice(0, n));
}

function makePackage(i, kind, payloadBytes) {
  const name = `bench-${kind}-${String(i).padStart(5, '0')}`;
  const pkgver = `${name}-1.${i % 7}.${i % 3}_${1 + (i % 4)}`;
  const arch = i % 5 === 0 ? 'noarch' : 'x86_64';
  const files = [];
  if (kind === 'large') {
    // mostly incompressible, like binaries and compressed assets
    files.push({ name: `./usr/lib/${name}/blob.bin`, data: randomBytes(payloadBytes), mode: 0o644 });
    files.push({ name: `./usr/share/doc/${name}/README`, data: text(i, 4000), mode: 0o644 });
  } else {
    const n = 2 + (i % 6);
    for (let k = 0; k < n; k++) files.push({ name: `./usr/share/${name}/file${k}.txt`, data: text(i * 31 + k, 1000 + ((i * 7919 + k * 104729) % payloadBytes)), mode: 0o644 });
    files.push({ name: `./usr/bin/${name}`, data: text(i, 3000), mode: 0o755 });
  }
  const installed = files.reduce((s, f) => s + f.data.length, 0);
  const props = {
    architecture: arch,
    homepage: `https://example.org/${name}`,
    installed_size: installed,
    license: 'MIT',
    maintainer: 'Bench Mark <bench@example.org>',
    pkgname: name,
    pkgver,
    run_depends: ['glibc>=2.36_1', `bench-${kind}-${String((i + 1) % 1000).padStart(5, '0')}>=0`],
    'shlib-requires': ['libc.so.6'],
    short_desc: `Benchmark package ${i} (${kind})`,
    version: pkgver.slice(name.length + 1),
  };
  const filesPlist = {
    files: files.map((f) => ({ file: f.name.slice(1), sha256: createHash('sha256').update(f.data).digest('hex'), size: f.data.length })),
  };
  const body = tar([
    { name: './props.plist', data: plist(props) },
    { name: './files.plist', data: plist(filesPlist) },
    ...files,
  ]);
  return { file: `${pkgver}.${arch}.xbps`, body };
}

/**
 * `count` packages of `kind` ('small': a few files of up to `payloadBytes` of text each; 'large':
 * one incompressible blob of `payloadBytes`), zstd-compressed. Returns the directory and the
 * package paths (sorted).
 */
export function xbpsCorpus({ kind, count, payloadBytes, log = () => {} }) {
  const dir = join(tmpdir(), `repokit-bench-xbps-v${VERSION}-${kind}-${count}-${payloadBytes}`);
  const done = join(dir, '.complete');
  if (!existsSync(done)) {
    const t0 = performance.now();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const level = kind === 'large' ? '-3' : '-9';
    let batch = [];
    const flush = () => {
      if (batch.length === 0) return;
      const r = spawnSync('zstd', ['-q', level, '--rm', '--no-progress', ...batch.map((b) => b.tarPath)], { stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.error) throw new Error(`the zstd tool is needed to build the XBPS benchmark corpus: ${r.error.message}`);
      if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr}`);
      for (const b of batch) renameSync(`${b.tarPath}.zst`, join(dir, b.file));
      batch = [];
    };
    let pending = 0;
    for (let i = 0; i < count; i++) {
      const { file, body } = makePackage(i, kind, payloadBytes);
      const tarPath = join(dir, `${file}.tar`);
      writeFileSync(tarPath, body);
      batch.push({ tarPath, file });
      pending += body.length;
      if (batch.length >= 200 || pending >= 256 * 1024 * 1024) {
        flush();
        pending = 0;
      }
    }
    flush();
    writeFileSync(done, '');
    log(`built ${count} ${kind} packages in ${dir} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const paths = readdirSync(dir)
    .filter((f) => f.endsWith('.xbps'))
    .sort()
    .map((f) => join(dir, f));
  const bytes = paths.reduce((s, p) => s + statSync(p).size, 0);
  return { dir, paths, bytes };
}
