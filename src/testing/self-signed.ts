// A self-signed certificate from the real openssl, as a user would make one for a TLS Secret:
// RSA 2048, one day, the host as CN and as a DNS subjectAltName (so curl --cacert verifies it).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SelfSignedCert {
  /** PEM text of the certificate and of its key. */
  crt: string;
  key: string;
  /** The certificate's file (for curl --cacert). */
  file: string;
}

export function selfSignedCert(dir: string, name: string, host: string): SelfSignedCert {
  const file = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`],
      ...['-keyout', keyFile, '-out', file],
    ],
    { stdio: 'ignore' },
  );
  return { crt: readFileSync(file, 'utf8'), key: readFileSync(keyFile, 'utf8'), file };
}
