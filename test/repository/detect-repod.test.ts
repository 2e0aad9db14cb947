/**
 * detectPackageKind by content (fixtures of each kind, renamed files, junk), the Version class,
 * and Repository.fromRepodConfig (the layer's directory, name and sync-database settings).
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Repository, Version, detectPackageKind } from '../../src/repository/index.js';
import { resolveRepodConfig } from '../../src/repod/index.js';
import { readSyncDb } from '../../src/alpm/database.js';
import { FIXTURES, alpmPackage, tempDir } from './helpers.js';

describe('detectPackageKind', () => {
  it('judges by content, not by name', async () => {
    const dir = tempDir();
    const cases: [string, string][] = [
      [join(FIXTURES, 'rpm', 'hello-1.0-1.noarch.rpm'), 'rpm'],
      [join(FIXTURES, 'rpm', 'hello-1.0-1.src.rpm'), 'rpm'],
      [join(FIXTURES, 'alpm', 'hello-1.0-1-any.pkg.tar.zst'), 'pacman'],
      [join(FIXTURES, 'alpm', 'hello-doc-0.9-3-any.pkg.tar.xz'), 'pacman'],
      [join(FIXTURES, 'xbps', 'hello-1.0_1.noarch.xbps'), 'xbps'],
      [alpmPackage(dir, 'gz', '1-1'), 'pacman'],
    ];
    for (const [i, [file, kind]] of cases.entries()) {
      const renamed = join(dir, `renamed-${i}.bin`);
      copyFileSync(file, renamed);
      expect(await detectPackageKind(renamed), file).toBe(kind);
    }
    writeFileSync(join(dir, 'junk'), 'just text');
    writeFileSync(join(dir, 'empty'), '');
    mkdirSync(join(dir, 'sub'));
    for (const n of ['junk', 'empty', 'sub']) expect(await detectPackageKind(join(dir, n))).toBe('unknown');
    await expect(detectPackageKind(join(dir, 'missing'))).rejects.toMatchObject({ code: 'IO_ERROR' });
  });
});

describe('Version', () => {
  it('splits and compares with each format’s rules', () => {
    expect(new Version('alpm', '1:2.0-3')).toMatchObject({ epoch: '1', version: '2.0', release: '3' });
    expect(new Version('alpm', '1.0a-1').compare('1.0-1')).toBe(-1); // alpm: a letter suffix is older
    expect(new Version('aptrpm', '1.0a-1').compare('1.0-1')).toBe(1); // rpm: it is newer
    expect(new Version('xbps', '1.0_2').compare('1.0_10')).toBe(-1);
    expect(new Version('aptrpm', '1:1.0-1').compare(new Version('aptrpm', '2.0-1'))).toBe(1);
    expect(() => new Version('alpm', '1').compare(new Version('xbps', '1_1'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
    expect(JSON.stringify({ v: new Version('xbps', '1.2_3') })).toBe('{"v":"1.2_3"}');
  });
});

describe('Repository.fromRepodConfig', () => {
  it("opens a layer's sync database with repod's directory, name, compression and desc settings", async () => {
    const state = tempDir();
    const config = resolveRepodConfig(
      [
        {
          file: 'repod.conf',
          text: '[syncdb_settings]\ndesc_version = 2\n\n[[repositories]]\nname = "core"\narchitecture = "x86_64"\ntesting = "core-testing"\ndatabase_compression = "zst"\n',
        },
      ],
      { env: { XDG_STATE_HOME: state } },
    );
    const testing = config.repositories[0]!.layers.testing!.packageRepo;
    const repo = await Repository.fromRepodConfig(config, { repository: 'core', layer: 'testing' });
    expect(repo.dir).toBe(testing);
    expect(repo.lockFile).toBe(join(testing, 'core-testing.db.tar.zst.lck'));
    mkdirSync(testing, { recursive: true });
    await repo.add([alpmPackage(testing, 'a', '1-1')]);
    const w = await repo.write();
    expect(w.files[0]).toBe(join(testing, 'core-testing.db.tar.zst'));
    const db = await readSyncDb(w.files[0]!);
    // repod's desc_version 2: %MD5SUM% kept (ALPM layout 1), no %PGPSIG%.
    expect(db.entries[0]!.entry.md5sum).toMatch(/^[0-9a-f]{32}$/);
    expect(existsSync(join(config.repositories[0]!.layers.stable.packageRepo, 'core.db.tar.zst'))).toBe(false);
    await expect(Repository.fromRepodConfig(config, { repository: 'core', layer: 'staging' })).rejects.toMatchObject({ code: 'REPOD_NO_LAYER' });
    await expect(Repository.fromRepodConfig(config, { repository: 'extra' })).rejects.toMatchObject({ code: 'REPOD_UNKNOWN_REPOSITORY' });
  });
});
