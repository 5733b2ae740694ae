// What the certificates service keeps besides the versions themselves: the pending create operation of a name,
// and a vault's built-in CA. Sensitive bytes stay sealed here.
import type { CertificatePolicy } from './certificate-policy.js';

export type OperationStatus = 'inProgress' | 'completed' | 'failed' | 'cancelled';

export interface StoredCertificateOperation {
  vaultId: string;
  name: string;
  requestId: string;
  status: OperationStatus;
  statusDetails: string | null;
  issuerName: string;
  /** PKCS#10 DER, for an `Unknown` issuer (the caller has it signed elsewhere and merges the result). */
  csr: Buffer | null;
  cancellationRequested: boolean;
  error: { code: string; message: string } | null;
  /** The version id the certificate, its key and its secret get. */
  version: string;
  policy: CertificatePolicy;
  /** Tags given to CreateCertificate, for the version it makes. */
  tags: Record<string, string> | null;
  /** The new key pair's private material, sealed, until issued or merged; null afterwards. */
  sealedKey: Buffer | null;
  createdAt: number;
  updatedAt: number;
}

export interface StoredCertificatePolicy {
  vaultId: string;
  name: string;
  policy: CertificatePolicy;
  createdAt: number;
  updatedAt: number;
}

export interface StoredAuthority {
  vaultId: string;
  certificate: Buffer;
  sealedKey: Buffer;
  createdAt: number;
}
