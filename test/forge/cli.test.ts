/** `repokit forge`, run in-process through run(). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/cli.js';
import { FORGE_HELP } from '../../src/cli/forge.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(['forge', ...argv], { io: { out: (s) => (out += s), err: (s) => (err += s) }, readStdin: async () => new Uint8Array() });
  return { code, out, err };
}

const GH = ['--forgeurl', 'https://github.com/foo/bar'];

describe('repokit forge', () => {
  it('prints %global lines for the variables that are set', async () => {
    const r = await cli(...GH, '--version', '1.0', '--commit', '0123456789abcdef0123456789abcdef01234567', '--date', '20240102');
    expect([r.code, r.err]).toEqual([0, '']);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe('%global forgeurl https://github.com/foo/bar');
    expect(lines).toContain('%global forgesetupargs -n bar-0123456789abcdef0123456789abcdef01234567');
    expect(lines).toContain('%global distprefix .20240102git0123456');
    expect(lines.some((l) => l.startsWith('%global owner'))).toBe(false);
  });

  it("escapes '%' so the lines define exactly the values", async () => {
    const r = await cli('--forgeurl', 'https://salsa.debian.org/foo/bar', '--version', '1');
    expect(r.out).toContain('%global forgesource #/.%%{archiveext}\n');
  });

  it('--json: every variable, named as the macros name them; --index suffixes them', async () => {
    const plain = await cli(...GH, '--version', '1.0', '--json');
    const obj = JSON.parse(plain.out) as Record<string, string>;
    expect(Object.keys(obj)).toContain('_forgeversionsuffix');
    expect([obj['forgesource'], obj['owner']]).toEqual(['https://github.com/foo/bar/archive/v1.0/bar-1.0.tar.gz', '']);
    const one = JSON.parse((await cli(...GH, '--version', '2.0', '--index', '1', '-D', 'version=1.0', '--json')).out) as Record<string, string>;
    expect([one['forgesetupargs1'], one['distprefix1'], one['forgesource']]).toEqual(['-T -D -b 1 -n bar-2.0', '.s2.0', undefined]);
  });

  it('--tag refers to --version; --silent; --define; --archiveext; --bug-compatible', async () => {
    expect((await cli(...GH, '--version', '0.8', '--tag', 'v%{version}')).out).toContain('%global archivename bar-0.8\n');
    expect((await cli('--forgeurl', 'https://github.com/foo', '--version', '1', '--silent')).code).toBe(0);
    expect((await cli(...GH, '--commit', 'abc', '--define', 'scm=hg', '-D', 'date=20200101')).out).toContain('%global distprefix .20200101hgabc\n');
    expect((await cli(...GH, '--version', '1', '--archiveext', 'tar.xz')).out).toContain('%global archiveext tar.xz\n');
    const url = ['--forgeurl', 'https://gitlab.com/foo/bar/', '--version', '1'];
    expect((await cli(...url)).out).toContain('%global forgesource https://gitlab.com/foo/bar/-/archive/');
    expect((await cli(...url, '--bug-compatible')).out).toContain('%global forgesource https://gitlab.com/foo/bar//-/archive/');
  });

  it("exits 1 with the macros' message; --json adds the error object", async () => {
    const r = await cli(...GH);
    expect([r.code, r.out, r.err]).toEqual([1, '', 'repokit: forge: You need to define Version:, %{commit} or %{tag} before the macro invocation !\n']);
    const j = await cli('--forgeurl', 'http://github.com/foo/bar', '--version', '1', '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toEqual({
      error: { code: 'FORGE_URL_MISMATCH', message: 'github URLs must match https://(…[-.])github[-.]…/owner/repo !', file: null, offset: null },
    });
  });

  it.each([
    [[], '--forgeurl URL is required'],
    [[...GH, '--date', '2024-01-02'], "--date must be YYYYMMDD, not '2024-01-02'"],
    [[...GH, '--index', 'x'], "--index must be a non-negative integer, not 'x'"],
    [[...GH, '-D', 'no-equals'], "--define wants NAME=VALUE with a macro name, not 'no-equals'"],
    [[...GH, 'extra'], "unexpected argument 'extra'"],
    [[...GH, '--bogus'], "unknown option '--bogus'"],
  ])('usage error %#: %s', async (argv, message) => {
    const r = await cli(...argv);
    expect([r.code, r.out, r.err]).toEqual([2, '', `repokit forge: ${message}\nTry 'repokit forge --help'.\n`]);
  });

  it('--help wins, and docs/cli.md shows it verbatim', async () => {
    const r = await cli('--bogus', '--help');
    expect([r.code, r.out]).toEqual([0, FORGE_HELP]);
    expect((await cli('-h')).out).toBe(FORGE_HELP);
    const doc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    expect(doc).toContain(`\`\`\`text\n${FORGE_HELP}\`\`\``);
  });
});
