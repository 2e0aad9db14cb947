/**
 * Digest verification and signature inventory (rpm.md §1.7).
 *
 * Header digests (SHA1, SHA256, SHA3-256) cover [H, P) and need only the headers. MD5 covers
 * [H, EOF) and the payload digests cover [P, EOF), so those read the rest of the input when asked.
 * OpenPGP signatures are listed (algorithm, key id), not verified.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { toHex } from '../shared/bytes.js';
import { driveAsync, driveSync, nodeBuiltin, openAsync, openSync, type ByteInput } from '../shared/input.js';
import { RpmPackage, finishRead, rpmReadSteps, type ReadRpmOptions } from './package.js';
import { hashAlgoName } from './tags.js';

/** An incremental hash: what node:crypto's Hash offers, so other implementations can be plugged in. */
export interface Hasher {
  /** Feed more bytes. */
  update(data: Uint8Array): unknown;
  /** The digest of everything fed so far (called once). */
  digest(): Uint8Array;
}
/** Makes a {@link Hasher} for an algorithm name as node:crypto spells it (`md5`, `sha1`, `sha256`, ...). */
export type HashFactory = (algorithm: string) => Hasher;

/** node:crypto's hashes, looked up when first needed. */
export const nodeHashFactory: HashFactory = (algorithm) => {
  const crypto = nodeBuiltin<typeof import('node:crypto')>('node:crypto');
  let h: import('node:crypto').Hash;
  try {
    h = crypto.createHash(algorithm);
  } catch (e) {
    throw new RepokitError('INVALID_ARGUMENT', `hash algorithm ${algorithm} is not available`, { cause: e });
  }
  return { update: (d) => h.update(d), digest: () => new Uint8Array(h.digest()) };
};

export interface DigestCheck {
  /** As `rpmkeys -Kv` names it, e.g. "Header SHA256 digest". */
  name: string;
  /** What it covers: the main header, header and payload, or the compressed payload. */
  covers: 'header' | 'header+payload' | 'payload';
  /** Which header stores it, and its tag there. */
  storedIn: 'signature' | 'main';
  tag: number;
  algorithm: string;
  expected: string;
  /** Computed digest; null when not computed (payload checks not requested, or algorithm unknown). */
  actual: string | null;
  /** true/false when computed, null when skipped. */
  ok: boolean | null;
  /** Byte range [start, end) the digest covers. */
  range: [number, number];
}

/** What one OpenPGP signature packet says about itself (nulls where it does not say, or is unreadable). */
export interface SignaturePacketInfo {
  /** OpenPGP signature packet version (3, 4 or 6) when the packet could be read. */
  version: number | null;
  publicKeyAlgorithm: string | null;
  hashAlgorithm: string | null;
  /** Issuer key id (16 hex digits) when present. */
  keyId: string | null;
  /** Issuer fingerprint (hex) when present. */
  fingerprint: string | null;
  /** Signature creation time (Unix seconds) when present. */
  created: number | null;
}

export interface RpmSignatureInfo extends SignaturePacketInfo {
  tag: number;
  /** RSA/DSA (v4 header signatures), PGP/GPG (v3 header+payload), OPENPGP (rpm 6). */
  kind: 'RSA' | 'DSA' | 'PGP' | 'GPG' | 'OPENPGP';
  covers: 'header' | 'header+payload';
  /** Like rpm's line: "Header V4 RSA/SHA256 Signature, key ID 1964c5fc". */
  description: string;
}

export interface RpmVerifyResult {
  package: RpmPackage;
  digests: DigestCheck[];
  signatures: RpmSignatureInfo[];
  /** All computed digests match (a package with no digests at all is not ok). */
  ok: boolean;
}

export interface VerifyRpmOptions extends ReadRpmOptions {
  /** Also check MD5 and the payload digests by reading the rest of the input. Default true. */
  payload?: boolean;
  hash?: HashFactory;
}

const HEADER_DIGESTS = [
  { tag: 273, algorithm: 'sha256', name: 'Header SHA256 digest' },
  { tag: 269, algorithm: 'sha1', name: 'Header SHA1 digest' },
  { tag: 279, algorithm: 'sha3-256', name: 'Header SHA3-256 digest' },
] as const;

/** Legacy signature tags >= 1000 are ignored in v6 signature headers (RESERVED + SHA3_256). */
function legacyIgnored(pkg: RpmPackage): boolean {
  return pkg.signature.has(999) && pkg.signature.has(279);
}

function hexDigest(pkg: RpmPackage, tag: number, what: string): string {
  const v = pkg.signature.getString(tag)!;
  // S2: valid hex of even length, at least 16 bytes.
  if (!/^[0-9a-fA-F]*$/.test(v) || v.length % 2 !== 0 || v.length < 32) {
    throw new RepokitError('RPM_BAD_SIGNATURE_TAG', `${what}: stored digest is not valid hex: ${JSON.stringify(v.slice(0, 80))}`, {
      offset: pkg.signature.base + pkg.signature.dataStart + pkg.signature.entry(tag)!.offset,
    });
  }
  return v.toLowerCase();
}

/** Header digests, computed from the header bytes alone. */
export function verifyHeaderDigests(pkg: RpmPackage, hash: HashFactory = nodeHashFactory): DigestCheck[] {
  const out: DigestCheck[] = [];
  const range: [number, number] = [pkg.offsets.header, pkg.offsets.payload];
  for (const d of HEADER_DIGESTS) {
    if (!pkg.signature.has(d.tag)) continue;
    const expected = hexDigest(pkg, d.tag, d.name);
    const h = hash(d.algorithm);
    h.update(pkg.header.bytes);
    const actual = toHex(h.digest());
    out.push({ name: d.name, covers: 'header', storedIn: 'signature', tag: d.tag, algorithm: d.algorithm, expected, actual, ok: actual === expected, range });
  }
  return out;
}

/**
 * Every digest a package carries, from the headers alone: header digests checked, MD5 and payload
 * digests listed with `ok: null` (checking those needs the rest of the file: use verifyRpm).
 */
export function rpmDigests(pkg: RpmPackage, hash: HashFactory = nodeHashFactory): DigestCheck[] {
  const { overHeader, overPayload } = payloadChecks(pkg, () => NO_HASH);
  return [...verifyHeaderDigests(pkg, hash), ...skipped(overHeader), ...skipped(overPayload)];
}

const NO_HASH: Hasher = { update: () => undefined, digest: () => new Uint8Array(0) };

interface PendingCheck {
  check: DigestCheck;
  hasher: Hasher | null;
}

/** Digests that need the payload: MD5 over [H, EOF) and compressed-payload digests over [P, EOF). */
function payloadChecks(pkg: RpmPackage, hash: HashFactory): { overHeader: PendingCheck[]; overPayload: PendingCheck[] } {
  const overHeader: PendingCheck[] = [];
  const overPayload: PendingCheck[] = [];
  const end = pkg.offsets.fileSize ?? -1;
  if (pkg.signature.has(1004) && !legacyIgnored(pkg)) {
    const md5 = pkg.signature.getBinary(1004)!;
    overHeader.push({
      check: { name: 'MD5 digest', covers: 'header+payload', storedIn: 'signature', tag: 1004, algorithm: 'md5', expected: toHex(md5), actual: null, ok: null, range: [pkg.offsets.header, end] },
      hasher: hash('md5'),
    });
  }
  const h = pkg.header;
  const payloadDigest = (tag: number, algoId: number, name: string) => {
    const v = h.getString(tag);
    if (v === undefined) return;
    const algorithm = hashAlgoName(algoId) ?? `algo-${algoId}`;
    let hasher: Hasher | null = null;
    try {
      hasher = hash(algorithm);
    } catch (e) {
      if (!isRepokitError(e)) throw e;
    }
    overPayload.push({
      check: { name, covers: 'payload', storedIn: 'main', tag, algorithm, expected: v.toLowerCase(), actual: null, ok: null, range: [pkg.offsets.payload, end] },
      hasher,
    });
  };
  // PAYLOADSHA256 (5092, historically PAYLOADDIGEST) uses PAYLOADSHA256ALGO (5093), default SHA256.
  const algo = h.getNumber(5093) ?? 8;
  payloadDigest(5092, algo, `Payload ${(hashAlgoName(algo) ?? `algo-${algo}`).toUpperCase()} digest`);
  payloadDigest(5121, 10, 'Payload SHA512 digest');
  payloadDigest(5123, 12, 'Payload SHA3-256 digest');
  // The ALT digests cover the uncompressed payload; without a compressor that is the same byte
  // range, so they can be checked without decompressing (rpm does the same).
  const compressor = h.getString(1125);
  if (compressor === undefined || compressor === 'identity') {
    payloadDigest(5097, algo, `Payload ${(hashAlgoName(algo) ?? `algo-${algo}`).toUpperCase()} ALT digest`);
    payloadDigest(5122, 10, 'Payload SHA512 ALT digest');
    payloadDigest(5124, 12, 'Payload SHA3-256 ALT digest');
  }
  return { overHeader, overPayload };
}

function settle(p: PendingCheck[], end: number): DigestCheck[] {
  return p.map(({ check, hasher }) => {
    check.range[1] = end;
    if (!hasher) return check;
    check.actual = toHex(hasher.digest());
    check.ok = check.actual === check.expected;
    return check;
  });
}

function result(pkg: RpmPackage, digests: DigestCheck[]): RpmVerifyResult {
  const computed = digests.filter((d) => d.ok !== null);
  return {
    package: pkg,
    digests,
    signatures: rpmSignatures(pkg),
    ok: computed.length > 0 && computed.every((d) => d.ok),
  };
}

function skipped(p: PendingCheck[]): DigestCheck[] {
  return p.map(({ check }) => check);
}

/** The file-wide digests of one package, fed with every byte from H to the end of the input. */
class FileDigests {
  readonly #pkg: RpmPackage;
  readonly #header: DigestCheck[];
  readonly #overHeader: PendingCheck[];
  readonly #overPayload: PendingCheck[];

  constructor(pkg: RpmPackage, hash: HashFactory) {
    this.#pkg = pkg;
    this.#header = verifyHeaderDigests(pkg, hash);
    const { overHeader, overPayload } = payloadChecks(pkg, hash);
    this.#overHeader = overHeader;
    this.#overPayload = overPayload;
    for (const c of overHeader) c.hasher?.update(pkg.header.bytes);
  }

  /** Feed the bytes after the main header (the payload), in order. */
  readonly update = (chunk: Uint8Array): void => {
    for (const c of this.#overHeader) c.hasher?.update(chunk);
    for (const c of this.#overPayload) c.hasher?.update(chunk);
  };

  finish(end: number, profile: VerifyRpmOptions['profile']): RpmVerifyResult {
    finishRead(this.#pkg, end, profile);
    return result(this.#pkg, [...this.#header, ...settle(this.#overHeader, end), ...settle(this.#overPayload, end)]);
  }
}

/**
 * Read a package and check its digests. Header digests always; with `payload` (default true) also
 * MD5 and the payload digests, reading the input to its end.
 */
export async function verifyRpm(input: ByteInput, options: VerifyRpmOptions = {}): Promise<RpmVerifyResult> {
  const hash = options.hash ?? nodeHashFactory;
  const src = await openAsync(input);
  try {
    const pkg = await driveAsync(rpmReadSteps(options), src);
    if (options.payload === false) {
      finishRead(pkg, src.knownSize ? await src.knownSize() : src.size, options.profile);
      return result(pkg, rpmDigests(pkg, hash));
    }
    const digests = new FileDigests(pkg, hash);
    await src.drain(digests.update);
    return digests.finish(src.position, options.profile);
  } catch (e) {
    if (src.name !== undefined && isRepokitError(e)) e.withFile(src.name);
    throw e;
  } finally {
    await src.close();
  }
}

/** verifyRpm for a path or buffer, synchronously. */
export function verifyRpmSync(input: string | URL | Uint8Array | ArrayBuffer, options: VerifyRpmOptions = {}): RpmVerifyResult {
  const hash = options.hash ?? nodeHashFactory;
  const src = openSync(input);
  try {
    const pkg = driveSync(rpmReadSteps(options), src);
    if (options.payload === false) {
      finishRead(pkg, src.size, options.profile);
      return result(pkg, rpmDigests(pkg, hash));
    }
    const digests = new FileDigests(pkg, hash);
    src.drain(digests.update);
    return digests.finish(src.position, options.profile);
  } catch (e) {
    if (src.name !== undefined && isRepokitError(e)) e.withFile(src.name);
    throw e;
  } finally {
    src.close();
  }
}

// --- Signatures -----------------------------------------------------------------------------

const PUBKEY_ALGOS: Readonly<Record<number, string>> = {
  1: 'RSA',
  2: 'RSA',
  3: 'RSA',
  16: 'ElGamal',
  17: 'DSA',
  18: 'ECDH',
  19: 'ECDSA',
  22: 'EdDSA',
  25: 'X25519',
  26: 'X448',
  27: 'Ed25519',
  28: 'Ed448',
  30: 'ML-DSA-65+Ed25519',
  31: 'ML-DSA-87+Ed448',
};

const EMPTY_PACKET: SignaturePacketInfo = { version: null, publicKeyAlgorithm: null, hashAlgorithm: null, keyId: null, fingerprint: null, created: null };

/**
 * Read the fields rpm reports from one OpenPGP signature packet (RFC 4880/9580 framing).
 * Bounded and total: malformed packets give nulls, never an exception.
 */
export function describeSignaturePacket(b: Uint8Array): SignaturePacketInfo {
  if (b.length < 2 || (b[0]! & 0x80) === 0) return EMPTY_PACKET;
  let p: number;
  let len: number;
  let tag: number;
  if (b[0]! & 0x40) {
    // New-format packet header.
    tag = b[0]! & 0x3f;
    const o = b[1]!;
    if (o < 192) [len, p] = [o, 2];
    else if (o < 224) [len, p] = [((o - 192) << 8) + (b[2] ?? 0) + 192, 3];
    else if (o === 255) [len, p] = [((b[2] ?? 0) * 2 ** 24) + ((b[3] ?? 0) << 16) + ((b[4] ?? 0) << 8) + (b[5] ?? 0), 6];
    else return EMPTY_PACKET;
  } else {
    tag = (b[0]! >> 2) & 0x0f;
    const lt = b[0]! & 3;
    if (lt === 0) [len, p] = [b[1]!, 2];
    else if (lt === 1) [len, p] = [((b[1] ?? 0) << 8) | (b[2] ?? 0), 3];
    else if (lt === 2) [len, p] = [((b[1] ?? 0) * 2 ** 24) + ((b[2] ?? 0) << 16) + ((b[3] ?? 0) << 8) + (b[4] ?? 0), 5];
    else [len, p] = [b.length - 1, 1];
  }
  if (tag !== 2) return EMPTY_PACKET;
  const end = Math.min(b.length, p + len);
  const at = (i: number) => (i < end ? b[i]! : 0);
  const version = at(p);
  const info: SignaturePacketInfo = { ...EMPTY_PACKET, version };
  if (version === 3) {
    if (p + 19 > end) return info;
    info.created = ((at(p + 3) * 2 ** 24) + (at(p + 4) << 16) + (at(p + 5) << 8) + at(p + 6));
    info.keyId = toHex(b.subarray(p + 7, p + 15));
    info.publicKeyAlgorithm = PUBKEY_ALGOS[at(p + 15)] ?? `algo-${at(p + 15)}`;
    info.hashAlgorithm = hashAlgoName(at(p + 16)) ?? `algo-${at(p + 16)}`;
    return info;
  }
  if (version !== 4 && version !== 5 && version !== 6) return info;
  info.publicKeyAlgorithm = PUBKEY_ALGOS[at(p + 2)] ?? `algo-${at(p + 2)}`;
  info.hashAlgorithm = hashAlgoName(at(p + 3)) ?? `algo-${at(p + 3)}`;
  const wide = version !== 4; // v5/v6 use 4-byte subpacket area lengths
  let q = p + 4;
  for (let area = 0; area < 2 && q < end; area++) {
    const areaLen = wide ? (at(q) * 2 ** 24) + (at(q + 1) << 16) + (at(q + 2) << 8) + at(q + 3) : (at(q) << 8) | at(q + 1);
    q += wide ? 4 : 2;
    const areaEnd = Math.min(end, q + areaLen);
    while (q < areaEnd) {
      let sl = at(q);
      let h = 1;
      if (sl >= 192 && sl < 255) [sl, h] = [((sl - 192) << 8) + at(q + 1) + 192, 2];
      else if (sl === 255) [sl, h] = [(at(q + 1) * 2 ** 24) + (at(q + 2) << 16) + (at(q + 3) << 8) + at(q + 4), 5];
      const st = at(q + h) & 0x7f;
      const body = q + h + 1;
      const bodyEnd = Math.min(areaEnd, q + h + sl);
      if (sl < 1 || bodyEnd <= q) break;
      if (st === 2 && bodyEnd - body >= 4) info.created = (at(body) * 2 ** 24) + (at(body + 1) << 16) + (at(body + 2) << 8) + at(body + 3);
      if (st === 16 && bodyEnd - body >= 8) info.keyId = toHex(b.subarray(body, body + 8));
      if (st === 33 && bodyEnd - body >= 2) {
        info.fingerprint = toHex(b.subarray(body + 1, bodyEnd));
        if (info.keyId === null) {
          // v4 key id = last 8 bytes of the fingerprint, v6 = first 8.
          info.keyId = at(body) === 4 ? toHex(b.subarray(bodyEnd - 8, bodyEnd)) : toHex(b.subarray(body + 1, body + 9));
        }
      }
      q = q + h + sl;
    }
    q = areaEnd;
  }
  return info;
}

function base64ToBytes(s: string): Uint8Array | null {
  const clean = s.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) return null;
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function describe(kind: RpmSignatureInfo['kind'], covers: RpmSignatureInfo['covers'], tag: number, info: SignaturePacketInfo): RpmSignatureInfo {
  // rpm prints header-only signatures with a "Header" prefix and header+payload ones without.
  const where = covers === 'header' ? 'Header ' : '';
  const v = info.version === null ? '' : `V${info.version}`;
  const alg = info.publicKeyAlgorithm && info.hashAlgorithm ? ` ${info.publicKeyAlgorithm}/${info.hashAlgorithm.toUpperCase()}` : '';
  const kid = info.keyId ? `, key ID ${info.keyId.slice(-8)}` : '';
  return { tag, kind, covers, ...info, description: `${where}${v}${alg} Signature${kid}`.replace(/^ /, '') };
}

/** Which signatures the package carries, with what the packets say about themselves. */
export function rpmSignatures(pkg: RpmPackage): RpmSignatureInfo[] {
  const sig = pkg.signature;
  const out: RpmSignatureInfo[] = [];
  const ignoreLegacy = legacyIgnored(pkg);
  for (const [tag, kind, covers] of [
    [268, 'RSA', 'header'],
    [267, 'DSA', 'header'],
    [1002, 'PGP', 'header+payload'],
    [1005, 'GPG', 'header+payload'],
  ] as const) {
    if (!sig.has(tag) || (ignoreLegacy && tag >= 1000)) continue;
    out.push(describe(kind, covers, tag, describeSignaturePacket(sig.getBinary(tag)!)));
  }
  if (sig.has(278)) {
    for (const s of sig.getStringArray(278)!) {
      const bytes = base64ToBytes(s);
      out.push(describe('OPENPGP', 'header', 278, bytes ? describeSignaturePacket(bytes) : EMPTY_PACKET));
    }
  }
  return out;
}
