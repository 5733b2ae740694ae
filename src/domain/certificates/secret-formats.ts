// GetSecret's `outContentType` (api-version 2025-07-01): a certificate's secret read in another container than the
// one its policy stores. Key Vault converts PKCS#12 to PEM only, and refuses the other way round.
import { errors } from '../../errors.js';
import { CONTENT_TYPES, type CertificateContentType } from './certificate-policy.js';
import { fromPkcs12, toPem } from './containers.js';

/** The outContentType query parameter: undefined when absent, one of the two container types, or a 400. */
export function parseOutContentType(raw: string | undefined): CertificateContentType | undefined {
  if (raw === undefined || raw === '') return undefined;
  const found = CONTENT_TYPES.find((type) => type === raw.toLowerCase());
  if (!found) throw errors.badParameter(`The parameter outContentType must be one of ${CONTENT_TYPES.join(', ')}; '${raw}' was given.`);
  return found;
}

/**
 * The value of a certificate's secret (stored as `stored`) in the container `wanted`. The stored PKCS#12 carries no
 * password (Key Vault's never does), so it opens without one.
 */
export async function certificateSecretAs(value: string, stored: string | null, wanted: CertificateContentType): Promise<string> {
  if (stored === wanted) return value;
  if (stored === 'application/x-pkcs12' && wanted === 'application/x-pem-file') return toPem(await fromPkcs12(Buffer.from(value, 'base64')));
  throw errors.badParameter(`The certificate content of type ${stored ?? 'none'} cannot be converted to ${wanted}; only application/x-pkcs12 to application/x-pem-file is supported.`);
}
