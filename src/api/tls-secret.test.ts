import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Secret } from './secret.js';
import { selfSignedCert } from '../testing/self-signed.js';
import { tlsSecretProblem } from './tls-secret.js';

const dir = mkdtempSync(join(tmpdir(), 'waggle-tls-secret-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed pair from the real openssl, as a user would make one. */
function pair(name: string): { crt: string; key: string } {
  const { crt, key } = selfSignedCert(dir, name, name);
  return { crt, key };
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const secret = (crt: string | Buffer, key: string | Buffer): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'default' },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': b64(crt), 'tls.key': b64(key) },
});

const a = pair('a');
const b = pair('b');

test('a matching PEM certificate and key can be served', () => {
  assert.equal(tlsSecretProblem(secret(a.crt, a.key)), undefined);
});

test('junk, DER, a foreign key, an encrypted key: each named', () => {
  assert.equal(tlsSecretProblem(secret('not a cert', a.key)), 'tls.crt is not a PEM certificate');
  const der = Buffer.from(a.crt.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  assert.equal(tlsSecretProblem(secret(der, a.key)), 'tls.crt is not a PEM certificate');
  assert.equal(tlsSecretProblem(secret(a.crt, 'junk')), 'tls.key is not an unencrypted PEM private key');
  assert.equal(tlsSecretProblem(secret(a.crt, b.key)), 'tls.key does not match the certificate in tls.crt');
  const enc = execFileSync('openssl', ['pkey', '-aes256', '-passout', 'pass:x'], { input: a.key }).toString();
  assert.equal(tlsSecretProblem(secret(a.crt, enc)), 'tls.key is not an unencrypted PEM private key');
});
