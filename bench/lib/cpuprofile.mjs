/**
 * Summarise a V8 .cpuprofile (from `node --cpu-prof`): the hottest functions by self time and by
 * inclusive time, with bundle positions mapped back to src/ through dist/*.map.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const maps = new Map();

function sourceMapFor(url) {
  if (!maps.has(url)) {
    let sm = null;
    try {
      const file = url.startsWith('file:') ? fileURLToPath(url) : url;
      if (existsSync(`${file}.map`)) sm = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      sm = null;
    }
    maps.set(url, sm);
  }
  return maps.get(url);
}

function location(cf, root) {
  const { url, lineNumber, columnNumber } = cf;
  if (!url) return '(native)';
  const sm = sourceMapFor(url);
  const e = sm?.findEntry(lineNumber, columnNumber);
  if (e && e.originalSource) {
    const src = e.originalSource.startsWith('file:') ? fileURLToPath(e.originalSource) : e.originalSource;
    return `${relative(root, src).replace(/^(\.\.\/)+/, '')}:${e.originalLine + 1}`;
  }
  const file = url.startsWith('file:') ? relative(root, fileURLToPath(url)) : url;
  return `${file}:${lineNumber + 1}`;
}

/** Returns { totalMs, self: [{name, where, ms, pct}], inclusive: [...src/ functions] } (top `top` of each). */
export function summarizeCpuProfile(path, { root = process.cwd(), top = 15 } = {}) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const key = (n) => {
    const cf = n.callFrame;
    const name = cf.functionName || '(anonymous)';
    return `${name}\u0000${location(cf, root)}`;
  };
  const self = new Map();
  for (const [id, us] of selfUs) {
    const k = key(byId.get(id));
    self.set(k, (self.get(k) ?? 0) + us);
  }
  // Inclusive time: each sample counts once for every distinct function on its stack.
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  for (const [id, us] of selfUs) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur));
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + us);
    }
  }
  const list = (m) =>
    [...m]
      .filter(([k]) => !/^\((root|program|idle)\)/.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => {
        const [name, where] = k.split('\u0000');
        return { name, where, ms: us / 1000, pct: (100 * us) / totalUs };
      });
  // Inclusive time is only interesting for the library's own functions.
  const own = new Map([...incl].filter(([k]) => k.split('\u0000')[1].startsWith('src/')));
  return { totalMs: totalUs / 1000, self: list(self), inclusive: list(own) };
}
