// Whether a kubernetes.io/tls Secret holds a certificate and key a proxy can load. The API server
// checks only that tls.crt and tls.key exist (pkg/apis/core/validation ValidateSecret), so junk in
// them reaches the controllers; caught here, it refuses the one Ingress that names the Secret
// (operator: Accepted=False; agent: that Ingress left out) instead of failing `haproxy -c` on the
// node's whole config, which would hold back every other Ingress's changes until it is fixed.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { type Secret, TLS_CERT_KEY, TLS_KEY_KEY } from './secret.js';

const PEM_CERT = '-----BEGIN CERTIFICATE-----';

/** Why the Secret's certificate cannot be served, or undefined when it can. */
export function tlsSecretProblem(s: Secret): string | undefined {
  const crt = Buffer.from(s.data?.[TLS_CERT_KEY] ?? '', 'base64');
  const key = Buffer.from(s.data?.[TLS_KEY_KEY] ?? '', 'base64');
  let cert: X509Certificate;
  try {
    // HAProxy reads PEM only; node would also take DER.
    if (!crt.toString('latin1').includes(PEM_CERT)) throw new Error('no PEM block');
    cert = new X509Certificate(crt);
  } catch {
    return `${TLS_CERT_KEY} is not a PEM certificate`;
  }
  let pk: ReturnType<typeof createPrivateKey>;
  try {
    pk = createPrivateKey({ key, format: 'pem' });
  } catch {
    return `${TLS_KEY_KEY} is not an unencrypted PEM private key`;
  }
  if (!cert.checkPrivateKey(pk)) return `${TLS_KEY_KEY} does not match the certificate in ${TLS_CERT_KEY}`;
  return undefined;
}
