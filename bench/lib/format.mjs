/** Formatting for benchmark output: numbers, durations, memory, and a plain-text table. */

export const fmtInt = (n) => Math.round(n).toLocaleString('en-US');

export function fmtMs(ms) {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export const fmtMiB = (kib) => `${(kib / 1024).toFixed(0)} MiB`;

export function fmtRate(perSecond) {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k/s`;
  return `${perSecond.toFixed(0)}/s`;
}

/** A table with a header row; columns are left-aligned except those listed in `right`. */
export function table(header, rows, { right = [] } = {}) {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c] ?? '').length)));
  const line = (r) =>
    r
      .map((cell, c) => {
        const s = String(cell ?? '');
        return right.includes(c) ? s.padStart(widths[c]) : s.padEnd(widths[c]);
      })
      .join(' | ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(header), sep, ...rows.map(line)].join('\n');
}
