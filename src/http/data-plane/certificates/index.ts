// The certificate operations of the 2026-04-01 data plane served so far, one file each named after its
// operationId; contacts and issuers are in contacts-issuers-index.ts.
import backupCertificate from './backup-certificate.js';
import createCertificate from './create-certificate.js';
import deleteCertificate from './delete-certificate.js';
import deleteCertificateOperation from './delete-certificate-operation.js';
import getCertificate from './get-certificate.js';
import getCertificateAuthority from './get-certificate-authority.js';
import getCertificateOperation from './get-certificate-operation.js';
import getCertificatePolicy from './get-certificate-policy.js';
import getCertificateVersions from './get-certificate-versions.js';
import getCertificates from './get-certificates.js';
import getDeletedCertificate from './get-deleted-certificate.js';
import getDeletedCertificates from './get-deleted-certificates.js';
import importCertificate from './import-certificate.js';
import mergeCertificate from './merge-certificate.js';
import purgeDeletedCertificate from './purge-deleted-certificate.js';
import recoverDeletedCertificate from './recover-deleted-certificate.js';
import restoreCertificate from './restore-certificate.js';
import updateCertificate from './update-certificate.js';
import updateCertificateOperation from './update-certificate-operation.js';
import updateCertificatePolicy from './update-certificate-policy.js';

export const certificateOperations = [
  createCertificate, getCertificateOperation, updateCertificateOperation, deleteCertificateOperation, mergeCertificate,
  importCertificate, getCertificate, updateCertificate, getCertificates, getCertificateVersions, getCertificatePolicy,
  updateCertificatePolicy, deleteCertificate, getDeletedCertificate, getDeletedCertificates, recoverDeletedCertificate,
  purgeDeletedCertificate, backupCertificate, restoreCertificate, getCertificateAuthority,
];
