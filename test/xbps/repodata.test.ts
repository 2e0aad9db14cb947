/**
 * The repodata model over every generation (hand-written, tiny fixtures for the layouts no public
 * repository still has), writeRepodata's compressions read back by repokit and by bsdtar, and the
 * typed errors of the reader.
 */
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseRepodata, readRepodata } from '../../src/xbps/repodata-read.js';
import { indexEntryFromPackage, writeRepodata } from '../../src/xbps/repodata-write.js';
import { writeRepodataTar } from '../../src/xbps/repodata-tar.js';
import { plistToJson, repoMetaDict, parseXbpsFileName } from '../../src/xbps/repodata.js';
import { writePlist } from '../../src/xbps/plist-write.js';
import { plistInteger, type PlistValue } from '../../src/xbps/types.js';
import { rpmError, rpmErrorAsync } from '../helpers/errors.js';
import { missingToolNote } from '../shared/tools.js';
import { xzUnavailable } from './repodata-corpus.js';

const enc = (s: string) => new TextEncoder().encode(s);
const NO_XZ = await xzUnavailable();

const PKGINDEX_1_0 = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>pkgindex-version</key>
	<string>1.0</string>
	<key>location-local</key>
	<string>/storage/xbps/packages</string>
	<key>location-remote</key>
	<string>http://xbps.example.org/packages</string>
	<key>total-pkgs</key>
	<integer>2</integer>
	<key>available-packages</key>
	<array>
		<dict>
			<key>pkgname</key>
			<string>glibc</string>
			<key>version</key>
			<string>2.8</string>
			<key>filename</key>
			<string>glibc-2.8.i686.xbps</string>
			<key>filename-sha256</key>
			<string>${'a'.repeat(64)}</string>
			<key>architecture</key>
			<string>i686</string>
		</dict>
		<dict>
			<key>pkgname</key>
			<string>bash</string>
			<key>version</key>
			<string>3.2</string>
			<key>run_depends</key>
			<array>
				<string>glibc&gt;=2.8</string>
			</array>
		</dict>
	</array>
</dict>
</plist>
`;

function entry(pkgver: string, extra: [string, PlistValue][] = []): Map<string, PlistValue> {
  return new Map<string, PlistValue>([['architecture', 'x86_64'], ['pkgver', pkgver], ['short_desc', `about ${pkgver}`], ...extra]);
}

describe('every index generation reads into one model', () => {
  it('pkgindex 1.0 (BINPKG_REPOSITORY): available-packages, legacy pkgname+version, the header fields', () => {
    const r = parseRepodata(enc(PKGINDEX_1_0));
    expect(r.layout).toBe('pkgindex-1.0');
    expect(r.pkgindex).toEqual({
      pkgindexVersion: '1.0',
      locationLocal: '/storage/xbps/packages',
      locationRemote: 'http://xbps.example.org/packages',
      totalPkgs: 2,
      packagesKey: 'available-packages',
    });
    expect([...r.index.keys()]).toEqual(['glibc', 'bash']);
    expect(r.index.get('bash')!.pkgver).toBe('bash-3.2');
    expect(r.index.get('glibc')!.dict.get('filename')).toBe('glibc-2.8.i686.xbps');
    expect(r).toMatchObject({ signed: false, metaForm: 'absent', members: [], warnings: [] });
  });

  it('pkgindex 1.1–1.3 as the code wrote it: a gzip plist with a `packages` array', async () => {
    const gz = new Uint8Array(gzipSync(enc(PKGINDEX_1_0.replace('available-packages', 'packages'))));
    const r = await readRepodata(gz);
    expect(r).toMatchObject({ layout: 'pkgindex-1.0', compression: 'gzip' });
    expect(r.pkgindex?.packagesKey).toBe('packages');
    expect(r.index.size).toBe(2);
  });

  it('index 1.4/1.5 (an array of packages) and 1.6/1.7 (a dict keyed by pkgname)', async () => {
    const arr = await readRepodata(new Uint8Array(gzipSync(writePlist([entry('foo-1.0_1'), entry('bar-2_3')]))));
    expect(arr.layout).toBe('index-1.4');
    expect([...arr.index.keys()]).toEqual(['foo', 'bar']);
    const dict = parseRepodata(writePlist(new Map([['foo', entry('foo-1.0_1')]])));
    expect(dict.layout).toBe('index-1.6');
    expect(dict.index.get('foo')!.pkgver).toBe('foo-1.0_1');
  });

  it('repodata 0.25 (index + index-files) and 0.27–0.41 (with DEADBEEF meta and index-files)', () => {
    const index = writePlist(new Map([['foo', entry('foo-1.0_1')]]));
    const files = writePlist(new Map([['foo-1.0_1', ['/usr/bin/foo']]]));
    const r25 = parseRepodata(writeRepodataTar([{ name: 'index.plist', data: index }, { name: 'index-files.plist', data: files }]));
    expect(r25).toMatchObject({ layout: 'repodata-0.25', metaForm: 'absent', signed: false, warnings: [] });
    const r27 = parseRepodata(
      writeRepodataTar([
        { name: 'index.plist', data: index },
        { name: 'index-meta.plist', data: enc('DEADBEEF') },
        { name: 'index-files.plist', data: files },
      ]),
    );
    expect(r27).toMatchObject({ layout: 'repodata-0.27', metaForm: 'DEADBEEF', signed: false });
    expect(r27.members.map((m) => m.name)).toEqual(['index.plist', 'index-meta.plist', 'index-files.plist']);
  });

  it('accepts what xbps refuses but says so: ./ names and members out of order; an incomplete meta is unsigned', () => {
    const index = writePlist(new Map([['foo', entry('foo-1.0_1')]]));
    const r = parseRepodata(
      writeRepodataTar([
        { name: 'index-meta.plist', data: writePlist(new Map([['signature-by', 'me']])) },
        { name: './index.plist', data: index },
        { name: 'stage.plist', data: new Uint8Array() },
      ]),
    );
    expect(r.index.size).toBe(1);
    expect(r.signed).toBe(false);
    expect(r.metaForm).toBe('dict');
    expect(r.warnings).toEqual([
      'member ./index.plist has a ./ prefix (xbps wants index.plist)',
      'members are in the order index-meta.plist, index.plist, stage.plist; xbps reads index.plist, index-meta.plist, stage.plist in that order',
      'index-meta.plist lacks signature-by, public-key-size or public-key: xbps calls this an incomplete signed repository',
    ]);
  });

  it('refuses what is no index at all, with typed errors', async () => {
    expect(rpmError(() => parseRepodata(writeRepodataTar([{ name: 'stage.plist', data: new Uint8Array() }]))).code).toBe('XBPS_BAD_REPODATA');
    expect(rpmError(() => parseRepodata(writeRepodataTar([{ name: 'index.plist', data: writePlist([entry('a-1_1')]) }]))).code).toBe('XBPS_BAD_REPODATA');
    expect(rpmError(() => parseRepodata(writePlist(new Map([['foo', 'not a dict']])))).code).toBe('XBPS_BAD_ENTRY');
    expect(rpmError(() => parseRepodata(writePlist(new Map([['foo', new Map([['pkgver', plistInteger(1)]])]])))).code).toBe('XBPS_BAD_ENTRY');
    expect(rpmError(() => parseRepodata(enc('hello, world'))).code).toBe('XBPS_BAD_REPODATA');
    expect(rpmError(() => parseRepodata(new Uint8Array())).code).toBe('XBPS_BAD_REPODATA');
    expect((await rpmErrorAsync(readRepodata('/nonexistent/x86_64-repodata'))).code).toBe('IO_ERROR');
  });
});

describe('writeRepodata', () => {
  const props = new Map<string, PlistValue>([
    ['architecture', 'x86_64'],
    ['pkgname', 'foo'],
    ['version', '1.0_1'],
    ['packaged-with', 'xbps-src'],
    ['pkgver', 'foo-1.0_1'],
    ['install-msg', enc('hello\n')],
    ['installed_size', plistInteger(10n ** 15n)],
  ]);
  const e = indexEntryFromPackage({ props, pkgver: 'foo-1.0_1', sha256: 'AB'.repeat(32), size: 2 ** 40 }, 'foo');

  it('makes index entries as xbps-rindex does (drops pkgname/version/packaged-with; adds filename-sha256/-size)', () => {
    expect(plistToJson(e.dict)).toEqual({
      architecture: 'x86_64',
      'filename-sha256': 'ab'.repeat(32),
      'filename-size': 2 ** 40,
      'install-msg': 'aGVsbG8K',
      installed_size: 10 ** 15,
      pkgver: 'foo-1.0_1',
    });
  });

  for (const compression of ['zstd', 'xz', 'gzip', 'bzip2', 'lz4', 'none'] as const) {
    const skip = compression === 'xz' && NO_XZ;
    const write = () => {
      const meta = repoMetaDict(enc('-----BEGIN PUBLIC KEY-----\n'), 4096, 'Someone');
      return writeRepodata({ index: new Map([['foo', e]]), stage: new Map([['foo', e]]), meta }, { compression });
    };
    it.skipIf(skip)(`${compression}: reads back${skip ? ' (skipped: no @napi-rs/lzma binding here)' : ''}`, async () => {
      const r = await readRepodata(await write());
      expect(r).toMatchObject({ layout: 'repodata-0.60', compression, signed: true, metaForm: 'dict', warnings: [] });
      expect(plistToJson(r.index.get('foo')!.dict)).toEqual(plistToJson(e.dict));
      expect(r.stage.get('foo')!.pkgver).toBe('foo-1.0_1');
      expect(r.meta).toMatchObject({ signatureBy: 'Someone', publicKeySize: 4096, signatureType: 'rsa', complete: true });
    });
    const noBsdtar = missingToolNote('bsdtar');
    it.skipIf(skip || noBsdtar !== '')(`${compression}: bsdtar lists the three members with root:root 0644${skip ? ' (skipped: no @napi-rs/lzma binding here)' : noBsdtar}`, async () => {
      const t = spawnSync('bsdtar', ['-tvf', '-'], { input: await write(), encoding: 'utf8' });
      expect(t.status).toBe(0);
      const lines = t.stdout.trim().split('\n').map((l) => l.split(/\s+/));
      expect(lines.map((l) => [l[0], l[2], l[3], l[l.length - 1]])).toEqual([
        ['-rw-r--r--', 'root', 'root', 'index.plist'],
        ['-rw-r--r--', 'root', 'root', 'index-meta.plist'],
        ['-rw-r--r--', 'root', 'root', 'stage.plist'],
      ]);
    });
  }

  it('an empty repository is three 0-byte members', async () => {
    const r = await readRepodata(await writeRepodata({ index: new Map() }, { compression: 'none' }));
    expect(r.members).toEqual([
      { name: 'index.plist', size: 0 },
      { name: 'index-meta.plist', size: 0 },
      { name: 'stage.plist', size: 0 },
    ]);
    expect(r.metaForm).toBe('empty');
  });

  it('rejects an unknown compression and an lz4 level outside 1..12', async () => {
    expect((await rpmErrorAsync(writeRepodata({ index: new Map() }, { compression: 'lzip' as never }))).code).toBe('INVALID_ARGUMENT');
    expect((await rpmErrorAsync(writeRepodata({ index: new Map() }, { compression: 'lz4', level: 13 }))).code).toBe('INVALID_ARGUMENT');
  });

  it.skipIf(missingToolNote('bsdtar') !== '')(`lz4: the frame header is libarchive's at level 9 (4 MiB blocks, content checksum), and level 1 reads back too${missingToolNote('bsdtar')}`, async () => {
    // xbps-rindex compresses through libarchive's lz4 filter with compression-level=9.
    const lib = spawnSync('bsdtar', ['--lz4', '--options', 'lz4:compression-level=9', '--format=ustar', '-cf', '-', '-T', '/dev/null']);
    expect(lib.status, String(lib.stderr)).toBe(0);
    const ours = await writeRepodata({ index: new Map([['foo', e]]) }, { compression: 'lz4' });
    expect([...ours.subarray(0, 7)]).toEqual([...new Uint8Array(lib.stdout).subarray(0, 7)]);
    const fast = await writeRepodata({ index: new Map([['foo', e]]) }, { compression: 'lz4', level: 1 });
    expect((await readRepodata(fast)).index.get('foo')!.pkgver).toBe('foo-1.0_1');
  });
});

describe('package file names', () => {
  it('split at the last dot before .xbps, like xbps_binpkg_pkgver/arch', () => {
    expect(parseXbpsFileName('/r/foo-1.0_1.x86_64-musl.xbps')).toEqual({ pkgver: 'foo-1.0_1', arch: 'x86_64-musl' });
    expect(parseXbpsFileName('noctalia-shell-git-4.6.7(e5677f9)_0.x86_64.xbps')).toEqual({ pkgver: 'noctalia-shell-git-4.6.7(e5677f9)_0', arch: 'x86_64' });
    expect(parseXbpsFileName('foo.xbps')).toBeUndefined();
    expect(parseXbpsFileName('foo-1.0_1.x86_64.xbps.sig2')).toBeUndefined();
  });
});
