/**
 * Output helpers for the CLI: JSON that survives bigints and byte arrays, the error forms, and
 * small text-formatting utilities for the human-readable output.
 */
import { isRepokitError, type RepokitError } from '../shared/errors.js';

/** Where the CLI writes; tests and embedding code can pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** JSON.stringify replacer: bigint -> decimal string, Uint8Array -> lowercase hex. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  return value;
}

/** Pretty JSON with a trailing newline. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, jsonReplacer, 2)}\n`;
}

/** The `{"code","message","file","offset"}` object printed for a data error with `--json`. */
export interface JsonError {
  code: string;
  message: string;
  file: string | null;
  offset: number | null;
}

export function errorToJson(e: RepokitError): JsonError {
  return { code: e.code, message: e.detail, file: e.file ?? null, offset: e.offset ?? null };
}

/** The one stderr line for a data error: `repokit: <file>: <message> (at byte N)`. */
export function errorLine(e: RepokitError, file?: string): string {
  if (file !== undefined) e.withFile(file);
  return `repokit: ${visible(oneLine(e.message))}`;
}

export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

export { isRepokitError };

/** 1234567 -> "1.2 MiB (1234567 bytes)". */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]} (${n} bytes)`;
}

/** Unix seconds -> "2023-11-14 22:13:20 UTC". */
export function formatTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return String(seconds);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Cut a string to `max` characters (counting code points), marking the cut with "…". */
export function truncate(s: string, max: number): string {
  if (max <= 0) return s;
  const cps = [...s];
  return cps.length <= max ? s : `${cps.slice(0, max - 1).join('')}…`;
}

/** Show control characters (newlines, tabs, escapes) visibly so one value stays on one line. */
export function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const n = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** "3 files" / "1 file". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
