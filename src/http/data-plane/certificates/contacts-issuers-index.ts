// The certificate contacts and issuers operations of the 2026-04-01 data plane, one file each named after its
// operationId. Their URLs are static segments under /certificates (`contacts`, `issuers`), which find-my-way
// matches before the `/certificates/{certificate-name}` parameter routes, as Azure does.
import deleteCertificateContacts from './delete-certificate-contacts.js';
import deleteCertificateIssuer from './delete-certificate-issuer.js';
import getCertificateContacts from './get-certificate-contacts.js';
import getCertificateIssuer from './get-certificate-issuer.js';
import getCertificateIssuers from './get-certificate-issuers.js';
import setCertificateContacts from './set-certificate-contacts.js';
import setCertificateIssuer from './set-certificate-issuer.js';
import updateCertificateIssuer from './update-certificate-issuer.js';

export const certificateContactsAndIssuersOperations = [
  getCertificateContacts, setCertificateContacts, deleteCertificateContacts,
  getCertificateIssuers, getCertificateIssuer, setCertificateIssuer, updateCertificateIssuer, deleteCertificateIssuer,
];
