/**
 * The Lua pattern interpreter against real Lua: rpm embeds Lua, so `rpm --eval '%{lua:...}'` runs
 * string.find / string.gsub on random subjects and patterns (built from pattern metacharacters),
 * and every result, or error message, must be the same as ours. Skipped when rpm is missing
 * (fails instead when CI is set).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { luaFind, luaStripPrefix } from '../../src/forge/lua-pattern.js';
import { isRepokitError } from '../../src/shared/errors.js';

function rpmLuaMissing(): string | null {
  const r = spawnSync('rpm', ['--eval', '%{lua: io.write("ok")}'], { encoding: 'utf8' });
  const reason = r.status === 0 && r.stdout.startsWith('ok') ? null : '`rpm` (with its built-in Lua) is not installed';
  const ci = process.env['CI'];
  if (reason !== null && ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') throw new Error(`${reason}; CI must install it`);
  return reason;
}
const missing = rpmLuaMissing();

/** A Lua string literal of the bytes of `s` (decimal escapes: nothing to quote). */
const luaString = (s: string): string => `"${[...s].map((c) => `\\${c.charCodeAt(0)}`).join('')}"`;

/** Run `calls` (Lua expressions returning ok, a, b) through rpm's Lua; one result line each. */
function runLua(lines: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'repokit-lua-'));
  try {
    const file = join(dir, 'cases.lua');
    writeFileSync(file, lines.join('\n'));
    const r = spawnSync('rpm', ['--eval', `%{lua: dofile("${file}")}`], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status).toBe(0);
    return r.stdout.split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function ours(fn: () => string): string {
  try {
    return fn();
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    return `E ${e.detail.replace(/^lua script failed: /, '')}`;
  }
}

const subject = fc.string({ unit: fc.constantFrom(...'ab.-_ 1()[]%'.split('')), maxLength: 10 });
const pattern = fc.string({ unit: fc.constantFrom(...'ab.-%*+?[]^$()1dpsfb.-'.split('')), maxLength: 8 });

if (missing !== null) {
  it.skip(`Lua patterns vs rpm's Lua — skipped: ${missing}`, () => {});
} else describe('Lua patterns agree with rpm\'s Lua', () => {
  it('string.find on 3000 random subject/pattern pairs', () => {
    const cases = fc.sample(fc.tuple(subject, pattern), { numRuns: 3000, seed: 0x4c7561 });
    const lua = runLua(
      cases.map(
        ([s, p]) =>
          `do local ok, a, b = pcall(string.find, ${luaString(s)}, ${luaString(p)}) ` +
          `if ok then io.write(tostring(a), " ", tostring(b), "\\n") else io.write("E ", tostring(a):gsub("^.-:%d+: ", ""), "\\n") end end`,
      ),
    );
    const diffs = cases
      .map(([s, p], i) => {
        const got = ours(() => {
          const r = luaFind(s, p);
          return r === null ? 'nil nil' : `${r[0] + 1} ${r[1]}`;
        });
        return got === lua[i] ? null : `${JSON.stringify(s)} ${JSON.stringify(p)}: lua ${lua[i]}, repokit ${got}`;
      })
      .filter((d) => d !== null);
    expect(diffs.slice(0, 10)).toEqual([]);
  });

  it('gsub(s, "^" .. name .. "%.?", "") on 3000 random names', () => {
    const cases = fc.sample(fc.tuple(subject, pattern), { numRuns: 3000, seed: 0x677375 });
    const lua = runLua(
      cases.map(
        ([s, p]) =>
          `do local ok, r = pcall(string.gsub, ${luaString(s)}, ${luaString(`^${p}%.?`)}, "") ` +
          `if ok then io.write("= ", r, "\\n") else io.write("E ", tostring(r):gsub("^.-:%d+: ", ""), "\\n") end end`,
      ),
    );
    const diffs = cases
      .map(([s, p], i) => {
        const got = ours(() => `= ${luaStripPrefix(s, `^${p}%.?`)}`);
        return got === lua[i] ? null : `${JSON.stringify(s)} ${JSON.stringify(p)}: lua ${lua[i]}, repokit ${got}`;
      })
      .filter((d) => d !== null);
    expect(diffs.slice(0, 10)).toEqual([]);
  });
});
