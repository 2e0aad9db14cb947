/**
 * Package signatures of XBPS repositories: `<pkg>.xbps.sig2` (xbps ≥ 0.60, RSASSA-PKCS1-v1_5 with
 * SHA-256 over the whole package) and the legacy `<pkg>.xbps.sig` (0.28–0.59), whose PKCS#1
 * DigestInfo names SHA-1 but carries the 32-byte SHA-256 of the package. Standard verifiers reject
 * the legacy form, so both are checked here by recovering the DigestInfo with the public key and
 * comparing it whole (which is what PKCS#1 v1.5 verification is). Working from the digest means a
 * signature can be checked against a repodata entry's `filename-sha256` without the package.
 *
 * node:crypto is reached at call time (see input.ts), so importing this module costs nothing in
 * runtimes without it.
 */
import { bytesEqual, concatBytes, fromHex, toHex } from '../shared/bytes.js';
import { RepokitError } from '../shared/errors.js';
import { nodeBuiltin } from '../shared/input.js';

type NodeCrypto = typeof import('node:crypto');

/** `.sig2` (SHA-256 DigestInfo) or legacy `.sig` (SHA-1 OID with a SHA-256 digest). */
export type XbpsSignatureKind = 'sig2' | 'sig';

/** DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1). */
const SHA256_DIGESTINFO = fromHex('3031300d060960864801650304020105000420');
/** The legacy prefix: `SEQUENCE { SEQUENCE { OID 1.3.14.3.2.26 (sha1), NULL }, OCTET STRING(32) }`. */
const LEGACY_DIGESTINFO = fromHex('302d300906052b0e03021a05000420');

/** Something a signature can be checked against: the package's SHA-256 (hex or bytes), or an object carrying it. */
export type XbpsDigestSource = string | Uint8Array | { readonly sha256: string | Uint8Array };

/** Result of {@link verifySignature}. */
export interface XbpsSignatureCheck {
  /** True when the signature is valid for the digest and key. */
  ok: boolean;
  /** Which form matched; for a failed check, the form that was expected (or tried first). */
  kind: XbpsSignatureKind;
  /** Why the check failed (empty when ok). */
  problem: string;
}

/** Options of {@link verifySignature}. */
export interface VerifySignatureOptions {
  /** Accept only this form (default: either; `.sig2` files should be checked with 'sig2'). */
  kind?: XbpsSignatureKind;
}

function crypto(): NodeCrypto {
  return nodeBuiltin<NodeCrypto>('node:crypto');
}

/** The 32-byte SHA-256 from any {@link XbpsDigestSource}. */
export function digestOf(source: XbpsDigestSource): Uint8Array {
  const d = typeof source === 'string' || source instanceof Uint8Array ? source : source.sha256;
  const bytes = typeof d === 'string' ? (/^[0-9a-fA-F]{64}$/.test(d) ? fromHex(d) : undefined) : d;
  if (bytes === undefined || bytes.length !== 32) {
    throw new RepokitError('INVALID_ARGUMENT', 'a package SHA-256 must be 32 bytes or 64 hex digits');
  }
  return bytes;
}

/**
 * A PEM string, PEM bytes (as stored in index-meta.plist's `public-key`), or an object holding
 * `publicKey`, such as a repodata's `meta` (XBPS_BAD_META when it has none).
 */
export type XbpsKeyInput = string | Uint8Array | { readonly publicKey?: Uint8Array | undefined };

function pemText(key: XbpsKeyInput): string {
  const k = typeof key === 'string' || key instanceof Uint8Array ? key : key.publicKey;
  if (k === undefined) throw new RepokitError('XBPS_BAD_META', 'the repository meta has no public-key');
  return typeof k === 'string' ? k : new TextDecoder().decode(k);
}

function publicKeyObject(key: XbpsKeyInput): import('node:crypto').KeyObject {
  const c = crypto();
  const text = pemText(key);
  try {
    const k = c.createPublicKey(text);
    if (k.asymmetricKeyType !== 'rsa') throw new Error(`a ${String(k.asymmetricKeyType)} key, not RSA`);
    return k;
  } catch (e) {
    throw new RepokitError('XBPS_BAD_KEY', `not an RSA public key: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function privateKeyObject(key: string | Uint8Array, passphrase: string | undefined): import('node:crypto').KeyObject {
  const c = crypto();
  try {
    const pem = typeof key === 'string' ? key : new TextDecoder().decode(key);
    const k = c.createPrivateKey(passphrase === undefined ? pem : { key: pem, passphrase });
    if (k.asymmetricKeyType !== 'rsa') throw new Error(`a ${String(k.asymmetricKeyType)} key, not RSA`);
    return k;
  } catch (e) {
    throw new RepokitError('XBPS_BAD_KEY', `not a usable RSA private key: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * Check a package signature (`.sig2` or legacy `.sig` bytes) against the package's SHA-256 and the
 * repository's RSA public key. Returns a result rather than throwing for a bad signature; throws
 * XBPS_BAD_KEY when the key is not an RSA public key.
 *
 * ```ts
 * verifySignature(pkg, sig2Bytes, pemText) // pkg from readXbpsPackage(), or a filename-sha256
 * ```
 */
export function verifySignature(
  pkg: XbpsDigestSource,
  signature: Uint8Array,
  publicKey: XbpsKeyInput,
  options: VerifySignatureOptions = {},
): XbpsSignatureCheck {
  const digest = digestOf(pkg);
  const key = publicKeyObject(publicKey);
  const expectKind: XbpsSignatureKind = options.kind ?? 'sig2';
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (signature.length !== modulusBytes) {
    return { ok: false, kind: expectKind, problem: `signature is ${signature.length} bytes, the ${modulusBytes * 8}-bit key needs ${modulusBytes}` };
  }
  let recovered: Uint8Array;
  try {
    recovered = crypto().publicDecrypt({ key, padding: crypto().constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return { ok: false, kind: expectKind, problem: 'not a PKCS#1 v1.5 signature made with this key' };
  }
  for (const [kind, prefix] of [['sig2', SHA256_DIGESTINFO], ['sig', LEGACY_DIGESTINFO]] as const) {
    if (options.kind !== undefined && options.kind !== kind) continue;
    if (bytesEqual(recovered, concatBytes([prefix, digest]))) return { ok: true, kind, problem: '' };
  }
  const tail = recovered.length >= 32 ? toHex(recovered.subarray(recovered.length - 32)) : '';
  const sameDigest = tail === toHex(digest);
  return {
    ok: false,
    kind: expectKind,
    problem: sameDigest
      ? `the digest matches but the DigestInfo prefix is not the ${expectKind === 'sig2' ? 'SHA-256' : 'legacy SHA-1-OID'} one`
      : 'the signature was made for other contents (digest mismatch)',
  };
}

/** Options of {@link signPackage}. */
export interface SignPackageOptions {
  /** 'sig2' (default, what xbps-rindex -S writes) or the legacy 'sig' form for xbps ≤ 0.59 clients. */
  kind?: XbpsSignatureKind;
  /** Passphrase of an encrypted PEM key (xbps-rindex reads XBPS_PASSPHRASE). */
  passphrase?: string;
}

/**
 * Sign a package by its SHA-256 with an RSA private key (PEM), giving the bytes of its `.sig2`
 * (equal to `crypto.sign('sha256', packageBytes, key)`, since PKCS#1 v1.5 is deterministic) or,
 * with `kind: 'sig'`, of a legacy `.sig`.
 */
export function signPackage(pkg: XbpsDigestSource, privateKeyPem: string | Uint8Array, options: SignPackageOptions = {}): Uint8Array {
  const digest = digestOf(pkg);
  const key = privateKeyObject(privateKeyPem, options.passphrase);
  const prefix = (options.kind ?? 'sig2') === 'sig2' ? SHA256_DIGESTINFO : LEGACY_DIGESTINFO;
  const c = crypto();
  const sig = c.privateEncrypt({ key, padding: c.constants.RSA_PKCS1_PADDING }, concatBytes([prefix, digest]));
  return new Uint8Array(sig.buffer, sig.byteOffset, sig.length);
}

/** The public half of a signing key, in the form xbps-rindex --sign stores in index-meta.plist. */
export interface XbpsPublicKeyInfo {
  /** PEM text (SubjectPublicKeyInfo, `-----BEGIN PUBLIC KEY-----`), as bytes: index-meta's `public-key`. */
  publicKey: Uint8Array;
  /** Modulus size in bits: index-meta's `public-key-size`. */
  publicKeySize: number;
}

/** The PEM public key and its size in bits for an RSA private or public key (PEM). */
export function publicKeyInfo(key: string | Uint8Array, passphrase?: string): XbpsPublicKeyInfo {
  const c = crypto();
  const text = typeof key === 'string' ? key : new TextDecoder().decode(key);
  const obj = /PRIVATE KEY-----/.test(text) ? c.createPublicKey(privateKeyObject(text, passphrase)) : publicKeyObject(text);
  const pem = obj.export({ type: 'spki', format: 'pem' }) as string;
  const bits = obj.asymmetricKeyDetails?.modulusLength ?? 0;
  return { publicKey: new TextEncoder().encode(pem), publicKeySize: bits };
}

/**
 * The key fingerprint xbps shows and names its key files by (`<metadir>/keys/<fp>.plist`): the MD5
 * of the OpenSSH wire form of the RSA key (`ssh-rsa`, e, n) as colon-separated lowercase hex, the
 * same as `ssh-keygen -l -E md5` without the `MD5:` prefix.
 */
export function keyFingerprint(publicKey: XbpsKeyInput): string {
  const key = publicKeyObject(publicKey);
  const jwk = key.export({ format: 'jwk' }) as { n?: string; e?: string };
  const b64 = (s: string | undefined) => new Uint8Array(Buffer.from(s ?? '', 'base64url'));
  const sshString = (b: Uint8Array) => {
    const len = new Uint8Array([(b.length >>> 24) & 255, (b.length >>> 16) & 255, (b.length >>> 8) & 255, b.length & 255]);
    return concatBytes([len, b]);
  };
  // mpint: big-endian, with a leading zero byte when the top bit is set (the value is positive).
  const mpint = (b: Uint8Array) => sshString(b.length > 0 && b[0]! >= 0x80 ? concatBytes([new Uint8Array([0]), b]) : b);
  const wire = concatBytes([sshString(new TextEncoder().encode('ssh-rsa')), mpint(b64(jwk.e)), mpint(b64(jwk.n))]);
  const md5 = crypto().createHash('md5').update(wire).digest('hex');
  return md5.match(/../g)!.join(':');
}
