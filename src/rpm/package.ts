/**
 * Reading `.rpm` package files: lead, signature header, padding, main header (rpm.md §1-2).
 *
 * The reader is a step machine that asks its source for exact byte counts, so the same code
 * reads a buffer (no copies), a file (three positioned reads) or a stream, and never touches
 * the payload.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { ByteReader, bytesEqual } from '../shared/bytes.js';
import {
  BufferSource,
  driveAsync,
  driveSync,
  openAsync,
  openSync,
  type ByteInput,
  type Need,
} from '../shared/input.js';
import { LEAD_MAGIC, LEAD_SIZE } from './types.js';
import { Header, checkHeaderIntro, parseHeader, type HeaderLimits, type RpmProfile } from './header.js';

export interface RpmLead {
  major: number;
  minor: number;
  /** 0 = binary, 1 = source (legacy; use RpmPackage.isSource). */
  type: number;
  archnum: number;
  /** NUL-padded N-V-R, informational only. */
  name: string;
  osnum: number;
  signatureType: number;
}

/** Byte positions in the file (rpm.md §1.1, §1.7). */
export interface RpmOffsets {
  /** Start of the signature header (always 96). */
  signature: number;
  /** Zero bytes between the signature header and the main header. */
  signaturePadding: number;
  /** H: start of the main header; header digests cover [header, payload). */
  header: number;
  /** P: end of the main header and start of the payload. */
  payload: number;
  /** File size when the input's size is known. MD5/SIZE cover [header, fileSize). */
  fileSize: number | undefined;
}

export interface ReadRpmOptions {
  /** `rpm` (default): accept what rpm accepts. `strict`: rpm.md §2.8's extra checks. */
  profile?: RpmProfile;
  /** Lower the header size limits (they can never exceed rpm's). */
  limits?: { signature?: Partial<HeaderLimits>; header?: Partial<HeaderLimits> };
}

/** A read package: lead, signature header and main header, offsets and warnings (see {@link readRpm}). */
export class RpmPackage {
  readonly lead: RpmLead;
  readonly signature: Header;
  readonly header: Header;
  readonly offsets: RpmOffsets;
  /** Non-fatal findings (legacy layout, duplicate tags, lead oddities). */
  readonly warnings: readonly string[];

  constructor(lead: RpmLead, signature: Header, header: Header, offsets: RpmOffsets, warnings: string[]) {
    this.lead = lead;
    this.signature = signature;
    this.header = header;
    this.offsets = offsets;
    this.warnings = warnings;
  }

  /** Package format: 6 (RPMFORMAT 6), 4 (main header with a region) or 3 (legacy, no region). */
  get format(): 3 | 4 | 6 {
    if (this.header.getNumber(5114) === 6) return 6;
    return this.header.region ? 4 : 3;
  }

  /** Source package: SOURCEPACKAGE present, or SOURCERPM absent (rpm's headerIsSource). */
  get isSource(): boolean {
    return this.header.has(1106) || !this.header.has(1044);
  }

  /** The main header's bytes [H, P), which the header digests and signatures cover. */
  get headerBytes(): Uint8Array {
    return this.header.bytes;
  }
}

/** The 96-byte lead: only its magic is checked (`RPM_BAD_LEAD`); oddities are pushed to `warnings`. */
export function parseLead(b: Uint8Array, warnings?: string[]): RpmLead {
  if (b.length < LEAD_SIZE || !bytesEqual(b.subarray(0, 4), LEAD_MAGIC)) {
    throw new RepokitError(
      'RPM_BAD_LEAD',
      b.length < LEAD_SIZE ? `not an rpm package: only ${b.length} bytes, a lead needs 96` : 'not an rpm package: bad lead magic',
      { offset: 0 },
    );
  }
  const r = new ByteReader(b);
  r.skip(4, 'lead magic');
  const lead: RpmLead = {
    major: r.u8('lead major'),
    minor: r.u8('lead minor'),
    type: r.u16('lead type'),
    archnum: r.u16('lead archnum'),
    name: r.paddedString(66, 'lead name'),
    osnum: r.u16('lead osnum'),
    signatureType: r.u16('lead signature type'),
  };
  // rpm >= 4.19.1 checks only the magic; older rpm rejected these, so keep them as warnings.
  if (lead.major !== 3 && lead.major !== 4) warnings?.push(`lead: unusual major version ${lead.major}`);
  if (lead.signatureType !== 5) warnings?.push(`lead: unusual signature type ${lead.signatureType}`);
  return lead;
}

function need(n: number, keep = 0): Need {
  return { n, keep };
}

function short(got: Uint8Array, want: number, what: string, at: number): RepokitError {
  return new RepokitError('TRUNCATED', `${what}: needs ${want} bytes, the input has ${got.length}`, { offset: at + got.length });
}

/** The read sequence as a generator of pull requests; fileSize is filled in by the caller. */
export function* rpmReadSteps(options: ReadRpmOptions = {}): Generator<Need, RpmPackage, Uint8Array> {
  const warnings: string[] = [];
  const profile = options.profile ?? 'rpm';
  if (profile !== 'rpm' && profile !== 'strict') {
    throw new RepokitError('INVALID_ARGUMENT', `profile must be 'rpm' or 'strict', not ${JSON.stringify(profile)}`);
  }
  // Three exact reads: lead + signature intro; signature body + padding + main intro; main body.
  // Each header's intro is checked against the limits before its body is requested.
  const first = yield need(LEAD_SIZE + 16);
  const lead = parseLead(first, warnings);
  const sigOpts = { kind: 'signature' as const, base: LEAD_SIZE, limits: options.limits?.signature ?? {} };
  const sigIntro = first.subarray(LEAD_SIZE);
  if (sigIntro.length < 16) throw short(sigIntro, 16, 'signature header', LEAD_SIZE);
  const sig = checkHeaderIntro(sigIntro, sigOpts);
  const pad = (8 - (sig.dl % 8)) % 8;
  const sigEnd = LEAD_SIZE + sig.total;
  const H = sigEnd + pad;

  const second = yield need(sig.total - 16 + pad + 16, 16);
  if (second.length < sig.total) throw short(second, sig.total, 'signature header', LEAD_SIZE);
  const signature = parseHeader(second.subarray(0, sig.total), { ...sigOpts, profile, warnings });
  // Padding to 8 bytes (P3): rpm reads and ignores it; strict requires zeros.
  const padBytes = second.subarray(sig.total, sig.total + pad);
  if (padBytes.length < pad) throw short(padBytes, pad, 'signature padding', sigEnd);
  if (profile === 'strict' && padBytes.some((x) => x !== 0)) {
    throw new RepokitError('RPM_BAD_PADDING', 'signature header padding is not zero', { offset: sigEnd });
  }

  const mainOpts = { kind: 'main' as const, base: H, limits: options.limits?.header ?? {} };
  const mainIntro = second.subarray(sig.total + pad);
  if (mainIntro.length < 16) throw short(mainIntro, 16, 'main header', H);
  const main = checkHeaderIntro(mainIntro, mainOpts);
  const mainBytes = yield need(main.total - 16, 16);
  if (mainBytes.length < main.total) throw short(mainBytes, main.total, 'main header', H);
  const header = parseHeader(mainBytes, { ...mainOpts, profile, warnings });

  const offsets: RpmOffsets = {
    signature: LEAD_SIZE,
    signaturePadding: pad,
    header: H,
    payload: H + main.total,
    fileSize: undefined,
  };
  return new RpmPackage(lead, signature, header, offsets, warnings);
}

/** @internal Record the file size and cross-check it with SIZE/LONGSIZE (P5). */
export function finishRead(pkg: RpmPackage, size: number | undefined, profile: RpmProfile | undefined): RpmPackage {
  pkg.offsets.fileSize = size;
  if (size !== undefined) {
    // P5: SIZE/LONGSIZE cover [H, EOF). rpm notices a mismatch only through MD5; strict rejects it.
    // In v6 signature headers (RESERVED + SHA3_256) rpm ignores legacy tags >= 1000, SIZE included.
    const sig = pkg.signature;
    const v6 = sig.has(999) && sig.has(279);
    const declared =
      sig.entry(270)?.type === 5
        ? Number(sig.getBigInts(270)![0])
        : !v6 && sig.entry(1000)?.type === 4
          ? sig.getNumber(1000)
          : undefined;
    if (declared !== undefined && declared !== size - pkg.offsets.header) {
      const msg = `signature ${pkg.signature.has(270) ? 'LONGSIZE' : 'SIZE'} says ${declared} bytes of header and payload, the file has ${size - pkg.offsets.header}`;
      if (profile === 'strict') throw new RepokitError('RPM_SIZE_MISMATCH', msg, { offset: pkg.offsets.header });
      (pkg.warnings as string[]).push(msg);
    }
  }
  return pkg;
}

function withFile<T>(fn: () => T, file: string | undefined): T {
  try {
    return fn();
  } catch (e) {
    if (file !== undefined && isRepokitError(e)) e.withFile(file);
    throw e;
  }
}

/**
 * Parse a package held in memory. Only the header bytes are examined; the payload is not
 * decompressed or checked (see verifyRpm for digests).
 */
export function parseRpm(bytes: Uint8Array, options: ReadRpmOptions = {}): RpmPackage {
  const pkg = driveSync(rpmReadSteps(options), new BufferSource(bytes));
  return finishRead(pkg, bytes.length, options.profile);
}

/** Read a package from a path or buffer synchronously, reading only the header bytes of a file. */
export function readRpmSync(input: string | URL | Uint8Array | ArrayBuffer, options: ReadRpmOptions = {}): RpmPackage {
  const src = openSync(input);
  return withFile(() => {
    try {
      return finishRead(driveSync(rpmReadSteps(options), src), src.size, options.profile);
    } finally {
      src.close();
    }
  }, src.name);
}

/**
 * Read a package from a path, URL, buffer, Node Readable or web ReadableStream. Only the header
 * bytes are read: from a file, by positioned reads; from a Node stream, bytes read past the main
 * header are pushed back, so the stream is left at the start of the payload.
 */
export async function readRpm(input: ByteInput, options: ReadRpmOptions = {}): Promise<RpmPackage> {
  const src = await openAsync(input);
  let pkg: RpmPackage;
  try {
    pkg = await driveAsync(rpmReadSteps(options), src);
  } catch (e) {
    if (src.name !== undefined && isRepokitError(e)) e.withFile(src.name);
    throw e;
  } finally {
    await src.close();
  }
  const size = src.knownSize ? await src.knownSize() : src.size;
  return withFile(() => finishRead(pkg, size, options.profile), src.name);
}
