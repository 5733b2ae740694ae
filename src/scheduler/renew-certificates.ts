// Renews certificates whose AutoRenew trigger has come, and records near-expiry events for EmailContacts, as Azure's
// certificate lifetime actions do. The rules live in domain/certificates/certificate-renewal.ts; this is only the
// scheduler's handle on them.
import type { CertificateRenewal } from '../domain/certificates/certificate-renewal.js';

export function createRenewCertificatesJob(deps: { renewal: Pick<CertificateRenewal, 'runDue'> }) {
  /** One pass over every certificate with a policy; returns what it did (renewed, notified, skipped, failed). */
  return async function renewCertificates() {
    return deps.renewal.runDue();
  };
}
