/**
 * The edge: which files are read, in which order, from where (user and system mode, custom file),
 * with injectable roots so nothing under /etc or the real home is touched; determinism whatever
 * order a directory lists its entries in; directory creation.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRepodDirectories,
  findRepodConfigFiles,
  loadRepodConfig,
  repodConfigLocations,
  repodConfigToJson,
  repodDirectories,
} from '../../src/repod/index.js';
import { isRepokitError } from '../../src/shared/errors.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'repokit-repod-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmp, 't-'));
  for (const [name, text] of Object.entries(files)) {
    const p = path.join(root, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return root;
}

async function rejects(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('finding the files', () => {
  it('user mode: $XDG_CONFIG_HOME/repod/repod.conf, then repod.conf.d/*.conf in code-point order', async () => {
    const root = tree({
      'cfg/repod/repod.conf': 'architecture = "x86_64"\n',
      'cfg/repod/repod.conf.d/9-b.conf': '[[repositories]]\nname = "nine"\n',
      'cfg/repod/repod.conf.d/10-a.conf': '[[repositories]]\nname = "ten"\n',
      'cfg/repod/repod.conf.d/20.toml': 'architecture = "aarch64"\n',
      'cfg/repod/repod.conf.d/sub/30.conf': 'architecture = "aarch64"\n',
    });
    const env = { XDG_CONFIG_HOME: path.join(root, 'cfg'), XDG_STATE_HOME: path.join(root, 'state') };
    const d = path.join(root, 'cfg/repod');
    expect(await findRepodConfigFiles({ env })).toEqual([`${d}/repod.conf`, `${d}/repod.conf.d/10-a.conf`, `${d}/repod.conf.d/9-b.conf`]);
    const c = await loadRepodConfig({ env });
    expect(c.repositories.map((r) => [r.name, r.architecture])).toEqual([['nine', 'x86_64']]);
    expect(c.files).toHaveLength(3);
  });

  it('user mode without XDG_CONFIG_HOME: ~/.config/repod (and ~/.local/state)', async () => {
    const home = tree({ '.config/repod/repod.conf': '[[repositories]]\nname = "h"\n' });
    const c = await loadRepodConfig({ env: { HOME: home } });
    expect(c.repositories[0]!.layers.stable.packageRepo).toBe(`${home}/.local/state/repod/data/repo/package/h/any`);
    expect(repodConfigLocations('user', { home })).toEqual({ file: `${home}/.config/repod/repod.conf`, directory: `${home}/.config/repod/repod.conf.d` });
  });

  it('system mode: <root>/etc/repod.conf and <root>/etc/repod.conf.d, state in /var/lib/repod', async () => {
    const root = tree({ 'etc/repod.conf': '[[repositories]]\nname = "sys"\n', 'etc/repod.conf.d/1.conf': 'database_compression = "xz"\n' });
    const c = await loadRepodConfig({ mode: 'system', root, env: {} });
    expect(c.files).toEqual([`${root}/etc/repod.conf`, `${root}/etc/repod.conf.d/1.conf`]);
    expect(c.repositories[0]!.databaseCompression).toBe('xz');
    expect(c.repositories[0]!.layers.stable.managementRepo).toBe('/var/lib/repod/management/default/any/sys');
    // User files are not read in system mode.
    const userOnly = tree({ 'cfg/repod/repod.conf': 'architecture = "x86_64"\n' });
    const s = await loadRepodConfig({ mode: 'system', root: userOnly, env: { XDG_CONFIG_HOME: path.join(userOnly, 'cfg') } });
    expect(s.files).toEqual([]);
  });

  it('nothing configured: one repository named default', async () => {
    const root = tree({});
    const c = await loadRepodConfig({ env: { XDG_CONFIG_HOME: root, XDG_STATE_HOME: '/st' } });
    expect(c.files).toEqual([]);
    expect(repodConfigToJson(c).repositories.map((r) => r['name'])).toEqual(['default']);
  });

  it('a custom file is read alone; missing or not a file is REPOD_CONFIG_FILE', async () => {
    const root = tree({ 'custom.conf': '[[repositories]]\nname = "c"\n', 'cfg/repod/repod.conf': 'architecture = "x86_64"\n' });
    const env = { XDG_CONFIG_HOME: path.join(root, 'cfg'), XDG_STATE_HOME: '/st' };
    const c = await loadRepodConfig({ env, configFile: path.join(root, 'custom.conf') });
    expect([c.files.length, c.architecture]).toEqual([1, 'any']);
    const missing = await rejects(loadRepodConfig({ env, configFile: path.join(root, 'nope.conf') }));
    expect(isRepokitError(missing) && [missing.code, missing.detail]).toEqual(['REPOD_CONFIG_FILE', `the file '${root}/nope.conf' does not exist`]);
    const dir = await rejects(loadRepodConfig({ env, configFile: path.join(root, 'cfg') }));
    expect(isRepokitError(dir) && dir.code).toBe('REPOD_CONFIG_FILE');
  });

  it('syntax errors name the file; oversized files are refused', async () => {
    const root = tree({ 'bad.conf': 'a = 1\n[x\n', 'big.conf': `# ${'x'.repeat(200)}\n` });
    const e = await rejects(loadRepodConfig({ env: { XDG_STATE_HOME: '/st' }, configFile: path.join(root, 'bad.conf') }));
    expect(isRepokitError(e) && [e.code, e.file, e.line]).toEqual(['REPOD_TOML_SYNTAX', path.join(root, 'bad.conf'), 2]);
    const big = await rejects(loadRepodConfig({ env: { XDG_STATE_HOME: '/st' }, configFile: path.join(root, 'big.conf'), maxFileSize: 100 }));
    expect(isRepokitError(big) && big.code).toBe('LIMIT_EXCEEDED');
  });

  it('violations name the file each key came from', async () => {
    const root = tree({
      'cfg/repod/repod.conf': '[[repositories]]\nname = "Bad"\n',
      'cfg/repod/repod.conf.d/1.conf': 'architecture = "nope"\n',
    });
    const e = await rejects(loadRepodConfig({ env: { XDG_CONFIG_HOME: path.join(root, 'cfg'), XDG_STATE_HOME: '/st' } }));
    const v = (e as { violations: { key: string; file: string }[] }).violations;
    expect(v.map((x) => [x.key, path.basename(x.file)])).toEqual([
      ['architecture', '1.conf'],
      ['repositories[0].name', 'repod.conf'],
    ]);
  });
});

describe('determinism', () => {
  it('the result does not depend on the order a directory lists its files in', async () => {
    const files: Record<string, string> = {
      'repod.conf': 'architecture = "x86_64"\n[[repositories]]\nname = "main"\n',
      'repod.conf.d/00.conf': 'database_compression = "xz"\n',
      'repod.conf.d/10-a.conf': '[management_repo]\ndirectory = "m10"\n',
      'repod.conf.d/9-b.conf': '[management_repo]\ndirectory = "m9"\n',
      'repod.conf.d/Z.conf': 'package_pool = "pz"\n',
      'repod.conf.d/a.conf': 'package_pool = "pa"\n',
      'repod.conf.d/\u00e9.conf': '[[repositories]]\nname = "accent"\n',
      'repod.conf.d/\u{1F600}.conf': '[[repositories]]\nname = "emoji"\n',
      'repod.conf.d/\uFF21.conf': '[[repositories]]\nname = "fullwidth"\n',
      'repod.conf.d/notes.txt': 'not toml at all [',
    };
    const dir = '/virtual/repod';
    const readFile = async (p: string): Promise<string | undefined> => files[p.slice(dir.length + 1)];
    const names = Object.keys(files).filter((k) => k.startsWith('repod.conf.d/')).map((k) => k.slice('repod.conf.d/'.length));
    const reference = await loadRepodConfig({ env: { XDG_CONFIG_HOME: '/virtual', XDG_STATE_HOME: '/st' }, readFile, listDirectory: async () => names });
    // Code-point order: '\uFF21' (U+FF21) sorts before the emoji (U+1F600), which is last and wins.
    expect(reference.repositories.map((r) => r.name)).toEqual(['emoji']);
    expect(reference.managementRepo.directory).toBe('m9');
    expect(reference.packagePool).toBe('/st/repod/data/pool/package/pa');
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(names, { minLength: names.length, maxLength: names.length }), async (shuffled) => {
        const c = await loadRepodConfig({
          env: { XDG_CONFIG_HOME: '/virtual', XDG_STATE_HOME: '/st' },
          readFile,
          listDirectory: async (d) => (d === `${dir}/repod.conf.d` ? shuffled : undefined),
        });
        expect(c).toEqual(reference);
      }),
      { numRuns: 100 },
    );
  });
});

describe('creating directories', () => {
  it('creates every resolved directory (explicitly, never while loading)', async () => {
    const root = tree({});
    const c = await loadRepodConfig({
      env: { XDG_CONFIG_HOME: root, XDG_STATE_HOME: path.join(root, 'state') },
      overrides: { repositories: [{ name: 'r', debug: 'r-debug' }] },
    });
    const dirs = repodDirectories(c);
    expect(dirs.every((d) => !exists(d))).toBe(true);
    expect(await createRepodDirectories(c)).toEqual(dirs);
    expect(dirs.length).toBe(3 * 2 + 2 + 2);
    for (const d of dirs) expect(statSync(d).isDirectory()).toBe(true);
    expect(await createRepodDirectories(c)).toEqual(dirs); // idempotent
    // A file in the way is an IO_ERROR naming it.
    rmSync(dirs[0]!, { recursive: true });
    writeFileSync(dirs[0]!, '');
    const e = await rejects(createRepodDirectories(c));
    expect(isRepokitError(e) && [e.code, e.file]).toEqual(['IO_ERROR', dirs[0]]);
  });
});

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
