/**
 * Wrongly typed arguments to the public ALPM entry points are RepokitError INVALID_ARGUMENT
 * (naming the argument), never a TypeError from inside a codec.
 */
import { describe, expect, it } from 'vitest';
import * as alpm from '../../src/alpm/index.js';
import { isRepokitError } from '../../src/shared/errors.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return isRepokitError(e) ? e.code : `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

async function codeOfAsync(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (e) {
    return isRepokitError(e) ? e.code : `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

const entry = (): alpm.DescEntry => ({ ...alpm.emptyDescEntry(), name: 'a', version: '1-1' });

describe('public entry points refuse wrongly typed arguments with INVALID_ARGUMENT', () => {
  it('the cases the audit found', () => {
    expect(codeOf(() => alpm.parseDependency(null as unknown as string))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => alpm.encodeDesc(null as unknown as alpm.DescEntry))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => alpm.encodeFiles(null as unknown as string[]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => alpm.descEntryFromPkginfo(null as unknown as string, { filename: 'a', csize: 1, sha256sum: 'x' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => alpm.syncDbTar([{ entry: null as unknown as alpm.DescEntry }], 'db'))).toBe('INVALID_ARGUMENT');
  });

  it('every text, object and options argument, for null, a number and the wrong container', () => {
    const calls: [string, (x: never) => unknown][] = [
      ['decodeDesc', (x) => alpm.decodeDesc(x)],
      ['decodeDesc options', (x) => alpm.decodeDesc('', x)],
      ['decodeEntry', (x) => alpm.decodeEntry(x)],
      ['decodeEntry texts.desc', (x) => alpm.decodeEntry({ desc: x })],
      ['validateDesc', (x) => alpm.validateDesc(x)],
      ['decodeFiles', (x) => alpm.decodeFiles(x)],
      ['validateFiles', (x) => alpm.validateFiles(x)],
      ['encodeDepends', (x) => alpm.encodeDepends(x)],
      ['encodeDesc options', (x) => alpm.encodeDesc(entry(), x)],
      ['encodeFiles options', (x) => alpm.encodeFiles([], x)],
      ['formatDependency', (x) => alpm.formatDependency(x)],
      ['parseSoname', (x) => alpm.parseSoname(x)],
      ['dependencyProblem', (x) => alpm.dependencyProblem(x, 'depends')],
      ['parseRelation', (x) => alpm.parseRelation(x, 'depends')],
      ['satisfies', (x) => alpm.satisfies(x, 'a', '1')],
      ['parseVersion', (x) => alpm.parseVersion(x)],
      ['formatVersion', (x) => alpm.formatVersion(x)],
      ['versionProblem', (x) => alpm.versionProblem(x)],
      ['parsePackageFileName', (x) => alpm.parsePackageFileName(x)],
      ['packageFileNameProblem', (x) => alpm.packageFileNameProblem(x)],
      ['libalpmFileNameProblem', (x) => alpm.libalpmFileNameProblem(x)],
      ['formatPackageFileName', (x) => alpm.formatPackageFileName(x)],
      ['splitEntryName', (x) => alpm.splitEntryName(x)],
      ['entryDirName', (x) => alpm.entryDirName(x)],
      ['decodePkginfo', (x) => alpm.decodePkginfo(x)],
      ['validatePkginfo', (x) => alpm.validatePkginfo(x)],
      ['encodePkginfo', (x) => alpm.encodePkginfo(x)],
      ['splitKeyValue', (x) => alpm.splitKeyValue(x)],
      ['readPkginfoLikeRepoAdd', (x) => alpm.readPkginfoLikeRepoAdd(x)],
      ['descEntryFromPkginfo file', (x) => alpm.descEntryFromPkginfo('pkgname = a\npkgver = 1-1\n', x)],
      ['decodeBuildinfo', (x) => alpm.decodeBuildinfo(x)],
      ['validateBuildinfo', (x) => alpm.validateBuildinfo(x)],
      ['rpmvercmpAlpm', (x) => alpm.rpmvercmpAlpm(x, '1')],
      ['compareCodePoints', (x) => alpm.compareCodePoints('a', x)],
      ['formatIssue', (x) => alpm.formatIssue(x)],
      ['sortIssues', (x) => alpm.sortIssues(x)],
      ['isListedInFiles', (x) => alpm.isListedInFiles(x)],
      ['sortFileList', (x) => alpm.sortFileList(x)],
      ['signatureToPgpsig', (x) => alpm.signatureToPgpsig(x)],
      ['packageDescEntry', (x) => alpm.packageDescEntry(x)],
      ['syncDbTar', (x) => alpm.syncDbTar(x, 'db')],
      ['syncDbTar entry', (x) => alpm.syncDbTar([x], 'db')],
      ['syncDbFileName', (x) => alpm.syncDbFileName(x, 'db', 'gzip')],
      ['parseSyncDbTar', (x) => alpm.parseSyncDbTar(x)],
      ['parseSyncDbTar options', (x) => alpm.parseSyncDbTar(new Uint8Array(1024), x)],
      ['encodePkginfo list', (x) => alpm.encodePkginfo({ ...alpm.decodePkginfo('pkgname = a\n').entry, depend: x })],
    ];
    const bad: unknown[] = [null, 42];
    const problems: string[] = [];
    for (const [name, call] of calls) {
      for (const b of bad) {
        const got = codeOf(() => call(b as never));
        if (got !== 'INVALID_ARGUMENT') problems.push(`${name}(${String(b)}): ${got}`);
      }
    }
    expect(problems).toEqual([]);
    expect(codeOf(() => alpm.syncDbTar([], 'tar' as 'db'))).toBe('INVALID_ARGUMENT');
    // Right types still work.
    expect(alpm.encodeFiles({ files: ['a'] })).toBe('%FILES%\na\n');
    // A hand-built .PKGINFO object may leave its lists out: absent lists are empty.
    expect(alpm.encodePkginfo({ pkgname: 'a', pkgver: '1-1' } as never)).toBe('pkgname = a\npkgver = 1-1\n');
    expect(alpm.encodeDesc({ ...entry(), unknown: undefined as unknown as [] }, { keepUnknown: true })).toBe('%NAME%\na\n\n%VERSION%\n1-1\n\n');
  });

  it('the asynchronous writers too', async () => {
    expect(await codeOfAsync(() => alpm.buildSyncDb(null as never))).toBe('INVALID_ARGUMENT');
    expect(await codeOfAsync(() => alpm.writeSyncDb(null as never, 'r', []))).toBe('INVALID_ARGUMENT');
    expect(await codeOfAsync(() => alpm.installArchives('/nonexistent', 'r', 'gzip', null as never))).toBe('INVALID_ARGUMENT');
  });
});
