/**
 * Lua 5.3/5.4 string patterns, on byte strings (one char code 0..255 per byte).
 *
 * The forge macros strip the repository name from a tag by using the name itself as a Lua pattern
 * (`"^" .. lower(repo) .. "%.?"`), unescaped, so `-` is a lazy quantifier and `.` any byte. Their
 * snapshot suffixes can only be reproduced by interpreting that text exactly as Lua does, errors
 * included. This is an interpreter of the pattern language (classes, sets, the four quantifiers,
 * anchors, captures, back-references, `%b`, `%f`), written from the language's definition.
 *
 * Lua has no time limit here but stops at 200 nested matcher calls ("pattern too complex"); we
 * keep that limit and add a step budget so a pathological name cannot make us spin.
 */
import { RepokitError } from '../shared/errors.js';

/** Nested matcher calls allowed before "pattern too complex" (Lua's MAXCCALLS). */
const MAX_DEPTH = 200;
/** Lua's LUA_MAXCAPTURES. */
const MAX_CAPTURES = 32;
/** Matcher steps per search before we give up with LIMIT_EXCEEDED (Lua would keep going). */
export const LUA_PATTERN_STEP_LIMIT = 2_000_000;

const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;

function luaError(message: string): RepokitError {
  return new RepokitError('FORGE_LUA_ERROR', `lua script failed: ${message}`);
}

// C-locale ctype on bytes (bytes >= 0x80 are in no class).
function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isPunct(c: number): boolean {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function matchClass(c: number, cl: number): boolean {
  const lower = cl | 0x20;
  let res: boolean;
  switch (isAlpha(cl) ? lower : -1) {
    case 0x61: res = isAlpha(c); break; // a
    case 0x63: res = c < 0x20 || c === 0x7f; break; // c
    case 0x64: res = isDigit(c); break; // d
    case 0x67: res = c > 0x20 && c < 0x7f; break; // g
    case 0x6c: res = c >= 0x61 && c <= 0x7a; break; // l
    case 0x70: res = isPunct(c); break; // p
    case 0x73: res = isSpace(c); break; // s
    case 0x75: res = c >= 0x41 && c <= 0x5a; break; // u
    case 0x77: res = isAlpha(c) || isDigit(c); break; // w
    case 0x78: res = isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66); break; // x
    default: return cl === c;
  }
  // An upper-case class letter is the complement.
  return cl >= 0x41 && cl <= 0x5a ? !res : res;
}

interface Capture {
  init: number;
  len: number;
}

class Matcher {
  readonly s: string;
  readonly p: string;
  level = 0;
  depth = MAX_DEPTH;
  steps = 0;
  readonly captures: Capture[] = [];

  constructor(s: string, p: string) {
    this.s = s;
    this.p = p;
  }

  /** Index just past the single-char class starting at `pi`. */
  classEnd(pi: number): number {
    const p = this.p;
    const c = p.charCodeAt(pi++);
    if (c === 0x25 /* % */) {
      if (pi >= p.length) throw luaError("malformed pattern (ends with '%')");
      return pi + 1;
    }
    if (c === 0x5b /* [ */) {
      if (p.charCodeAt(pi) === 0x5e /* ^ */) pi++;
      // The first character of a set is always a member, so `[]]` is a set of one ']'.
      do {
        if (pi >= p.length) throw luaError("malformed pattern (missing ']')");
        const d = p.charCodeAt(pi++);
        if (d === 0x25 && pi < p.length) pi++;
      } while (p.charCodeAt(pi) !== 0x5d /* ] */);
      return pi + 1;
    }
    return pi;
  }

  /** Is byte `c` in the set `p[pi..ec]` (pi at '[', ec at the closing ']')? */
  matchBracket(c: number, pi: number, ec: number): boolean {
    const p = this.p;
    let sig = true;
    if (p.charCodeAt(pi + 1) === 0x5e) {
      sig = false;
      pi++;
    }
    while (++pi < ec) {
      const pc = p.charCodeAt(pi);
      if (pc === 0x25) {
        pi++;
        if (matchClass(c, p.charCodeAt(pi))) return sig;
      } else if (p.charCodeAt(pi + 1) === 0x2d /* - */ && pi + 2 < ec) {
        pi += 2;
        if (pc <= c && c <= p.charCodeAt(pi)) return sig;
      } else if (pc === c) {
        return sig;
      }
    }
    return !sig;
  }

  singleMatch(si: number, pi: number, ep: number): boolean {
    if (++this.steps > LUA_PATTERN_STEP_LIMIT) {
      throw new RepokitError('LIMIT_EXCEEDED', `lua pattern: more than ${LUA_PATTERN_STEP_LIMIT} matching steps`);
    }
    if (si >= this.s.length) return false;
    const c = this.s.charCodeAt(si);
    const pc = this.p.charCodeAt(pi);
    switch (pc) {
      case 0x2e: return true; // .
      case 0x25: return matchClass(c, this.p.charCodeAt(pi + 1));
      case 0x5b: return this.matchBracket(c, pi, ep - 1);
      default: return pc === c;
    }
  }

  /** Match `p[pi..]` at `s[si..]`; returns the end of the match or -1. */
  match(si: number, pi: number): number {
    if (this.depth-- === 0) throw luaError('pattern too complex');
    try {
      return this.doMatch(si, pi);
    } finally {
      this.depth++;
    }
  }

  private doMatch(si: number, pi: number): number {
    const s = this.s;
    const p = this.p;
    for (;;) {
      if (pi >= p.length) return si;
      const pc = p.charCodeAt(pi);
      if (pc === 0x28 /* ( */) {
        return p.charCodeAt(pi + 1) === 0x29 ? this.startCapture(si, pi + 2, CAP_POSITION) : this.startCapture(si, pi + 1, CAP_UNFINISHED);
      }
      if (pc === 0x29 /* ) */) return this.endCapture(si, pi + 1);
      if (pc === 0x24 /* $ */ && pi + 1 === p.length) return si === s.length ? si : -1;
      if (pc === 0x25 /* % */ && pi + 1 < p.length) {
        const next = p.charCodeAt(pi + 1);
        if (next === 0x62 /* b */) {
          si = this.matchBalance(si, pi + 2);
          if (si === -1) return -1;
          pi += 4;
          continue;
        }
        if (next === 0x66 /* f */) {
          pi += 2;
          if (p.charCodeAt(pi) !== 0x5b) throw luaError("missing '[' after '%f' in pattern");
          const ep = this.classEnd(pi);
          const prev = si === 0 ? 0 : s.charCodeAt(si - 1);
          const cur = si < s.length ? s.charCodeAt(si) : 0;
          if (!this.matchBracket(prev, pi, ep - 1) && this.matchBracket(cur, pi, ep - 1)) {
            pi = ep;
            continue;
          }
          return -1;
        }
        if (isDigit(next)) {
          si = this.matchCapture(si, next);
          if (si === -1) return -1;
          pi += 2;
          continue;
        }
      }
      const ep = this.classEnd(pi);
      const q = p.charCodeAt(ep);
      if (!this.singleMatch(si, pi, ep)) {
        // '*', '?' and '-' accept zero occurrences.
        if (q === 0x2a || q === 0x3f || q === 0x2d) {
          pi = ep + 1;
          continue;
        }
        return -1;
      }
      switch (q) {
        case 0x3f: { // ?
          const res = this.match(si + 1, ep + 1);
          if (res !== -1) return res;
          pi = ep + 1;
          continue;
        }
        case 0x2b: return this.maxExpand(si + 1, pi, ep); // +
        case 0x2a: return this.maxExpand(si, pi, ep); // *
        case 0x2d: return this.minExpand(si, pi, ep); // -
        default:
          si++;
          pi = ep;
      }
    }
  }

  private maxExpand(si: number, pi: number, ep: number): number {
    let i = 0;
    while (this.singleMatch(si + i, pi, ep)) i++;
    // Try the longest run first, then shorter ones.
    for (; i >= 0; i--) {
      const res = this.match(si + i, ep + 1);
      if (res !== -1) return res;
    }
    return -1;
  }

  private minExpand(si: number, pi: number, ep: number): number {
    for (;;) {
      const res = this.match(si, ep + 1);
      if (res !== -1) return res;
      if (!this.singleMatch(si, pi, ep)) return -1;
      si++;
    }
  }

  private startCapture(si: number, pi: number, what: number): number {
    if (this.level >= MAX_CAPTURES) throw luaError('too many captures');
    this.captures[this.level] = { init: si, len: what };
    this.level++;
    const res = this.match(si, pi);
    if (res === -1) this.level--;
    return res;
  }

  private endCapture(si: number, pi: number): number {
    let l = -1;
    for (let i = this.level - 1; i >= 0; i--) {
      if (this.captures[i]!.len === CAP_UNFINISHED) {
        l = i;
        break;
      }
    }
    if (l === -1) throw luaError('invalid pattern capture');
    const cap = this.captures[l]!;
    cap.len = si - cap.init;
    const res = this.match(si, pi);
    if (res === -1) cap.len = CAP_UNFINISHED;
    return res;
  }

  private matchCapture(si: number, digit: number): number {
    const l = digit - 0x31;
    if (l < 0 || l >= this.level || this.captures[l]!.len === CAP_UNFINISHED) throw luaError(`invalid capture index %${l + 1}`);
    const { init, len } = this.captures[l]!;
    // A position capture has no text: comparing against it never succeeds.
    if (len < 0 || this.s.length - si < len) return -1;
    return this.s.startsWith(this.s.slice(init, init + len), si) ? si + len : -1;
  }

  private matchBalance(si: number, pi: number): number {
    if (pi + 1 >= this.p.length) throw luaError("malformed pattern (missing arguments to '%b')");
    const s = this.s;
    const open = this.p.charCodeAt(pi);
    const close = this.p.charCodeAt(pi + 1);
    if (si >= s.length || s.charCodeAt(si) !== open) return -1;
    let depth = 1;
    while (++si < s.length) {
      const c = s.charCodeAt(si);
      if (c === close) {
        if (--depth === 0) return si + 1;
      } else if (c === open) {
        depth++;
      }
    }
    return -1;
  }
}

function search(s: string, pattern: string): { m: Matcher; start: number; end: number } | null {
  let p = pattern;
  const anchored = p.startsWith('^');
  if (anchored) p = p.slice(1);
  const m = new Matcher(s, p);
  let si = 0;
  do {
    m.level = 0;
    const e = m.match(si, 0);
    if (e !== -1) return { m, start: si, end: e };
    si++;
  } while (si <= s.length && !anchored);
  return null;
}

/** The first match of `pattern` in `s` (Lua `string.find`, captures not returned): [start, end) or null. */
export function luaFind(s: string, pattern: string): [number, number] | null {
  // Like Lua, a pattern without special characters is searched as plain text (so a lone ')' is
  // not an error here).
  if (!/[\^$*+?.([%-]/.test(pattern)) {
    const at = s.indexOf(pattern);
    return at === -1 ? null : [at, at + pattern.length];
  }
  const r = search(s, pattern);
  if (r === null) return null;
  // string.find returns the captures too, and an unfinished one is an error there.
  for (let i = 0; i < r.m.level; i++) if (r.m.captures[i]!.len === CAP_UNFINISHED) throw luaError('unfinished capture');
  return [r.start, r.end];
}

/**
 * Lua `string.match`: the captures of the first match (the whole match when the pattern has no
 * captures; position captures as 1-based decimal strings), or null.
 */
export function luaMatch(s: string, pattern: string): string[] | null {
  const r = search(s, pattern);
  if (r === null) return null;
  const { m } = r;
  if (m.level === 0) return [s.slice(r.start, r.end)];
  const out: string[] = [];
  for (let i = 0; i < m.level; i++) {
    const { init, len } = m.captures[i]!;
    if (len === CAP_UNFINISHED) throw luaError('unfinished capture');
    out.push(len === CAP_POSITION ? String(init + 1) : s.slice(init, init + len));
  }
  return out;
}

/**
 * Lua `string.gsub(s, pattern, "")` for a pattern anchored with `^` (the only form the macros use
 * with a variable pattern): removes the match at the start of `s`, if any.
 */
export function luaStripPrefix(s: string, pattern: string): string {
  if (!pattern.startsWith('^')) throw new RepokitError('INVALID_ARGUMENT', 'luaStripPrefix: the pattern must start with ^');
  // gsub with a string replacement never looks at the captures (no "unfinished capture" error).
  const found = search(s, pattern);
  return found === null ? s : s.slice(found.end);
}
