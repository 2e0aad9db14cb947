/**
 * The built CLI (dist/cli.js), run as a child process: exit statuses 0/1/2, --help on every
 * command, the --json shapes, the one-line data errors, and `rpm tags --json` against the library.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRpmSync, rpmMetadata, rpmTagsToJson } from '../src/rpm/index.js';
import { run } from '../src/cli/cli.js';
import { ROOT, ensureBuilt, runCli } from './support/dist.js';

const FIXTURES = ['hello-1.0-1.noarch.rpm', 'hello-1.0-1.src.rpm', 'plain-2.0-1.noarch.rpm'].map((f) => `fixtures/rpm/${f}`);
const HELLO = FIXTURES[0]!;
const PLAIN = FIXTURES[2]!;
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let tmp: string;
/** A copy of HELLO cut short in the middle of the main header. */
let truncated: string;
/** Not an rpm at all. */
let notRpm: string;
/** HELLO with its last payload byte changed: headers fine, MD5 and payload digest wrong. */
let badPayload: string;
/** HELLO with a byte of the main header changed: the header SHA digests no longer match. */
let badHeader: string;

beforeAll(() => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'repokit-cli-'));
  const hello = readFileSync(join(ROOT, HELLO));
  truncated = join(tmp, 'truncated.rpm');
  writeFileSync(truncated, hello.subarray(0, 5000));
  notRpm = join(tmp, 'not-an.rpm');
  writeFileSync(notRpm, 'this is not an rpm package\n'.repeat(10));
  badPayload = join(tmp, 'bad-payload.rpm');
  const b = Buffer.from(hello);
  b[b.length - 1] = b[b.length - 1]! ^ 0xff;
  writeFileSync(badPayload, b);
  badHeader = join(tmp, 'bad-header.rpm');
  const h = Buffer.from(hello);
  const pkg = readRpmSync(hello);
  // A byte inside the NAME string's data: still a valid header, different digests.
  const nameAt = pkg.header.base + pkg.header.dataStart + pkg.header.entry(1000)!.offset;
  h[nameAt] = 'j'.charCodeAt(0);
  writeFileSync(badHeader, h);
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Exactly one line, ending in a newline. */
function expectOneLine(s: string): void {
  expect(s.endsWith('\n')).toBe(true);
  expect(s.slice(0, -1)).not.toContain('\n');
}

describe('help and version', () => {
  const commands = [
    [],
    ['rpm'],
    ['rpm', 'inspect'],
    ['rpm', 'tags'],
    ['rpm', 'vercmp'],
    ['alpm'],
    ['alpm', 'add'],
    ['alpm', 'remove'],
    ['alpm', 'list'],
    ['alpm', 'vercmp'],
    ['xbps'],
    ['xbps', 'index'],
    ['xbps', 'clean'],
    ['xbps', 'list'],
    ['xbps', 'cmpver'],
    ['aptrpm'],
    ['aptrpm', 'index'],
    ['aptrpm', 'list'],
    ['aptrpm', 'verify'],
    ['repod'],
    ['repod', 'config'],
    ['forge'],
    ['index'],
    ['validate'],
  ];

  it.each(commands.map((c) => [c.join(' ') || '(top level)', c] as const))('--help for %s', (_name, cmd) => {
    for (const flag of ['--help', '-h']) {
      const r = runCli([...cmd, flag]);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^Usage: repokit${cmd.length ? ' ' + cmd.join(' ') : ''} `));
    }
  });

  it('help wins over other mistakes on the same command line', () => {
    const r = runCli(['rpm', 'inspect', '--bogus', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: repokit rpm inspect /);
  });

  it('`repokit help rpm tags` is `repokit rpm tags --help`', () => {
    expect(runCli(['help', 'rpm', 'tags']).stdout).toBe(runCli(['rpm', 'tags', '--help']).stdout);
    expect(runCli(['help']).stdout).toBe(runCli(['--help']).stdout);
  });

  it('every command help documents --json and the exit statuses', () => {
    for (const cmd of ['inspect', 'tags', 'vercmp']) {
      const { stdout } = runCli(['rpm', cmd, '--help']);
      expect(stdout).toContain('--json');
      expect(stdout).toContain('Exit status');
    }
  });

  it('docs/cli.md shows every help text as the CLI prints it', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
    for (const cmd of commands) {
      const help = runCli([...cmd, '--help']).stdout;
      expect(doc, `help of '${cmd.join(' ')}' in docs/cli.md`).toContain(`\`\`\`text\n${help}\`\`\``);
    }
  });

  it('--version and -V print the package version', () => {
    for (const flag of ['--version', '-V']) {
      const r = runCli([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`repokit ${version}\n`);
    }
  });
});

describe('usage errors exit 2 with a short message on stderr', () => {
  const cases: [string, string[], RegExp][] = [
    ['no arguments', [], /^Usage: repokit /],
    ['unknown command', ['frobnicate'], /^repokit: unknown command 'frobnicate'/],
    ['unknown top-level option', ['--bogus'], /^repokit: unknown option '--bogus'/],
    ['missing rpm command', ['rpm'], /^repokit rpm: missing command/],
    ['unknown rpm command', ['rpm', 'explode'], /^repokit rpm: unknown command 'explode'/],
    ['unknown option', ['rpm', 'inspect', '--bogus', HELLO], /^repokit rpm inspect: unknown option '--bogus'/],
    ['missing FILE', ['rpm', 'inspect'], /^repokit rpm inspect: missing FILE/],
    ['missing option value', ['rpm', 'inspect', HELLO, '--locale'], /needs a value/],
    ['bad choice', ['rpm', 'inspect', '--profile', 'lax', HELLO], /must be one of rpm, strict/],
    ['flag with a value', ['rpm', 'inspect', '--json=yes', HELLO], /does not take a value/],
    ['repeated option', ['rpm', 'inspect', '--json', '--json', HELLO], /more than once/],
    ['stdin twice', ['rpm', 'inspect', '-', '-'], /only once/],
    ['tags with two files', ['rpm', 'tags', HELLO, PLAIN], /exactly one FILE/],
    ['tags without a file', ['rpm', 'tags'], /missing FILE/],
    ['vercmp with one version', ['rpm', 'vercmp', '1.0'], /expects two versions/],
    ['vercmp with a dash version', ['rpm', 'vercmp', '-1', '2'], /put '--' before/],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const r = runCli(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    if (args.length > 0) {
      // "<where>: <problem>" and "Try '<where> --help'."
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(2);
      expect(r.stderr).toMatch(/Try 'repokit[a-z ]* --help'\.\n$/);
    }
  });
});

describe('rpm inspect', () => {
  it('prints a readable summary', () => {
    const r = runCli(['rpm', 'inspect', HELLO]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const out = r.stdout;
    expect(out.split('\n')[0]).toBe('hello-1:1.0-1.noarch');
    expect(out).toMatch(/Summary: +A small greeting package used as a repokit fixture/);
    expect(out).toMatch(/Epoch: +1\n/);
    expect(out).toMatch(/Installed: +96 bytes/);
    expect(out).toMatch(/Payload: +cpio, gzip/);
    expect(out).toMatch(/Dependencies: +\d+ requires, 3 provides, 1 conflicts, 1 obsoletes, 1 recommends/);
    expect(out).toMatch(/Files: +5 \(1 directory, 3 files, 1 symlink, 1 config, 1 doc; digests sha256\)/);
    expect(out).toMatch(/Changelog: +2 entries, latest 2023-11-14/);
    expect(out).toMatch(/Digests: +Header SHA256, Header SHA1, MD5, Payload SHA256 \(not checked; use --verify\)/);
    expect(out).toMatch(/Signatures: +none/);
  });

  it('--deps and --files list everything', () => {
    const r = runCli(['rpm', 'inspect', '--deps', '--files', HELLO]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('    coreutils >= 8.0\n');
    expect(r.stdout).toContain('    (bash or dash)\n');
    expect(r.stdout).toMatch(/ {4}lrwxrwxrwx root\/root +5 {2}\/usr\/bin\/hi -> hello\n/);
    expect(r.stdout).toMatch(/\/etc\/hello\/greeting\.conf {2}\[config, noreplace\]/);
  });

  it('several files: one block each, in order', () => {
    const r = runCli(['rpm', 'inspect', ...FIXTURES]);
    expect(r.status).toBe(0);
    const heads = r.stdout.split('\n').filter((l) => /^\S/.test(l));
    expect(heads).toEqual(['hello-1:1.0-1.noarch', 'hello-1:1.0-1.src', 'plain-2.0-1.noarch']);
  });

  it('--json: an array with one object per file; metadata is rpmMetadata', () => {
    const r = runCli(['rpm', 'inspect', '--json', ...FIXTURES]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(out).toHaveLength(FIXTURES.length);
    FIXTURES.forEach((file, i) => {
      const o = out[i]!;
      expect(Object.keys(o).sort()).toEqual(['digests', 'file', 'metadata', 'signatures', 'warnings']);
      expect(o['file']).toBe(file);
      const expected = JSON.parse(JSON.stringify(rpmMetadata(readRpmSync(join(ROOT, file))))) as unknown;
      expect(o['metadata']).toEqual(expected);
      expect(o['signatures']).toEqual([]);
      expect(o['warnings']).toEqual([]);
    });
  });

  it('--json with one file is still an array', () => {
    const out = JSON.parse(runCli(['rpm', 'inspect', '--json', HELLO]).stdout) as unknown[];
    expect(Array.isArray(out)).toBe(true);
    expect(out).toHaveLength(1);
  });

  it('--locale picks translated strings', () => {
    const out = JSON.parse(runCli(['rpm', 'inspect', '--json', '--locale', 'de_DE.UTF-8', HELLO]).stdout) as {
      metadata: { summary: string };
    }[];
    expect(out[0]!.metadata.summary).toBe('Ein kleines Grußpaket, das repokit als Testdatei dient');
    expect(runCli(['rpm', 'inspect', '--locale=fr', HELLO]).stdout).toMatch(/Summary: +A small greeting/);
  });

  it('--verify checks every digest of the fixtures', () => {
    const r = runCli(['rpm', 'inspect', '--verify', ...FIXTURES]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.match(/Verify: +OK/g)).toHaveLength(FIXTURES.length);
    expect(r.stdout).toMatch(/Payload SHA256 ALT digest: +OK/); // plain: uncompressed payload
    const json = JSON.parse(runCli(['rpm', 'inspect', '--verify', '--json', ...FIXTURES]).stdout) as {
      ok: boolean;
      digests: { ok: boolean | null }[];
    }[];
    for (const o of json) {
      expect(o.ok).toBe(true);
      expect(o.digests.length).toBeGreaterThanOrEqual(4);
      expect(o.digests.every((d) => d.ok === true)).toBe(true);
    }
  });

  it('--verify: a changed payload byte fails MD5 and the payload digest (exit 1, one line)', () => {
    const r = runCli(['rpm', 'inspect', '--verify', badPayload]);
    expect(r.status).toBe(1);
    expectOneLine(r.stderr);
    expect(r.stderr).toBe(`repokit: ${badPayload}: digest mismatch: MD5 digest, Payload SHA256 digest\n`);
    expect(r.stdout).toMatch(/Verify: +FAILED/);
    expect(r.stdout).toMatch(/Header SHA256 digest: +OK/);
    // Without --verify the same file inspects fine.
    expect(runCli(['rpm', 'inspect', badPayload]).status).toBe(0);
  });

  it('--verify: a changed header byte fails the header digests', () => {
    const r = runCli(['rpm', 'inspect', '--verify', '--json', badHeader]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`repokit: ${badHeader}: digest mismatch: Header SHA256 digest, Header SHA1 digest, MD5 digest\n`);
    const [o] = JSON.parse(r.stdout) as { ok: boolean; metadata: { name: string }; digests: { name: string; ok: boolean }[] }[];
    expect(o!.ok).toBe(false);
    expect(o!.metadata.name).toBe('jello');
    expect(o!.digests.find((d) => d.name === 'Payload SHA256 digest')!.ok).toBe(true);
  });

  it('reads standard input for -', () => {
    const r = runCli(['rpm', 'inspect', '--json', '-'], { input: readFileSync(join(ROOT, PLAIN)) });
    expect(r.status).toBe(0);
    const [o] = JSON.parse(r.stdout) as { file: string; metadata: { nevra: string } }[];
    expect(o!.file).toBe('<stdin>');
    expect(o!.metadata.nevra).toBe('plain-2.0-1.noarch');
  });
});

describe('data errors exit 1 with one line naming the file', () => {
  const cases: [string, () => string, string][] = [
    ['a truncated package', () => truncated, 'TRUNCATED'],
    ['a file that is not an rpm', () => notRpm, 'RPM_BAD_LEAD'],
    ['a missing file', () => join(tmp, 'does-not-exist.rpm'), 'IO_ERROR'],
  ];

  it.each(cases)('inspect: %s', (_name, file, code) => {
    const f = file();
    const r = runCli(['rpm', 'inspect', f]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expectOneLine(r.stderr);
    expect(r.stderr.startsWith(`repokit: ${f}: `)).toBe(true);

    const j = runCli(['rpm', 'inspect', '--json', f]);
    expect(j.status).toBe(1);
    expect(j.stderr).toBe(r.stderr);
    const out = JSON.parse(j.stdout) as { file: string; error: Record<string, unknown> }[];
    expect(out).toHaveLength(1);
    expect(out[0]!.file).toBe(f);
    expect(Object.keys(out[0]!.error).sort()).toEqual(['code', 'file', 'message', 'offset']);
    expect(out[0]!.error['code']).toBe(code);
    expect(out[0]!.error['file']).toBe(f);
    expect(r.stderr).toContain(out[0]!.error['message'] as string);
  });

  it.each(cases)('tags: %s', (_name, file, code) => {
    const f = file();
    const r = runCli(['rpm', 'tags', f]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expectOneLine(r.stderr);
    expect(r.stderr.startsWith(`repokit: ${f}: `)).toBe(true);
    const j = runCli(['rpm', 'tags', '--json', f]);
    expect(j.status).toBe(1);
    const out = JSON.parse(j.stdout) as { error: { code: string; file: string; offset: number | null } };
    expect(Object.keys(out)).toEqual(['error']);
    expect(out.error.code).toBe(code);
    expect(out.error.file).toBe(f);
  });

  it('the truncated file: message and offset', () => {
    const r = runCli(['rpm', 'tags', '--json', truncated]);
    const out = JSON.parse(r.stdout) as { error: { message: string; offset: number } };
    expect(out.error.offset).toBe(5000);
    expect(r.stderr).toBe(`repokit: ${truncated}: ${out.error.message} (at byte 5000)\n`);
  });

  it('good and bad files together: the good ones are reported, the status is 1', () => {
    const r = runCli(['rpm', 'inspect', HELLO, truncated, PLAIN]);
    expect(r.status).toBe(1);
    expectOneLine(r.stderr);
    expect(r.stdout).toContain('hello-1:1.0-1.noarch\n');
    expect(r.stdout).toContain('plain-2.0-1.noarch\n');
    const j = JSON.parse(runCli(['rpm', 'inspect', '--json', HELLO, truncated, PLAIN]).stdout) as Record<string, unknown>[];
    expect(j.map((o) => 'error' in o)).toEqual([false, true, false]);
  });

  it('bad stdin is named <stdin>', () => {
    const r = runCli(['rpm', 'tags', '-'], { input: 'nope' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^repokit: <stdin>: not an rpm package/);
  });
});

describe('rpm tags', () => {
  it.each(FIXTURES)('--json equals rpmTagsToJson for %s', (file) => {
    const r = runCli(['rpm', 'tags', '--json', file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(rpmTagsToJson(readRpmSync(join(ROOT, file))));
  });

  it('prints a table of both headers', () => {
    const r = runCli(['rpm', 'tags', HELLO]);
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^Signature header \(bytes 96-\d+, 7 tags\)\nTAG +NAME +TYPE +VALUE\n62 +HEADERSIGNATURES +BIN +/);
    expect(out).toMatch(/\nMain header \(bytes \d+-\d+, \d+ tags\)\nTAG +NAME +TYPE +VALUE\n63 +HEADERIMMUTABLE +BIN /);
    expect(out).toMatch(/\n1000 +NAME +STRING +hello\n/);
    expect(out).toMatch(/\n1003 +EPOCH +INT32 +1\n/);
    expect(out).toMatch(/\n100 +HEADERI18NTABLE +STRING_ARRAY +\[2\] "C", "de"\n/);
    expect(out).toMatch(/\n1000 +SIZE +INT32 +\d+\n/); // the signature namespace's 1000
    // Long values are cut; --full keeps them.
    const longest = Math.max(...out.split('\n').map((l) => [...l].length));
    expect(longest).toBeLessThan(140);
    expect(out).toContain('…');
    const full = runCli(['rpm', 'tags', '--full', HELLO]).stdout;
    expect(full).toContain('"hello prints a greeting read from /etc/hello/greeting.conf.\\nIt exists only');
  });
});

describe('rpm vercmp', () => {
  const cases: [string[], string][] = [
    [['1.0', '1.0'], '0'],
    [['1.10', '1.9'], '1'],
    [['1.0~rc1', '1.0'], '-1'],
    [['1.0^git1', '1.0.1'], '-1'],
    [['1:1.0', '2.0'], '1'],
    [['--raw', '1:1.0', '2.0'], '-1'],
    [['1.0-1', '1.0-2'], '-1'],
    [['--', '-1', '2'], '-1'],
  ];
  it.each(cases)('%j -> %s', (args, expected) => {
    const r = runCli(['rpm', 'vercmp', ...args]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${expected}\n`);
  });

  it('--json', () => {
    const r = runCli(['rpm', 'vercmp', '--json', '2.0', '1.0']);
    expect(JSON.parse(r.stdout)).toEqual({ a: '2.0', b: '1.0', result: 1 });
  });

  it('an unparsable version is a data error', () => {
    const r = runCli(['rpm', 'vercmp', '', '1.0']);
    expect(r.status).toBe(1);
    expectOneLine(r.stderr);
    const j = runCli(['rpm', 'vercmp', '--json', '', '1.0']);
    expect((JSON.parse(j.stdout) as { error: { code: string } }).error.code).toBe('RPM_BAD_VERSION');
  });
});

describe('internal errors', () => {
  it('an exception that is not a RepokitError exits 70 with its stack', async () => {
    let err = '';
    const status = await run(['rpm', 'inspect', '-'], {
      io: { out: () => undefined, err: (t) => void (err += t) },
      readStdin: () => Promise.reject(new TypeError('boom')),
    });
    expect(status).toBe(70);
    expect(err).toMatch(/^repokit: internal error \(this is a bug; please report it\)\nTypeError: boom\n {4}at /);
  });
});
