/**
 * verifyArch and hostile lists: a pkglist whose CRPMTAG_DIRECTORY/FILENAME point outside the
 * repository makes verify report that entry, never hash the file it names; a relative ROOT works
 * like an absolute one.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPkglist, formatRelease, verifyArch } from '../../src/aptrpm/index.js';
import { readRpmSync } from '../../src/rpm/index.js';
import { ROOT } from '../support/dist.js';

const top = mkdtempSync(join(tmpdir(), 'repokit-aptrpm-verify-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));

const hex = (alg: string, b: Uint8Array) => createHash(alg).update(b).digest('hex');

/**
 * ROOT/noarch with a pkglist naming `fileName` in RPMS.classic, and a release listing it. The
 * builder refuses names that are not plain, so a hostile name is patched into the encoded list
 * over a placeholder of the same length (the header stays valid).
 */
function tree(name: string, fileName: string, outside: Uint8Array): string {
  const root = join(top, name);
  const base = join(root, 'noarch', 'base');
  mkdirSync(base, { recursive: true });
  const rpm = readFileSync(join(ROOT, 'fixtures/rpm/hello-1.0-1.noarch.rpm'));
  const header = readRpmSync(rpm).header;
  // The facts of the file outside, so only the path check can stop a match.
  const placeholder = 'x'.repeat(fileName.length - 4) + '.rpm';
  const file = { name: placeholder, size: outside.length, md5: hex('md5', outside), blake2b: hex('blake2b512', outside) };
  const list = Buffer.from(buildPkglist([{ header, file }], { component: 'classic' }));
  const at = list.indexOf(`${placeholder}\0`);
  expect(at).toBeGreaterThan(0);
  list.write(fileName, at, 'latin1');
  writeFileSync(join(base, 'pkglist.classic'), list);
  const release = formatRelease({ components: ['classic'], architectures: 'noarch', date: new Date(0) }, [
    { path: 'base/pkglist.classic', size: list.length, md5: hex('md5', list), blake2b: hex('blake2b512', list) },
  ]);
  writeFileSync(join(base, 'release'), release);
  return root;
}

describe('verifyArch on a hostile pkglist', () => {
  it('reports a package path that leaves the repository instead of hashing it', async () => {
    const secret = join(top, 'secret.rpm');
    const bytes = new TextEncoder().encode('not yours');
    writeFileSync(secret, bytes);
    const root = tree('escape', '../../../secret.rpm', bytes); // RPMS.classic/../../../ = beside ROOT
    const report = await verifyArch(root, 'noarch');
    const entry = report.files.find((f) => f.path.endsWith('secret.rpm'));
    expect(entry).toMatchObject({ status: 'missing', checked: [], detail: 'path leaves the repository' });
    expect(report.ok).toBe(false);
    expect(report.files.find((f) => f.path === 'base/pkglist.classic')?.status).toBe('ok');
  });

  it('a package inside the repository is checked, also with a relative ROOT', async () => {
    const bytes = new TextEncoder().encode('a package');
    const root = tree('inside', 'hello.rpm', bytes);
    mkdirSync(join(root, 'noarch', 'RPMS.classic'));
    writeFileSync(join(root, 'noarch', 'RPMS.classic', 'hello.rpm'), bytes);
    const report = await verifyArch(relative(process.cwd(), root), 'noarch');
    expect(report.files.map((f) => [f.path, f.status])).toEqual([
      ['base/pkglist.classic', 'ok'],
      ['RPMS.classic/hello.rpm', 'ok'],
    ]);
    expect(report.ok).toBe(true);
  });
});
