import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A self-signed certificate and key for 127.0.0.1 in `dir` (OpenSSL, from the machine's packages). It stands for a
 * server certificate of a private CA: a client trusts it by being given the certificate as its CA.
 */
export function testCertificate(dir: string, name: string) {
  const certFile = path.join(dir, `${name}-cert.pem`);
  const keyFile = path.join(dir, `${name}-key.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=dbops test ${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ].concat(['-keyout', keyFile, '-out', certFile]),
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
}
