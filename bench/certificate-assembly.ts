// A one-off measurement for the certificate scenario's report (not interleaved, not a baseline): the CPU Coffer's own
// certificate code spends on one RSA-2048 certificate besides generating its key — the CSR its operation carries, the
// self-signed X.509 certificate, reading it back, and the PKCS#12 of the certificate's secret — called directly in
// this process with an existing key. It tells how much of Coffer's CPU per certificate beyond the raw operation is
// more cryptography and ASN.1 (a second signature, two PBKDF2 derivations, @peculiar/x509 and pkijs), not HTTP.
import { generateKeyPairSync } from 'node:crypto';
import { toPkcs12 } from '../src/domain/certificates/containers.js';
import { createCsr, inspectCertificate, issueSelfSigned } from '../src/domain/certificates/x509.js';
import type { KeyMaterial } from '../src/domain/keys/key-material.js';

export interface AssemblyResult {
  description: string;
  iterations: number;
  /** CPU (user + system) of this process per certificate, ms: the sum of `parts`. */
  cpuMsPerCertificate: number;
  /** CPU ms per call of each step. */
  parts: { csr: number; certificate: number; inspect: number; pkcs12: number };
}

export async function measureCertificateAssembly(subject: string, keySize: number, iterations = 20): Promise<AssemblyResult> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: keySize, publicExponent: 65537 });
  // As Coffer keeps it: the whole private JWK, CRT members included.
  const material = { kty: 'RSA', jwk: privateKey.export({ format: 'jwk' }) } as KeyMaterial;
  const certDer = await issueSelfSigned({ material, subject, validityMonths: 12, notBefore: new Date() });
  const cpuMs = async (step: () => Promise<unknown> | unknown) => {
    for (let i = 0; i < 3; i++) await step(); // warm-up: module initialization, JIT
    const before = process.cpuUsage();
    for (let i = 0; i < iterations; i++) await step();
    const cpu = process.cpuUsage(before);
    return (cpu.user + cpu.system) / 1000 / iterations;
  };
  const parts = {
    csr: await cpuMs(() => createCsr({ material, subject })),
    certificate: await cpuMs(() => issueSelfSigned({ material, subject, validityMonths: 12, notBefore: new Date() })),
    inspect: await cpuMs(() => inspectCertificate(certDer)),
    pkcs12: await cpuMs(() => toPkcs12({ material, certDer, chainDers: [] })),
  };
  return {
    description:
      `Coffer's createCsr, issueSelfSigned, inspectCertificate and toPkcs12 (src/domain/certificates) for an existing RSA-${keySize} key, ` +
      `${iterations} calls each in the benchmark process, CPU per call`,
    iterations,
    cpuMsPerCertificate: parts.csr + parts.certificate + parts.inspect + parts.pkcs12,
    parts,
  };
}
