/**
 * `repokit repod config`, run in-process through the CLI's run().
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'repokit-repod-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeEach(() => {
  for (const k of Object.keys(process.env)) {
    if (['architecture', 'repositories', 'management_repo', 'archiving', 'package_pool', 'source_pool'].includes(k.toLowerCase())) vi.stubEnv(k, undefined);
  }
  vi.stubEnv('XDG_CONFIG_HOME', path.join(tmp, 'cfg'));
  vi.stubEnv('XDG_STATE_HOME', path.join(tmp, 'state'));
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await run(['repod', ...argv], { io: { out: (s) => (out += s), err: (s) => (err += s) }, readStdin: async () => new Uint8Array() });
  return { status, out, err };
}

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const S = () => path.join(tmp, 'state', 'repod');

describe('repokit repod config', () => {
  it('prints the resolved configuration as JSON', async () => {
    const f = file('ok.conf', '[[repositories]]\nname = "core"\narchitecture = "x86_64"\ntesting = "core-testing"\nunknown = 1\n');
    const r = await cli('config', '--config', f);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.out) as { repositories: Record<string, unknown>[]; syncdb_settings: unknown; package_verification: unknown };
    expect(j.syncdb_settings).toEqual({ desc_version: 1, files_version: 1 });
    expect(j.package_verification).toBeNull();
    expect(j.repositories[0]).toMatchObject({
      name: 'core',
      architecture: 'x86_64',
      stable_repo_dir: `${S()}/data/repo/package/core/x86_64`,
      testing_repo_dir: `${S()}/data/repo/package/core-testing/x86_64`,
      testing_management_repo_dir: `${S()}/management/default/x86_64/core-testing`,
    });
    expect(r.err).toContain('warning');
    expect(r.err).toContain('repositories[0].unknown');
  });

  it('reads the user locations without --config, and /var/lib/repod with --system', async () => {
    file('cfg/repod/repod.conf', '[[repositories]]\nname = "fromuser"\n');
    const u = await cli('config');
    expect(u.status).toBe(0);
    expect(JSON.parse(u.out).repositories[0].name).toBe('fromuser');
    const f = file('sys.conf', '');
    const s = await cli('config', '--system', '-c', f);
    expect(JSON.parse(s.out).repositories[0].stable_repo_dir).toBe('/var/lib/repod/data/repo/package/default/any');
  });

  it('invalid: exit 1, every problem on stderr, or {"error": {message, errors: [{loc, msg}]}} with --json', async () => {
    const f = file('bad.conf', 'architecture = "x86"\n[[repositories]]\nname = "Core"\n');
    const t = await cli('config', '--config', f);
    expect(t.status).toBe(1);
    expect(t.out).toBe('');
    expect(t.err.split('\n').filter((l) => l.startsWith('  '))).toHaveLength(2);
    expect(t.err).toContain(`${f}: repositories[0].name (repository #0 'Core'): The package repository name 'Core'`);
    const j = await cli('config', '--config', f, '--json');
    expect(j.status).toBe(1);
    const e = JSON.parse(j.out).error as { message: string; errors: { loc: string; msg: string; file: string }[] };
    expect(e.message).toBe('2 problems in the repod configuration');
    expect(e.errors.map((x) => x.loc)).toEqual(['architecture', 'repositories -> 0 -> name']);
    expect(e.errors[0]!.msg).toMatch(/^value is not a valid enumeration member; permitted: 'aarch64'/);
    expect(e.errors.every((x) => x.file === f)).toBe(true);
  });

  it('syntax errors and missing files exit 1 naming the file', async () => {
    const f = file('syntax.conf', 'architecture = \n');
    const t = await cli('config', '--config', f);
    expect([t.status, t.err]).toEqual([1, `repokit: ${f}: invalid TOML: invalid value (line 1, column 16)\n`]);
    const j = await cli('config', '--config', f, '--json');
    expect(JSON.parse(j.out).error).toMatchObject({ code: 'REPOD_TOML_SYNTAX', errors: [{ file: f, line: 1, column: 16 }] });
    const m = await cli('config', '--config', path.join(tmp, 'missing.conf'));
    expect(m.status).toBe(1);
    expect(m.err).toContain('does not exist');
  });

  it('usage errors exit 2; --help prints the help', async () => {
    expect((await cli()).status).toBe(2);
    expect((await cli('frobnicate')).status).toBe(2);
    expect((await cli('config', 'extra')).status).toBe(2);
    const h = await cli('config', '--help');
    expect(h.status).toBe(0);
    expect(h.out).toMatch(/^Usage: repokit repod config/);
  });
});
