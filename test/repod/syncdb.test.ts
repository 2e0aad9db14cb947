/**
 * The sync-database options a configuration yields drive repokit's ALPM writer
 * (src/alpm/sync-db-write.ts): every repod compression gives an archive the plumbing recognises
 * as that compression, both of repod's desc versions give entries with %MD5SUM% (repod
 * requires it in both; the writer's descVersion 2 would drop it), and %PGPSIG% is written for
 * repod's desc_version 1 and left out for 2.
 */
import { describe, expect, it } from 'vitest';
import { REPOD_COMPRESSIONS, REPOD_DESC_VERSIONS, repodSyncDbOptions, resolveRepodConfig } from '../../src/repod/index.js';
import { compress, decompress, sniffCompression } from '../../src/shared/compression.js';
import { buildSyncDb } from '../../src/alpm/sync-db-write.js';
import { parseTar } from '../../src/shared/tar.js';
import type { DescEntry } from '../../src/alpm/types.js';
import { isCi } from '../shared/tools.js';

// xz goes through @napi-rs/lzma's native binding, which may be missing on this platform: the xz
// cases skip locally, and fail under CI.
const xzProblem = await compress(new Uint8Array(1), 'xz').then(
  () => undefined,
  (e: unknown) => {
    if (isCi()) throw new Error("xz cannot be written here; CI must have @napi-rs/lzma's native binding", { cause: e });
    return e instanceof Error ? e.message.split(':')[0] : String(e);
  },
);

const entry: DescEntry = {
  filename: 'foo-1.0-1-x86_64.pkg.tar.zst',
  name: 'foo',
  base: 'foo',
  version: '1.0-1',
  desc: 'a package',
  groups: [],
  csize: 10,
  isize: 20,
  md5sum: '0123456789abcdef0123456789abcdef',
  pgpsig: 'iQEzBAABCAAdFiEE',
  sha256sum: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  url: 'https://example.org',
  license: ['MIT'],
  arch: 'x86_64',
  builddate: 1700000000,
  packager: 'Someone <someone@example.org>',
  replaces: [],
  conflicts: [],
  provides: [],
  depends: [],
  optdepends: [],
  makedepends: [],
  checkdepends: [],
  files: ['usr/', 'usr/bin/', 'usr/bin/foo'],
  unknown: [],
};

function descOf(tar: Uint8Array): string {
  for (const m of parseTar(tar)) if (m.entry.name.endsWith('/desc')) return new TextDecoder().decode(m.data);
  throw new Error('no desc member');
}

describe('repodSyncDbOptions -> ALPM sync-db writer', () => {
  for (const suffix of REPOD_COMPRESSIONS) {
    for (const version of REPOD_DESC_VERSIONS) {
      const skip = suffix === 'xz' && xzProblem !== undefined;
      it.skipIf(skip)(`database_compression = ${JSON.stringify(suffix)}, desc_version = ${version}${skip ? ` (skipped: ${xzProblem})` : ''}`, async () => {
        const config = resolveRepodConfig([{ text: `database_compression = "${suffix}"\n[syncdb_settings]\ndesc_version = ${version}\n` }], {
          env: { XDG_STATE_HOME: '/st' },
        });
        expect(config.syncdb.descVersion).toBe(version);
        const options = repodSyncDbOptions(config, 'default', { layer: 'stable' });
        const { db, files } = await buildSyncDb([{ entry }], options);
        for (const archive of [db, files]) expect(sniffCompression(archive)).toBe(options.compression);
        const desc = descOf(await decompress(db));
        expect(desc).toContain('%MD5SUM%\n0123456789abcdef0123456789abcdef\n');
        expect(desc).toContain('%NAME%\nfoo\n');
        if (version === 1) expect(desc).toContain('%PGPSIG%\niQEzBAABCAAdFiEE\n');
        else expect(desc).not.toContain('%PGPSIG%');
      });
    }
  }
});
