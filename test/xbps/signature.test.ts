/**
 * Package signatures: .sig2 equals what node:crypto (and openssl) make and verify, legacy .sig is
 * told apart, bad signatures come back as results and bad keys as XBPS_BAD_KEY, and the key
 * fingerprint equals `ssh-keygen -l -E md5`.
 */
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestOf, keyFingerprint, publicKeyInfo, signPackage, verifySignature } from '../../src/xbps/signature.js';
import { rpmError } from '../helpers/errors.js';
import { tempRepo } from './repodata-corpus.js';
import { hasTool, missingToolNote } from '../shared/tools.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIV = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const PUB = publicKey.export({ type: 'spki', format: 'pem' }) as string;
const DATA = new TextEncoder().encode('pretend this is a .xbps file\n');
const SHA = createHash('sha256').update(DATA).digest('hex');

describe('signatures', () => {
  it('.sig2 from signPackage equals crypto.sign(sha256) over the package and verifies', () => {
    const sig = signPackage(SHA, PRIV);
    expect(Buffer.from(sig).equals(sign('sha256', DATA, privateKey))).toBe(true);
    expect(verifySignature(SHA, sig, PUB)).toEqual({ ok: true, kind: 'sig2', problem: '' });
    expect(verifySignature({ sha256: SHA }, sig, new TextEncoder().encode(PUB), { kind: 'sig2' }).ok).toBe(true);
    expect(verifySignature(SHA, sig, PUB, { kind: 'sig' })).toMatchObject({ ok: false, kind: 'sig' });
  });

  it.skipIf(!hasTool('openssl'))(`openssl verifies a .sig2 made here (the command the corpus facts used)${missingToolNote('openssl')}`, () => {
    const t = tempRepo();
    try {
      writeFileSync(join(t.dir, 'pkg'), DATA);
      writeFileSync(join(t.dir, 'pkg.sig2'), signPackage(SHA, PRIV));
      writeFileSync(join(t.dir, 'pub.pem'), PUB);
      const r = spawnSync('openssl', ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'pkg.sig2', 'pkg'], { cwd: t.dir, encoding: 'utf8' });
      expect(r.stdout.trim()).toBe('Verified OK');
    } finally {
      t.cleanup();
    }
  });

  it('legacy .sig: SHA-1 OID with the SHA-256 digest; standard SHA-256 verification rejects it', () => {
    const sig = signPackage(SHA, PRIV, { kind: 'sig' });
    expect(verifySignature(SHA, sig, PUB)).toEqual({ ok: true, kind: 'sig', problem: '' });
    expect(verifySignature(SHA, sig, PUB, { kind: 'sig2' }).problem).toMatch(/DigestInfo prefix is not the SHA-256 one/);
    expect(Buffer.from(sig).equals(sign('sha256', DATA, privateKey))).toBe(false);
  });

  it('a changed package, another key or a cut signature fail as results, not exceptions', () => {
    const sig = signPackage(SHA, PRIV);
    const other = createHash('sha256').update('other').digest('hex');
    expect(verifySignature(other, sig, PUB)).toMatchObject({ ok: false, problem: 'the signature was made for other contents (digest mismatch)' });
    const pub2 = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(verifySignature(SHA, sig, pub2).ok).toBe(false);
    expect(verifySignature(SHA, sig.subarray(1), PUB)).toMatchObject({ ok: false, problem: 'signature is 255 bytes, the 2048-bit key needs 256' });
    expect(verifySignature(SHA, new Uint8Array(256).fill(0xff), PUB).ok).toBe(false);
  });

  it('keys that cannot be used are XBPS_BAD_KEY; a meta without public-key is XBPS_BAD_META; a bad digest INVALID_ARGUMENT', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(rpmError(() => verifySignature(SHA, new Uint8Array(256), ec.publicKey.export({ type: 'spki', format: 'pem' }) as string)).code).toBe('XBPS_BAD_KEY');
    expect(rpmError(() => verifySignature(SHA, new Uint8Array(256), 'not a key')).code).toBe('XBPS_BAD_KEY');
    expect(rpmError(() => signPackage(SHA, PUB)).code).toBe('XBPS_BAD_KEY');
    expect(rpmError(() => verifySignature(SHA, new Uint8Array(256), { publicKey: undefined })).code).toBe('XBPS_BAD_META');
    expect(rpmError(() => digestOf('abc')).code).toBe('INVALID_ARGUMENT');
    expect(digestOf(new Uint8Array(32).fill(1))).toHaveLength(32);
  });

  it('publicKeyInfo gives the PEM and size xbps-rindex stores, from a private or a public key', () => {
    expect(new TextDecoder().decode(publicKeyInfo(PRIV).publicKey)).toBe(PUB);
    expect(publicKeyInfo(PUB)).toEqual(publicKeyInfo(PRIV));
    expect(publicKeyInfo(PRIV).publicKeySize).toBe(2048);
  });

  it.skipIf(!hasTool('ssh-keygen'))(`keyFingerprint equals ssh-keygen -l -E md5 (on the key converted to OpenSSH form by ssh-keygen)${missingToolNote('ssh-keygen')}`, () => {
    const t = tempRepo();
    try {
      writeFileSync(join(t.dir, 'key.pem'), PUB);
      const conv = spawnSync('ssh-keygen', ['-i', '-m', 'PKCS8', '-f', 'key.pem'], { cwd: t.dir, encoding: 'utf8' });
      expect(conv.status, conv.stderr).toBe(0);
      writeFileSync(join(t.dir, 'key.pub'), conv.stdout);
      const r = spawnSync('ssh-keygen', ['-l', '-E', 'md5', '-f', 'key.pub'], { cwd: t.dir, encoding: 'utf8' });
      expect(r.status).toBe(0);
      const fp = /MD5:([0-9a-f:]+)/.exec(r.stdout)![1];
      expect(keyFingerprint(PUB)).toBe(fp);
    } finally {
      t.cleanup();
    }
  });
});
