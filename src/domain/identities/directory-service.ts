// The directory as Microsoft Graph manages it: applications (with their passwords, certificates and federated
// credentials), their service principals, and group membership by object id. It is the second front end of the rules
// the CLI uses: credentials go through the principal service, groups through the access service, so `coffer principal …`
// and Graph's /v1.0 always agree. An application's credentials live on the principals row with its appId, which exists
// from the application's creation on and becomes its service principal when that is created (store/applications.ts):
// credentials added before then work as soon as it exists. Nothing here knows Graph's JSON (http/graph/wire/).
import { randomUUID } from 'node:crypto';
import { unixSeconds, type Clock } from '../../clock.js';
import { directoryErrors } from '../../errors.js';
import type { AccessService } from '../access/access-service.js';
import type { Group } from '../../store/access-control.js';
import type { ApplicationStore } from '../../store/applications.js';
import type { CertificateCredentialStore } from '../../store/certificate-credentials.js';
import type { IdentityStore } from '../../store/identities.js';
import { displayNameProblem, isGuid, MAX_DESCRIPTION_LENGTH, MAX_DISPLAY_NAME_LENGTH, type Application, type KeyCredentialInput } from './application.js';
import type { FederatedCredentialInput } from './federated-credential.js';
import type { CertificateCredential, ClientSecretCredential, FederatedCredential, Principal } from './principal.js';
import { certificateCredentialOf, type PrincipalService } from './principal-service.js';

export type DirectoryService = ReturnType<typeof createDirectoryService>;

/** How Graph names an object: `/applications/{id}` or `/applications(appId='{appId}')`. */
export type ObjectKey = { objectId: string } | { appId: string };

/** An application with what Graph shows of it: the credentials on its principals row. */
export interface ApplicationView {
  application: Application;
  /** The principals row holding its credentials: its service principal, or (hasServicePrincipal false) not yet one. */
  holder: Principal;
  secrets: ClientSecretCredential[];
  certificates: CertificateCredential[];
}

export type DirectoryMember = { kind: 'servicePrincipal'; principal: Principal } | { kind: 'group'; group: Group } | { kind: 'unknown'; objectId: string };

export interface ApplicationChanges {
  displayName?: unknown;
  description?: unknown;
  /** The whole new set, as Graph's PATCH replaces the collection. */
  keyCredentials?: KeyCredentialInput[];
}

/** Clock skew tolerated when a passwordCredential's startDateTime says "now". */
const START_SKEW_SECONDS = 300;

const keyText = (key: ObjectKey) => ('appId' in key ? `appId='${key.appId}'` : key.objectId);

export function createDirectoryService(deps: {
  applications: ApplicationStore;
  identities: Pick<IdentityStore, 'getPrincipal' | 'getPrincipalByAppId' | 'listPrincipals' | 'listClientSecrets'>;
  certificates: Pick<CertificateCredentialStore, 'listCertificateCredentials'>;
  principals: Pick<PrincipalService, 'addClientSecret' | 'removeClientSecret' | 'addFederatedCredential' | 'listFederatedCredentials' | 'removeFederatedCredential'>;
  access: Pick<AccessService, 'createGroup' | 'getGroup' | 'listGroups' | 'deleteGroup' | 'addMember' | 'removeMember' | 'listMembers'>;
  tenantId: string;
  clock: Clock;
}) {
  function checkKey(key: ObjectKey): void {
    const value = 'appId' in key ? key.appId : key.objectId;
    if (!isGuid(value)) throw directoryErrors.invalidObjectId(value);
  }

  async function findApplication(key: ObjectKey): Promise<{ application: Application; holder: Principal }> {
    checkKey(key);
    const application = 'appId' in key ? await deps.applications.getApplicationByAppId(key.appId) : await deps.applications.getApplication(key.objectId);
    if (!application) throw directoryErrors.notFound(keyText(key));
    const holder = await deps.identities.getPrincipalByAppId(application.appId);
    // Every application has its principals row (insertApplication, migration 0010); one without is a broken store.
    if (!holder) throw new Error(`the application ${application.objectId} has no principals row`);
    return { application, holder };
  }

  async function viewOf(application: Application, holder: Principal): Promise<ApplicationView> {
    const [secrets, certificates] = await Promise.all([deps.identities.listClientSecrets(holder.objectId), deps.certificates.listCertificateCredentials(holder.objectId)]);
    return { application, holder, secrets, certificates };
  }

  function checkDescription(value: unknown): string | null {
    if (value === null) return null;
    if (typeof value !== 'string' || value.length > MAX_DESCRIPTION_LENGTH) throw directoryErrors.badRequest(`The description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters.`);
    return value;
  }

  /**
   * The certificate credentials after a Graph PATCH of keyCredentials (the whole set): existing ones named by keyId or
   * sent again are kept, new certificates are added, the rest removed. Everything is checked before anything is written.
   */
  function certificateChange(principalId: string, existing: readonly CertificateCredential[], wanted: readonly KeyCredentialInput[]) {
    const now = unixSeconds(deps.clock);
    const kept = new Set<string>();
    const add: CertificateCredential[] = [];
    const thumbprints = new Set<string>();
    for (const [index, entry] of wanted.entries()) {
      const byKeyId = entry.keyId === undefined ? undefined : existing.find((credential) => credential.id === entry.keyId);
      let credential: CertificateCredential | undefined;
      if (entry.key === undefined) {
        if (!byKeyId) throw directoryErrors.badRequest(`keyCredentials[${index}]: the application has no key credential '${entry.keyId}'; send the certificate as 'key'.`);
        credential = byKeyId;
      } else {
        const made = certificateCredentialOf(principalId, entry.key, { id: entry.keyId ?? randomUUID(), displayName: entry.displayName, now }).credential;
        const same = existing.find((other) => other.thumbprintSha256 === made.thumbprintSha256);
        if (byKeyId && byKeyId.thumbprintSha256 !== made.thumbprintSha256) {
          throw directoryErrors.badRequest(`keyCredentials[${index}]: the keyId '${entry.keyId}' names another certificate.`);
        }
        credential = same ?? made;
        if (!same) add.push(made);
      }
      if (thumbprints.has(credential.thumbprintSha256)) throw directoryErrors.badRequest(`keyCredentials[${index}]: the certificate is listed twice.`);
      thumbprints.add(credential.thumbprintSha256);
      if (existing.includes(credential)) kept.add(credential.id);
    }
    return { principalId, remove: existing.filter((credential) => !kept.has(credential.id)).map((credential) => credential.id), add };
  }

  async function findServicePrincipal(key: ObjectKey): Promise<Principal> {
    checkKey(key);
    const principal = 'appId' in key ? await deps.identities.getPrincipalByAppId(key.appId) : await deps.identities.getPrincipal(key.objectId.toLowerCase());
    if (!principal || principal.hasServicePrincipal === false) throw directoryErrors.notFound(keyText(key));
    return principal;
  }

  async function findGroup(groupId: string): Promise<Group> {
    if (!isGuid(groupId)) throw directoryErrors.invalidObjectId(groupId);
    const group = await deps.access.getGroup(groupId);
    if (!group) throw directoryErrors.notFound(groupId);
    return group;
  }

  return {
    async createApplication(input: { displayName: unknown; description?: unknown; keyCredentials?: KeyCredentialInput[] }): Promise<ApplicationView> {
      const problem = displayNameProblem(input.displayName, 'Application');
      if (problem) throw directoryErrors.badRequest(problem);
      const description = input.description === undefined ? null : checkDescription(input.description);
      const createdAt = unixSeconds(deps.clock);
      const application: Application = { objectId: randomUUID(), appId: randomUUID(), displayName: input.displayName as string, description, createdAt };
      // Its credential holder, with the object id its service principal will have once created.
      const holder: Principal = {
        tenantId: deps.tenantId,
        objectId: randomUUID(),
        appId: application.appId,
        displayName: application.displayName,
        kind: 'servicePrincipal',
        isAdmin: false,
        isTrustedService: false,
        enabled: true,
        hasServicePrincipal: false,
      };
      const certificates = certificateChange(holder.objectId, [], input.keyCredentials ?? []).add;
      if (!(await deps.applications.insertApplication(application, holder, certificates))) throw directoryErrors.badRequest('A certificate is listed twice.');
      return viewOf(application, holder);
    },

    async listApplications(): Promise<ApplicationView[]> {
      const applications = await deps.applications.listApplications();
      return Promise.all(
        applications.map(async (application) => {
          const holder = await deps.identities.getPrincipalByAppId(application.appId);
          if (!holder) throw new Error(`the application ${application.objectId} has no principals row`);
          return viewOf(application, holder);
        }),
      );
    },

    async getApplication(key: ObjectKey): Promise<ApplicationView> {
      const { application, holder } = await findApplication(key);
      return viewOf(application, holder);
    },

    async updateApplication(key: ObjectKey, changes: ApplicationChanges): Promise<void> {
      const { application, holder } = await findApplication(key);
      if (changes.displayName !== undefined) {
        const problem = displayNameProblem(changes.displayName, 'Application');
        if (problem) throw directoryErrors.badRequest(problem);
      }
      const description = changes.description === undefined ? undefined : checkDescription(changes.description);
      const certificates =
        changes.keyCredentials === undefined
          ? undefined
          : certificateChange(holder.objectId, await deps.certificates.listCertificateCredentials(holder.objectId), changes.keyCredentials);
      const updated = await deps.applications.updateApplication(application.objectId, {
        ...(changes.displayName === undefined ? {} : { displayName: changes.displayName as string }),
        ...(description === undefined ? {} : { description }),
        ...(certificates === undefined ? {} : { certificates }),
      });
      if (!updated) throw directoryErrors.badRequest('A certificate in keyCredentials is already registered.');
    },

    /** Removes the application and its service principal with every credential, as Entra's delete does. */
    async deleteApplication(key: ObjectKey): Promise<void> {
      const { application, holder } = await findApplication(key);
      if (holder.isAdmin) throw directoryErrors.protectedObject("The administrator's application cannot be deleted: Coffer's own actions belong to it. Remove its role assignments instead.");
      await deps.applications.deleteApplication(application.objectId, holder.objectId);
    },

    /** Graph's addPassword: the secret text is returned here once and never again; only its hash is stored. */
    async addPassword(key: ObjectKey, input: { displayName?: string; startsAt?: number; endsAt?: number }) {
      const { application } = await findApplication(key);
      if (input.displayName !== undefined && input.displayName.length > MAX_DISPLAY_NAME_LENGTH) {
        throw directoryErrors.badRequest(`The displayName of a passwordCredential must be at most ${MAX_DISPLAY_NAME_LENGTH} characters.`);
      }
      // Divergence: a secret is valid from its creation; Entra also takes a start in the future.
      if (input.startsAt !== undefined && input.startsAt > unixSeconds(deps.clock) + START_SKEW_SECONDS) {
        throw directoryErrors.badRequest('A passwordCredential starting in the future is not supported here; leave startDateTime out.');
      }
      const added = await deps.principals.addClientSecret(application.appId, {
        ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
        ...(input.endsAt === undefined ? {} : { expiresAt: input.endsAt }),
      });
      return { credential: added.credential, secretText: added.clientSecret };
    },

    /** The secret stops getting tokens at once (tokens it already got live on, as in Entra). */
    async removePassword(key: ObjectKey, keyId: string): Promise<void> {
      const { application } = await findApplication(key);
      if (!isGuid(keyId)) throw directoryErrors.badRequest(`The keyId '${keyId}' is not a GUID.`);
      await deps.principals.removeClientSecret(application.appId, keyId.toLowerCase());
    },

    async addFederatedCredential(key: ObjectKey, input: FederatedCredentialInput): Promise<FederatedCredential> {
      const { application } = await findApplication(key);
      return deps.principals.addFederatedCredential(application.appId, input);
    },
    async listFederatedCredentials(key: ObjectKey): Promise<FederatedCredential[]> {
      const { application } = await findApplication(key);
      return deps.principals.listFederatedCredentials(application.appId);
    },
    async getFederatedCredential(key: ObjectKey, nameOrId: string): Promise<FederatedCredential> {
      const { application } = await findApplication(key);
      const found = (await deps.principals.listFederatedCredentials(application.appId)).find((credential) => credential.id === nameOrId.toLowerCase() || credential.name === nameOrId);
      if (!found) throw directoryErrors.notFound(nameOrId);
      return found;
    },
    async removeFederatedCredential(key: ObjectKey, nameOrId: string): Promise<void> {
      const { application } = await findApplication(key);
      await deps.principals.removeFederatedCredential(application.appId, nameOrId);
    },

    /** The application's service principal; tokens for the application are issued from now on. */
    async createServicePrincipal(input: { appId: unknown; accountEnabled?: boolean }): Promise<Principal> {
      if (typeof input.appId !== 'string' || !isGuid(input.appId)) throw directoryErrors.applicationNotFoundForServicePrincipal(String(input.appId ?? ''));
      const appId = input.appId.toLowerCase();
      const application = await deps.applications.getApplicationByAppId(appId);
      const holder = await deps.identities.getPrincipalByAppId(appId);
      if (holder && holder.hasServicePrincipal !== false) throw directoryErrors.servicePrincipalExists(appId);
      if (!application || !holder) throw directoryErrors.applicationNotFoundForServicePrincipal(appId);
      const created = await deps.applications.createServicePrincipal(holder.objectId, {
        displayName: application.displayName,
        enabled: input.accountEnabled ?? true,
        createdAt: unixSeconds(deps.clock),
      });
      if (!created) throw directoryErrors.servicePrincipalExists(appId);
      return findServicePrincipal({ objectId: holder.objectId });
    },

    /** Service principals of applications and of managed identities. */
    async listServicePrincipals(): Promise<Principal[]> {
      return (await deps.identities.listPrincipals()).filter((principal) => principal.hasServicePrincipal !== false);
    },

    /** The application of a service principal, when it has one (managed identities have none). */
    applicationOf: (principal: Principal) => deps.applications.getApplicationByAppId(principal.appId),

    getServicePrincipal: findServicePrincipal,

    /** accountEnabled: false refuses new tokens and the tokens it holds at once (token-principal.ts). */
    async updateServicePrincipal(key: ObjectKey, changes: { accountEnabled?: boolean; displayName?: unknown }): Promise<void> {
      const principal = await findServicePrincipal(key);
      if (changes.displayName !== undefined) {
        const problem = displayNameProblem(changes.displayName, 'ServicePrincipal');
        if (problem) throw directoryErrors.badRequest(problem);
        if (principal.kind === 'managedIdentity') throw directoryErrors.protectedObject("A managed identity's service principal takes its name from the identity.");
      }
      await deps.applications.updatePrincipal(principal.objectId, {
        ...(changes.displayName === undefined ? {} : { displayName: changes.displayName as string }),
        ...(changes.accountEnabled === undefined ? {} : { enabled: changes.accountEnabled }),
      });
    },

    /**
     * Deletes the service principal; the application and its credentials stay, and a service principal created again
     * gets a new object id. Tokens it holds are refused from the next request on (403: its object id is gone).
     */
    async deleteServicePrincipal(key: ObjectKey): Promise<void> {
      const principal = await findServicePrincipal(key);
      if (principal.isAdmin) throw directoryErrors.protectedObject("The administrator's service principal cannot be deleted: Coffer's own actions belong to it. Remove its role assignments instead.");
      if (principal.kind === 'managedIdentity') throw directoryErrors.protectedObject("A managed identity's service principal is deleted with the identity (coffer identity, or ARM Microsoft.ManagedIdentity).");
      await deps.applications.deleteServicePrincipal(principal.objectId, { newObjectId: randomUUID(), at: unixSeconds(deps.clock) });
    },

    async createGroup(input: { displayName: unknown; mailNickname: unknown; description?: unknown }): Promise<Group> {
      const problem = displayNameProblem(input.displayName, 'Group');
      if (problem) throw directoryErrors.badRequest(problem);
      // Graph: 1-64 ASCII characters, none of @ ( ) \ [ ] " ; : < > , or space.
      if (typeof input.mailNickname !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(input.mailNickname) || /[@()\\[\]";:<>,]/.test(input.mailNickname)) {
        throw directoryErrors.badRequest("Invalid value specified for property 'mailNickname' of resource 'Group'.");
      }
      const description = input.description === undefined || input.description === null ? undefined : checkDescription(input.description) ?? undefined;
      return deps.access.createGroup({ displayName: input.displayName as string, mailNickname: input.mailNickname, ...(description === undefined ? {} : { description }) });
    },
    listGroups: () => deps.access.listGroups(),
    getGroup: findGroup,
    async deleteGroup(groupId: string): Promise<void> {
      await findGroup(groupId);
      await deps.access.deleteGroup(groupId);
    },

    /** A service principal or a group joins the group; its role assignments then reach the member (auth/authorize.ts). */
    async addGroupMember(groupId: string, memberId: string): Promise<void> {
      await findGroup(groupId);
      if (!isGuid(memberId)) throw directoryErrors.invalidObjectId(memberId);
      const member = memberId.toLowerCase();
      const principal = await deps.identities.getPrincipal(member);
      const isMember = (principal !== undefined && principal.hasServicePrincipal !== false) || (await deps.access.getGroup(member)) !== undefined;
      if (!isMember) throw directoryErrors.notFound(memberId);
      if ((await deps.access.listMembers(groupId)).includes(member)) throw directoryErrors.memberExists();
      await deps.access.addMember(groupId, member);
    },
    async removeGroupMember(groupId: string, memberId: string): Promise<void> {
      await findGroup(groupId);
      if (!isGuid(memberId)) throw directoryErrors.invalidObjectId(memberId);
      if (!(await deps.access.removeMember(groupId, memberId.toLowerCase()))) throw directoryErrors.notFound(memberId);
    },
    async listGroupMembers(groupId: string): Promise<DirectoryMember[]> {
      await findGroup(groupId);
      return Promise.all(
        (await deps.access.listMembers(groupId)).map(async (objectId): Promise<DirectoryMember> => {
          const principal = await deps.identities.getPrincipal(objectId);
          if (principal && principal.hasServicePrincipal !== false) return { kind: 'servicePrincipal', principal };
          const group = await deps.access.getGroup(objectId);
          return group ? { kind: 'group', group } : { kind: 'unknown', objectId };
        }),
      );
    },
  };
}
