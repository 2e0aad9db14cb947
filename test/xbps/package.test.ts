/**
 * readXbpsPackage: every compression xbps-create can produce (packages made with bsdtar and the
 * real compressor tools), every input kind, the one-pass hash against sha256sum, and the typed
 * errors for packages without their plists.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readXbpsPackage } from '../../src/xbps/package.js';
import { rpmErrorAsync } from '../helpers/errors.js';
import { makePackage, haveTools, type ToolCompression } from './repodata-fixtures.js';
import { tempRepo, xzUnavailable } from './repodata-corpus.js';

const NO_TOOLS = haveTools();
const NO_XZ = await xzUnavailable();
let dir = '';
let cleanup = () => undefined as void;

beforeAll(() => {
  ({ dir, cleanup } = tempRepo());
});
afterAll(() => cleanup());

function sha256sum(path: string): string {
  return spawnSync('sha256sum', [path], { encoding: 'utf8' }).stdout.split(' ')[0]!;
}

describe.skipIf(NO_TOOLS !== null)(`readXbpsPackage${NO_TOOLS ? ` (skipped: ${NO_TOOLS})` : ''}`, () => {
  for (const c of ['zstd', 'xz', 'gzip', 'bzip2', 'lz4', 'none'] as ToolCompression[]) {
    const skip = c === 'xz' && NO_XZ;
    it.skipIf(skip)(`reads a ${c} package: plists, sha256 and size equal sha256sum/stat${skip ? ' (skipped: no @napi-rs/lzma binding here)' : ''}`, async () => {
      const path = makePackage(dir, { pkgver: `comp-${c}-1.0_1`, compression: c, shortDesc: `made with ${c}` });
      const pkg = await readXbpsPackage(path);
      expect(pkg.compression).toBe(c);
      expect(pkg.pkgver).toBe(`comp-${c}-1.0_1`);
      expect(pkg.architecture).toBe('x86_64');
      expect(pkg.props.get('short_desc')).toBe(`made with ${c}`);
      expect(pkg.files?.get('files')).toHaveLength(1);
      expect(pkg.sha256).toBe(sha256sum(path));
      expect(pkg.size).toBe(readFileSync(path).length);
      expect(pkg.leadingMembers).toEqual(['./props.plist', './files.plist']);
    });
  }

  it('gives the same result for a path, a URL, bytes, an ArrayBuffer, a Node stream and a web stream', async () => {
    const path = makePackage(dir, { pkgver: 'inputs-2.0_3', payload: new Uint8Array(300_000).fill(7) });
    const bytes = new Uint8Array(readFileSync(path));
    const results = [
      await readXbpsPackage(path),
      await readXbpsPackage(pathToFileURL(path)),
      await readXbpsPackage(bytes),
      await readXbpsPackage(bytes.slice().buffer),
      await readXbpsPackage(createReadStream(path, { highWaterMark: 1000 })),
      await readXbpsPackage(Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>),
    ];
    for (const r of results) {
      expect(r.sha256).toBe(sha256sum(path));
      expect(r.size).toBe(bytes.length);
      expect(r.pkgver).toBe('inputs-2.0_3');
    }
  });

  it('hashes the whole file although it stops decoding after the plists (8 MiB of incompressible payload)', async () => {
    const payload = new Uint8Array(8 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (Math.imul(i, 2654435761) >>> 13) & 0xff;
    const path = makePackage(dir, { pkgver: 'big-1.0_1', payload });
    const pkg = await readXbpsPackage(path, { files: false });
    expect(pkg.files).toBeUndefined();
    expect(pkg.sha256).toBe(sha256sum(path));
    expect(pkg.size).toBe(readFileSync(path).length);
  });

  it('refuses a tarball without ./props.plist (XBPS_BAD_PACKAGE, naming the members it saw)', async () => {
    const out = join(dir, 'noprops-1.0_1.x86_64.xbps');
    const r = spawnSync('bsdtar', ['--format=ustar', '-cf', out, '-C', '/etc', './hostname'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const e = await rpmErrorAsync(readXbpsPackage(out));
    expect(e.code).toBe('XBPS_BAD_PACKAGE');
    expect(e.file).toBe(out);
    expect(e.detail).toMatch(/no \.\/props\.plist among the first 4 members \(\.\/hostname\)/);
  });

  it('refuses props.plist whose root is an array, and a package without files.plist unless files: false', async () => {
    const path = makePackage(dir, { pkgver: 'arr-1.0_1' });
    // Rebuild with props.plist replaced by an array plist and files.plist left out.
    const stage = tempRepo();
    try {
      writeFileSync(join(stage.dir, 'props.plist'), '<plist version="1.0"><array><string>x</string></array></plist>');
      spawnSync('bsdtar', ['-cf', path, '-C', stage.dir, './props.plist']);
      expect((await rpmErrorAsync(readXbpsPackage(path))).code).toBe('XBPS_BAD_PACKAGE');
      writeFileSync(join(stage.dir, 'props.plist'), '<plist version="1.0"><dict><key>pkgver</key><string>arr-1.0_1</string><key>architecture</key><string>noarch</string></dict></plist>');
      spawnSync('bsdtar', ['-cf', path, '-C', stage.dir, './props.plist']);
      const e = await rpmErrorAsync(readXbpsPackage(path));
      expect(e.code).toBe('XBPS_BAD_PACKAGE');
      expect(e.detail).toMatch(/no \.\/files\.plist/);
      expect((await readXbpsPackage(path, { files: false })).pkgver).toBe('arr-1.0_1');
    } finally {
      stage.cleanup();
    }
  });

  it('reports a missing file as IO_ERROR with the path', async () => {
    const e = await rpmErrorAsync(readXbpsPackage(join(dir, 'missing.xbps')));
    expect(e.code).toBe('IO_ERROR');
    expect(e.file).toBe(join(dir, 'missing.xbps'));
  });
});
