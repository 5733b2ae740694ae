// The ordered list of migrations. Add new ones at the end; never edit one that has shipped.
import type { Migration } from 'kysely';
import * as init from './0001-init.js';
import * as versionProperties from './0002-version-properties.js';
import * as rotationAndEvents from './0003-rotation-and-events.js';
import * as certificateContactsIssuers from './0004-certificate-contacts-issuers.js';
import * as certificates from './0005-certificates.js';
import * as vaultResources from './0006-vault-resources.js';
import * as trustedServices from './0007-trusted-services.js';
import * as accessControl from './0008-access-control.js';
import * as credentials from './0009-credentials.js';
import * as directory from './0010-directory.js';
import * as userAssignedIdentities from './0011-user-assigned-identities.js';
import * as usedAssertions from './0012-used-assertions.js';

export const migrations: Record<string, Migration> = {
  '0001-init': init,
  '0002-version-properties': versionProperties,
  '0003-rotation-and-events': rotationAndEvents,
  '0004-certificate-contacts-issuers': certificateContactsIssuers,
  '0005-certificates': certificates,
  '0006-vault-resources': vaultResources,
  '0007-trusted-services': trustedServices,
  '0008-access-control': accessControl,
  '0009-credentials': credentials,
  '0010-directory': directory,
  '0011-user-assigned-identities': userAssignedIdentities,
  '0012-used-assertions': usedAssertions,
};
