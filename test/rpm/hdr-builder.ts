/**
 * Test-only builders for hand-made RPM headers and packages.
 *
 * Unlike the real encoder (src/rpm/encode.ts, region-less and always valid), these keep the index
 * order as given, can write a region (entry 0 + 16-byte trailer) and signature "dribbles", and
 * expose every position so a test can patch exactly one field to break exactly one rule.
 */
import { HEADER_MAGIC, LEAD_MAGIC, RpmType, TYPE_ALIGN } from '../../src/rpm/types.js';

export interface TestEntry {
  tag: number;
  type: number;
  /** STRING: string; STRING_ARRAY/I18NSTRING: string[]; CHAR..INT32: number[]; INT64: bigint[]; BIN: Uint8Array. */
  value?: string | string[] | number[] | bigint[] | Uint8Array;
  /** Data bytes written verbatim instead of `value` (no NUL added). */
  raw?: Uint8Array;
  /** Count written to the index (default: derived from the value, or raw.length for raw data). */
  count?: number;
}

export interface BuildOptions {
  /** Region tag for index entry 0 and the trailer (61, 62, 63), or null for a region-less header. Default 63. */
  region?: number | null;
  /** Entries after the region (signature-header "dribbles"); their data follows the trailer. */
  dribbles?: TestEntry[];
  /** Write the 8-byte header magic. Default true. */
  magic?: boolean;
}

export interface BuiltHeader {
  bytes: Uint8Array;
  il: number;
  dl: number;
  /** 16 with magic, 8 without. */
  introLen: number;
  /** Offset of the data section in `bytes`. */
  dataStart: number;
  /** Data offset of each index entry, in index order (region entry first). */
  offsets: number[];
  /** Data offset of the region trailer (-1 when region-less). */
  trailerOffset: number;
  /** Byte position of index entry `i` in `bytes`. */
  entryPos(i: number): number;
}

const utf8 = new TextEncoder();

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** Data bytes and count of one entry. */
export function encodeValue(e: TestEntry): { data: Uint8Array; count: number } {
  if (e.raw !== undefined) return { data: e.raw, count: e.count ?? e.raw.length };
  const v = e.value;
  const out: number[] = [];
  let count: number;
  switch (e.type) {
    case RpmType.STRING:
      out.push(...utf8.encode(v as string), 0);
      count = 1;
      break;
    case RpmType.STRING_ARRAY:
    case RpmType.I18NSTRING:
      for (const s of v as string[]) out.push(...utf8.encode(s), 0);
      count = (v as string[]).length;
      break;
    case RpmType.CHAR:
    case RpmType.INT8:
      for (const n of v as number[]) out.push(n & 0xff);
      count = (v as number[]).length;
      break;
    case RpmType.INT16:
      for (const n of v as number[]) out.push((n >>> 8) & 0xff, n & 0xff);
      count = (v as number[]).length;
      break;
    case RpmType.INT32:
      for (const n of v as number[]) out.push(...u32(n >>> 0));
      count = (v as number[]).length;
      break;
    case RpmType.INT64:
      for (const b of v as bigint[]) {
        const x = BigInt.asUintN(64, b);
        out.push(...u32(Number(x >> 32n)), ...u32(Number(x & 0xffffffffn)));
      }
      count = (v as bigint[]).length;
      break;
    case RpmType.BIN:
      out.push(...(v as Uint8Array));
      count = (v as Uint8Array).length;
      break;
    default:
      throw new Error(`hdr-builder: cannot encode type ${e.type} without raw data`);
  }
  return { data: Uint8Array.from(out), count: e.count ?? count };
}

/**
 * Build a header: optional region entry, `entries` in the given order packed with natural
 * alignment, the trailer (ril = 1 + entries.length), then the dribbles.
 */
export function buildHeader(entries: TestEntry[], options: BuildOptions = {}): BuiltHeader {
  const region = options.region === undefined ? 63 : options.region;
  const dribbles = options.dribbles ?? [];
  const magic = options.magic ?? true;
  if (region === null && dribbles.length > 0) throw new Error('hdr-builder: dribbles need a region');

  const index: { tag: number; type: number; offset: number; count: number }[] = [];
  const chunks: { at: number; data: Uint8Array }[] = [];
  let s = 0;
  const place = (e: TestEntry) => {
    const { data, count } = encodeValue(e);
    const align = TYPE_ALIGN[e.type] ?? 1;
    if (s % align !== 0) s += align - (s % align);
    index.push({ tag: e.tag, type: e.type, offset: s, count });
    chunks.push({ at: s, data });
    s += data.length;
  };

  let trailerOffset = -1;
  if (region !== null) index.push({ tag: region, type: RpmType.BIN, offset: 0, count: 16 });
  for (const e of entries) place(e);
  if (region !== null) {
    trailerOffset = s;
    index[0]!.offset = s;
    const ril = 1 + entries.length;
    chunks.push({ at: s, data: Uint8Array.from([...u32(region), ...u32(RpmType.BIN), ...u32(-16 * ril), ...u32(16)]) });
    s += 16;
  }
  for (const e of dribbles) place(e);

  const il = index.length;
  const dl = s;
  const introLen = magic ? 16 : 8;
  const dataStart = introLen + 16 * il;
  const bytes = new Uint8Array(dataStart + dl);
  if (magic) bytes.set(HEADER_MAGIC, 0);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(introLen - 8, il);
  dv.setUint32(introLen - 4, dl);
  index.forEach((e, i) => {
    const p = introLen + 16 * i;
    dv.setUint32(p, e.tag);
    dv.setUint32(p + 4, e.type);
    dv.setInt32(p + 8, e.offset);
    dv.setUint32(p + 12, e.count);
  });
  for (const c of chunks) bytes.set(c.data, dataStart + c.at);
  return {
    bytes,
    il,
    dl,
    introLen,
    dataStart,
    offsets: index.map((e) => e.offset),
    trailerOffset,
    entryPos: (i: number) => introLen + 16 * i,
  };
}

/** Just a header intro (magic, il, dl) with nothing after it. */
export function headerIntro(il: number, dl: number, magic = true): Uint8Array {
  const b = new Uint8Array(magic ? 16 : 8);
  if (magic) b.set(HEADER_MAGIC, 0);
  const dv = new DataView(b.buffer);
  dv.setUint32(b.length - 8, il >>> 0);
  dv.setUint32(b.length - 4, dl >>> 0);
  return b;
}

export function setU32(b: Uint8Array, pos: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(pos, v >>> 0);
}

export function setI32(b: Uint8Array, pos: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setInt32(pos, v);
}

/** Index entry field positions relative to the entry's start. */
export const FIELD = { tag: 0, type: 4, offset: 8, count: 12 } as const;

/** Patch one field of index entry `i`. */
export function patchEntry(h: BuiltHeader, i: number, field: keyof typeof FIELD, v: number): void {
  setI32(h.bytes, h.entryPos(i) + FIELD[field], v | 0);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface LeadOptions {
  major?: number;
  minor?: number;
  type?: number;
  archnum?: number;
  name?: string;
  osnum?: number;
  signatureType?: number;
}

export function buildLead(o: LeadOptions = {}): Uint8Array {
  const b = new Uint8Array(96);
  b.set(LEAD_MAGIC, 0);
  b[4] = o.major ?? 3;
  b[5] = o.minor ?? 0;
  const dv = new DataView(b.buffer);
  dv.setUint16(6, o.type ?? 0);
  dv.setUint16(8, o.archnum ?? 1);
  b.set(utf8.encode(o.name ?? 'test-1.0-1').subarray(0, 65), 10);
  dv.setUint16(76, o.osnum ?? 1);
  dv.setUint16(78, o.signatureType ?? 5);
  return b;
}

/** The main-header tags of a minimal binary package. */
export function minimalMainEntries(extra: TestEntry[] = []): TestEntry[] {
  const base: TestEntry[] = [
    { tag: 100, type: RpmType.STRING_ARRAY, value: ['C'] },
    { tag: 1000, type: RpmType.STRING, value: 'test' },
    { tag: 1001, type: RpmType.STRING, value: '1.0' },
    { tag: 1002, type: RpmType.STRING, value: '1' },
    { tag: 1004, type: RpmType.I18NSTRING, value: ['A test package'] },
    { tag: 1022, type: RpmType.STRING, value: 'noarch' },
    { tag: 1044, type: RpmType.STRING, value: 'test-1.0-1.src.rpm' },
    { tag: 1124, type: RpmType.STRING, value: 'cpio' },
  ];
  const byTag = new Map<number, TestEntry>();
  for (const e of [...base, ...extra]) byTag.set(e.tag, e);
  return [...byTag.values()].sort((a, b) => a.tag - b.tag);
}

export interface PackageOptions {
  lead?: LeadOptions;
  /** Main-header entries (default: minimalMainEntries()). */
  main?: TestEntry[];
  mainOptions?: BuildOptions;
  /** Extra signature entries; SIZE is added unless `size` is 'none'. */
  sig?: TestEntry[];
  sigOptions?: BuildOptions;
  /** SIZE (INT32 1000, default), LONGSIZE (INT64 270), none, or an explicit (wrong) SIZE value. */
  size?: 'size' | 'longsize' | 'none' | number;
  payload?: Uint8Array;
  /** Byte used for the signature padding (default 0). */
  padByte?: number;
}

export interface BuiltPackage {
  bytes: Uint8Array;
  sig: BuiltHeader;
  main: BuiltHeader;
  /** Signature padding length. */
  pad: number;
  /** Start of the main header. */
  H: number;
  /** Start of the payload. */
  P: number;
  payload: Uint8Array;
}

export function buildPackage(o: PackageOptions = {}): BuiltPackage {
  const main = buildHeader(o.main ?? minimalMainEntries(), o.mainOptions ?? { region: 63 });
  const payload = o.payload ?? utf8.encode('0707010000 pretend payload bytes');
  const covered = main.bytes.length + payload.length;
  const sigEntries = [...(o.sig ?? [])];
  const size = o.size ?? 'size';
  if (size === 'size') sigEntries.push({ tag: 1000, type: RpmType.INT32, value: [covered] });
  else if (size === 'longsize') sigEntries.push({ tag: 270, type: RpmType.INT64, value: [BigInt(covered)] });
  else if (typeof size === 'number') sigEntries.push({ tag: 1000, type: RpmType.INT32, value: [size] });
  sigEntries.sort((a, b) => a.tag - b.tag);
  const sig = buildHeader(sigEntries, o.sigOptions ?? { region: 62 });
  const pad = (8 - (sig.dl % 8)) % 8;
  const padBytes = new Uint8Array(pad).fill(o.padByte ?? 0);
  const bytes = concat(buildLead(o.lead), sig.bytes, padBytes, main.bytes, payload);
  const H = 96 + sig.bytes.length + pad;
  return { bytes, sig, main, pad, H, P: H + main.bytes.length, payload };
}
