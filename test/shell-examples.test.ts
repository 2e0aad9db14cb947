/**
 * Every shell example in README.md and docs/*.md runs (test/readme.test.ts does the same for the
 * ```ts blocks).
 *
 * Blocks: ```sh, ```bash, ```shell and ```console. Conventions:
 *
 * - ```sh / ```bash / ```shell: every non-empty, non-comment line is a command; each must exit 0.
 * - ```console: lines starting with `$ ` are commands; the lines after one, up to the next `$ `
 *   line or the end of the block, are its expected output (stdout and stderr together), compared
 *   line by line with trailing spaces ignored. A line `...` (any indentation) stands for any
 *   number of lines. A command shown without output must print nothing.
 * - An info string `no-run` (```sh no-run) skips the whole block; `ignore` too. Use it for
 *   commands that cannot run in a test, and say why in the text around the block.
 * - `repokit`, `npx repokit` and `node dist/cli.js` run the built CLI (dist/cli.js, built by
 *   ensureBuilt(); or the file named by REPOKIT_CLI, for trying a private bundle whose directory's
 *   parent holds a package.json).
 * - A block runs in a fresh temporary directory holding a copy of fixtures/ (so commands may
 *   write files), one line after the other, with bash.
 * - Commands (or parts of `&&`/`;` chains) matching SKIPPED below are not executed: they install,
 *   build, benchmark or run tests, which a test must not do. Everything else runs. The test
 *   "skipped commands" prints each skipped one with its reason (today: `npm install repokit`,
 *   `npm install` and `npm test` in README.md, `npm run bench ...` and `node bench/run.mjs ...`
 *   in docs/aptrpm.md and docs/benchmarks.md). `npm run demo` (= `npm run build && node
 *   scripts/demo.mjs`) runs the demo script of this checkout without the build; it uses dist/, or
 *   REPOKIT_DIST when set.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, ensureBuilt } from './support/dist.js';

/** Commands that are shown but not run, and why. Matched against one `&&`/`;` segment. */
const SKIPPED: readonly { re: RegExp; why: string }[] = [
  { re: /^npm (install|i|ci)\b/, why: 'installs packages (network, shared node_modules)' },
  { re: /^npm test\b/, why: 'runs the whole test suite, this file included' },
  { re: /^npm run build\b/, why: 'rebuilds dist/, which the other tests use while they run' },
  { re: /^npm run bench\b|^(\S+=\S+ )*node bench\/run\.mjs\b/, why: 'runs the benchmarks (minutes of CPU)' },
  { re: /^npm run fixtures\b|^scripts\/make-fixtures\.sh\b/, why: 'rebuilds fixtures/ with rpmbuild and makepkg' },
  { re: /^npx vitest\b/, why: 'runs tests' },
];

interface Command {
  /** The command as shown. */
  shown: string;
  /** What runs (skipped segments removed; empty when nothing is left). */
  run: string;
  skipped: { segment: string; why: string }[];
  /** Expected output lines (console blocks only; null for sh blocks). */
  expected: string[] | null;
}

interface Block {
  doc: string;
  line: number;
  lang: string;
  commands: Command[];
}

/** `repokit` (or `npx repokit`, `node dist/cli.js`) in command position. */
const REPOKIT_CALL = /(^|[;&|(]\s*)(npx repokit|node dist\/cli\.js|repokit)(?=\s|$)/g;

function splitCommand(shown: string): Command {
  // Split on && and ; outside quotes (the examples do not nest quotes).
  const parts: { text: string; sep: string }[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < shown.length; i++) {
    const c = shown[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
      cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === ';' || (c === '&' && shown[i + 1] === '&')) {
      parts.push({ text: cur.trim(), sep: c === ';' ? ';' : '&&' });
      cur = '';
      if (c === '&') i++;
    } else {
      cur += c;
    }
  }
  parts.push({ text: cur.trim(), sep: '' });
  const skipped: Command['skipped'] = [];
  const kept: string[] = [];
  for (const p of parts) {
    // `npm run demo` is `npm run build && node scripts/demo.mjs`: the demo runs, the build does not.
    if (/^npm run demo$/.test(p.text)) {
      skipped.push({ segment: 'npm run build (the first half of npm run demo)', why: SKIPPED[2]!.why });
      kept.push(`node ${JSON.stringify(join(ROOT, 'scripts', 'demo.mjs'))}`, p.sep);
      continue;
    }
    const s = SKIPPED.find((k) => k.re.test(p.text));
    if (s) skipped.push({ segment: p.text, why: s.why });
    else if (p.text !== '') kept.push(p.text, p.sep);
  }
  if (kept.length > 0) kept.pop();
  return { shown, run: kept.join(' ').replace(REPOKIT_CALL, '$1repokit').trim(), skipped, expected: null };
}

function extract(doc: string): Block[] {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  const blocks: Block[] = [];
  const re = /^```(sh|bash|shell|console)([^\n]*)\n([\s\S]*?)^```$/gm;
  for (const m of text.matchAll(re)) {
    const lang = m[1]!;
    const flags = m[2]!.trim().split(/\s+/);
    if (flags.includes('no-run') || flags.includes('ignore')) continue;
    const line = text.slice(0, m.index).split('\n').length;
    const lines = m[3]!.replace(/\n$/, '').split('\n');
    const commands: Command[] = [];
    if (lang === 'console') {
      for (const l of lines) {
        if (l.startsWith('$ ')) commands.push({ ...splitCommand(l.slice(2)), expected: [] });
        else if (commands.length > 0) commands.at(-1)!.expected!.push(l);
        else throw new Error(`${doc}:${line}: console block output before the first "$ " command`);
      }
    } else {
      for (const l of lines) {
        const cmd = l.replace(/\s+#.*$/, '').trim();
        if (cmd === '' || cmd.startsWith('#')) continue;
        commands.push(splitCommand(cmd));
      }
    }
    blocks.push({ doc, line, lang, commands });
  }
  return blocks;
}

const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const blocks = docs.flatMap(extract);
const cli = process.env['REPOKIT_CLI'] ? resolve(process.env['REPOKIT_CLI']) : CLI;
const work = mkdtempSync(join(tmpdir(), 'repokit-shell-examples-'));
const bin = join(work, 'bin');

/** Does the output match the expected lines (`...` matches any run of lines)? */
function outputMatches(actual: readonly string[], expected: readonly string[]): boolean {
  const norm = (s: string) => s.replace(/\s+$/, '');
  const go = (a: number, e: number): boolean => {
    if (e === expected.length) return a === actual.length;
    if (expected[e]!.trim() === '...') {
      for (let k = a; k <= actual.length; k++) if (go(k, e + 1)) return true;
      return false;
    }
    return a < actual.length && norm(actual[a]!) === norm(expected[e]!) && go(a + 1, e + 1);
  };
  return go(0, 0);
}

beforeAll(() => {
  if (!process.env['REPOKIT_CLI']) ensureBuilt();
  mkdirSync(bin);
  writeFileSync(join(bin, 'repokit'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"\n`);
  chmodSync(join(bin, 'repokit'), 0o755);
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('shell examples in README.md and docs/', () => {
  it('the matcher: "..." stands for any number of lines, nothing else is loose', () => {
    expect(outputMatches(['a', 'b', 'c'], ['a', '...', 'c'])).toBe(true);
    expect(outputMatches(['a', 'c'], ['a', '  ...', 'c'])).toBe(true);
    expect(outputMatches(['a', 'b'], ['a'])).toBe(false);
    expect(outputMatches(['a', 'x'], ['a', 'b'])).toBe(false);
    expect(outputMatches([], [])).toBe(true);
  });

  it('skipped commands are listed with their reason, and none of them is a CLI call', () => {
    const skipped = blocks.flatMap((b) => b.commands.flatMap((c) => c.skipped.map((s) => ({ where: `${b.doc}:${b.line}`, ...s }))));
    console.log(`not executed:\n${skipped.map((s) => `  ${s.where}: ${s.segment}  (${s.why})`).join('\n')}`);
    for (const s of skipped) expect(new RegExp(REPOKIT_CALL.source).test(s.segment), `${s.where}: ${s.segment}`).toBe(false);
  });

  it('there are shell examples that run the CLI', () => {
    expect(blocks.filter((b) => b.commands.some((c) => /(^|\s)repokit\s/.test(c.run))).length).toBeGreaterThan(0);
  });

  it.each(blocks.filter((b) => b.commands.some((c) => c.run !== '')).map((b) => [`${b.doc}:${b.line} (${b.lang})`, b] as const))('%s', (_n, b) => {
    const dir = mkdtempSync(join(work, 'block-'));
    cpSync(join(ROOT, 'fixtures'), join(dir, 'fixtures'), { recursive: true });
    for (const c of b.commands) {
      if (c.run === '') continue;
      const r = spawnSync('bash', ['-c', `${c.run} 2>&1`], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, LC_ALL: 'C.UTF-8', NO_COLOR: '1', COLUMNS: '100' },
      });
      const out = r.stdout.replace(/\n$/, '');
      const lines = out === '' ? [] : out.split('\n');
      if (c.expected === null) {
        expect.soft(r.status, `${b.doc}:${b.line}: ${c.shown}\n${out}`).toBe(0);
      } else {
        expect.soft(outputMatches(lines, c.expected), `${b.doc}:${b.line}: $ ${c.shown}\nexpected:\n${c.expected.join('\n')}\nactual (exit ${r.status}):\n${out}`).toBe(true);
      }
    }
  });
});
