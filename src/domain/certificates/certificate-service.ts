// Key Vault's certificates. A certificate version is three objects of one name and one version, written in one
// transaction: the certificate (its DER and thumbprint), its key (kind 'key', `managed`, private material sealed)
// and its secret (kind 'secret', `managed`: the certificate with its private key as PKCS#12 or PEM). The keys and
// secrets APIs read them but cannot change or delete them (object-lifecycle.ts isManaged).
//
// Creation is an operation, as in Azure: CreateCertificate records it `inProgress` and answers at once; issuance
// by `Self` finishes in the background (`completeOperation`; the scheduler finishes any a stopped server left),
// an `Unknown` issuer's operation holds a CSR until the signed certificate is merged.
import { randomUUID } from 'node:crypto';
import { unixSeconds, type Clock } from '../../clock.js';
import type { Envelope } from '../../crypto/envelope.js';
import { errors } from '../../errors.js';
import type { CertificateStore } from '../../store/certificates.js';
import type { ObjectStore } from '../../store/objects.js';
import { deserializeMaterial, type KeyGenerationSpec } from '../keys/jwk.js';
import type { KeyOperation, KeyMaterial } from '../keys/key-material.js';
import type { KeyProvider } from '../keys/key-provider.js';
import { keyRules } from '../keys/key-service.js';
import type { KeyProperties } from '../keys/key.js';
import { publicParts, serializeMaterial } from '../keys/jwk.js';
import { createObjectLifecycle, pageOf, type KindRules } from '../objects/object-lifecycle.js';
import { assertObjectName, assertObjectVersion, nameKey, newVersionId } from '../objects/names.js';
import { assertAttributes, assertTags } from '../objects/attributes.js';
import type { ObjectWithVersion } from '../objects/stored-object.js';
import { MAX_BACKUP_VERSIONS } from '../secrets/secret.js';
import { secretRules } from '../secrets/secret-service.js';
import type { Vault } from '../vaults/vault.js';
import { defaultCertificatePolicy, parseCertificatePolicy, type CertificatePolicy } from './certificate-policy.js';
import { fromPem, fromPkcs12, toPem, toPkcs12 } from './containers.js';
import type { StoredCertificateOperation } from './stored-certificate.js';
import { isBuiltInCaProvider, type CertificateIssuerService } from './issuers.js';
import { createCaCertificate, createCsr, inspectCertificate, issueByCa, issueSelfSigned, publicKeyMatches } from './x509.js';

export const certificateRules: KindRules = {
  kind: 'certificate',
  assertName: (name) => assertObjectName('certificate', name),
  assertVersion: (version) => assertObjectVersion('certificate', version),
  notFound: errors.certificateNotFound,
  deletedNotFound: errors.deletedCertificateNotFound,
  deletedButRecoverable: errors.certificateDeletedButRecoverable,
  alreadyExists: errors.certificateAlreadyExists,
  managedByKeyVault: errors.certificateManagedByKeyVault,
  maxBackupVersions: MAX_BACKUP_VERSIONS,
};

/** What a certificate version keeps in object_versions.properties. */
export interface CertificateProperties {
  /** base64 DER of the certificate. */
  cer: string;
  /** base64url SHA-1 thumbprint. */
  x5t: string;
}

export interface CertificateVersionView extends ObjectWithVersion {
  certificate: CertificateProperties;
  policy: CertificatePolicy;
  policyTimes: { created: number; updated: number };
}

export interface CertificateAttributesInput {
  enabled?: boolean | undefined;
  notBefore?: number | null | undefined;
  expires?: number | null | undefined;
}

interface WriteInput {
  material: KeyMaterial;
  certDer: Buffer;
  chainDers: Buffer[];
  policy: CertificatePolicy;
  version: string;
  enabled: boolean;
  tags: Record<string, string> | undefined;
}

const CERTIFICATE_BACKUP_PURPOSE = 'backup:certificate-bundle';

// Azure's issuance backdates notBefore by 10 minutes (recorded), against clock skew between parties.
const BACKDATE_SECONDS = 600;

export type CertificateService = ReturnType<typeof createCertificateService>;

export function createCertificateService(deps: {
  objects: ObjectStore;
  store: CertificateStore;
  envelope: Pick<Envelope, 'seal' | 'open' | 'sealServerValue' | 'openServerValue'>;
  clock: Clock;
  keyProvider: KeyProvider;
  /** Issuers configured in the vault: one whose provider is the built-in CA (issuers.ts) issues here. */
  issuers: Pick<CertificateIssuerService, 'getIssuer'>;
  /** Runs background work (the completion of an operation) after the response; tests pass one they can await. */
  runLater?: (work: () => Promise<void>) => void;
}) {
  const { objects, store, envelope, clock } = deps;
  const certificates = createObjectLifecycle({ objects, envelope, clock, rules: certificateRules });
  const keys = createObjectLifecycle({ objects, envelope, clock, rules: keyRules });
  const secrets = createObjectLifecycle({ objects, envelope, clock, rules: secretRules });
  const runLater = deps.runLater ?? ((work) => void setImmediate(() => void work().catch(() => undefined)));

  // The pending key is sealed under the vault key, bound to the operation's request id.
  const pendingKeyAad = (vault: Vault, operation: { requestId: string; version: string }) => ({
    vaultId: vault.id, kind: 'certificate-operation', objectId: operation.requestId, version: operation.version,
  });

  async function view(vault: Vault, item: ObjectWithVersion): Promise<CertificateVersionView> {
    const stored = await store.getPolicy(vault.id, item.object.name);
    return {
      ...item,
      certificate: item.version.properties as unknown as CertificateProperties,
      policy: stored?.policy ?? defaultCertificatePolicy(),
      policyTimes: { created: stored?.createdAt ?? item.object.createdAt, updated: stored?.updatedAt ?? item.object.updatedAt },
    };
  }

  /** Writes the certificate, its key and its secret as one version, in one transaction. */
  async function writeVersion(vault: Vault, name: string, input: WriteInput): Promise<ObjectWithVersion> {
    const info = inspectCertificate(input.certDer);
    const { policy } = input;
    const validity = { enabled: input.enabled, notBefore: info.notBefore, expires: info.notAfter };
    const keyProperties: KeyProperties & { public: ReturnType<typeof publicParts>; managed: true } = {
      kty: input.material.kty,
      keyOps: keyOpsFor(policy, input.material.kty),
      exportable: policy.keyProperties.exportable,
      ...(input.material.kty === 'RSA' ? { keySize: Buffer.from(input.material.jwk.n, 'base64url').length * 8 } : {}),
      public: publicParts(input.material),
      managed: true,
    };
    const bundle = { material: input.material, certDer: input.certDer, chainDers: input.chainDers };
    const contentType = policy.secretProperties.contentType;
    const secretValue = contentType === 'application/x-pem-file' ? toPem(bundle) : (await toPkcs12(bundle)).toString('base64');
    const certificateProperties: CertificateProperties = { cer: input.certDer.toString('base64'), x5t: info.x5t };
    return objects.transaction(async (tx) => {
      const common = { version: input.version, tx, managed: true };
      // The secret names the certificate version it follows (Azure's previousVersion, api-version 2025-07-01).
      const previous = (await tx.findObject(vault.id, 'certificate', name))?.currentVersion ?? null;
      const secretProperties = { managed: true, ...(previous === null ? {} : { previousVersion: previous }) };
      await keys.addVersion(vault, name, { ...validity, contentType: null, tags: input.tags ?? null, properties: { ...keyProperties } }, serializeMaterial(input.material), common);
      await secrets.addVersion(vault, name, { ...validity, contentType, tags: input.tags ?? null, properties: secretProperties }, Buffer.from(secretValue, 'utf8'), common);
      return certificates.addVersion(
        vault,
        name,
        { ...validity, contentType: null, tags: input.tags ?? null, properties: { ...certificateProperties } },
        Buffer.alloc(0),
        common,
      );
    });
  }

  async function pendingView(vault: Vault, operation: StoredCertificateOperation): Promise<CertificateVersionView> {
    const stored = await store.getPolicy(vault.id, operation.name);
    const { createdAt, updatedAt } = operation;
    return {
      object: { id: '', vaultId: vault.id, kind: 'certificate', name: operation.name, currentVersion: operation.version, createdAt, updatedAt, deletedAt: null, scheduledPurgeAt: null },
      version: {
        objectId: '', version: operation.version, seq: 0, createdAt, updatedAt, enabled: false, notBefore: null, expires: null,
        contentType: null, tags: null, properties: null, sealedValue: Buffer.alloc(0),
      },
      certificate: { cer: '', x5t: '' },
      policy: stored?.policy ?? operation.policy,
      policyTimes: { created: stored?.createdAt ?? createdAt, updated: stored?.updatedAt ?? updatedAt },
    };
  }

  async function keyMaterialFor(vault: Vault, name: string, policy: CertificatePolicy): Promise<KeyMaterial> {
    if (policy.keyProperties.reuseKey) {
      const current = await objects.getActiveVersion(vault.id, 'key', name, undefined);
      if (current) return deserializeMaterial(keys.openValue(vault, current.version));
    }
    const spec: KeyGenerationSpec =
      policy.keyProperties.kty === 'EC'
        ? { kty: 'EC', crv: policy.keyProperties.curve }
        : { kty: 'RSA', size: policy.keyProperties.keySize };
    return deserializeMaterial((await deps.keyProvider.generate(spec)).stored);
  }

  async function requireOperation(vault: Vault, name: string): Promise<StoredCertificateOperation> {
    certificateRules.assertName(name);
    const operation = await store.getOperation(vault.id, name);
    if (!operation) throw errors.certificateOperationNotFound(name);
    return operation;
  }

  const service = {
    /** CreateCertificate: records the operation (202 inProgress); `Self` issuance completes in the background. */
    async createCertificate(
      vault: Vault,
      name: string,
      input: { policy?: unknown; attributes?: CertificateAttributesInput | undefined; tags?: Record<string, string> | undefined },
    ): Promise<StoredCertificateOperation> {
      certificateRules.assertName(name);
      assertAttributes(input.attributes);
      assertTags(input.tags);
      const existing = await store.getPolicy(vault.id, name);
      const policy = input.policy === undefined ? (existing?.policy ?? defaultCertificatePolicy()) : parseCertificatePolicy(input.policy);
      const object = await objects.findObject(vault.id, 'certificate', name);
      if (object?.deletedAt != null) throw errors.certificateDeletedButRecoverable(name);
      const pending = await store.getOperation(vault.id, name);
      if (pending?.status === 'inProgress') throw errors.certificateOperationInProgress(name);

      const issuerName = policy.issuer.name;
      if (issuerName !== 'Self' && issuerName !== 'Unknown') {
        const issuer = await deps.issuers.getIssuer(vault, issuerName);
        // Divergence: Azure's partner CAs (DigiCert, GlobalSign) are reached over the internet; this server has
        // only its built-in CA, so any other provider is refused up front rather than failing later.
        if (!isBuiltInCaProvider(issuer.provider)) {
          throw errors.badParameter(`The issuer '${issuerName}' uses provider '${issuer.provider}', which this server cannot reach; use an issuer with provider 'Coffer' (the built-in CA), 'Self' or 'Unknown'.`);
        }
      }
      const material = await keyMaterialFor(vault, name, policy);
      const now = unixSeconds(clock);
      const operation: StoredCertificateOperation = {
        vaultId: vault.id,
        name: object?.name ?? name,
        requestId: randomUUID().replaceAll('-', ''),
        status: 'inProgress',
        statusDetails: 'Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later.',
        issuerName,
        csr: null,
        cancellationRequested: false,
        error: null,
        version: newVersionId(),
        policy: { ...policy, attributes: { enabled: input.attributes?.enabled ?? policy.attributes.enabled } },
        tags: input.tags ?? null,
        sealedKey: null,
        createdAt: now,
        updatedAt: now,
      };
      operation.sealedKey = envelope.seal(vault, pendingKeyAad(vault, operation), serializeMaterial(material));
      // Azure's operation carries the CSR for every issuer; `Unknown` callers need it.
      const x509 = policy.x509Properties;
      operation.csr = await createCsr({ material, subject: x509.subject, sans: x509.subjectAlternativeNames, keyUsage: x509.keyUsage, ekus: x509.ekus });
      await store.transaction(async (tx) => {
        // Checked again as it is written: another request may have started one since the check above.
        if (!(await tx.startOperation(operation))) throw errors.certificateOperationInProgress(name);
        await tx.putPolicy({ vaultId: vault.id, name: operation.name, policy, createdAt: existing?.createdAt ?? now, updatedAt: now });
      });
      if (issuerName !== 'Unknown') runLater(() => service.completeOperation(vault, operation.name).then(() => undefined));
      return operation;
    },

    /**
     * Issues the certificate of a `Self` or built-in-CA operation; a no-op for one already finished or waiting
     * for a merge.
     */
    async completeOperation(vault: Vault, name: string): Promise<StoredCertificateOperation | undefined> {
      const operation = await store.getOperation(vault.id, name);
      if (!operation || operation.status !== 'inProgress' || operation.issuerName === 'Unknown' || !operation.sealedKey) return operation;
      const material = deserializeMaterial(envelope.open(vault, pendingKeyAad(vault, operation), operation.sealedKey));
      const x509 = operation.policy.x509Properties;
      const spec = {
        subject: x509.subject, sans: x509.subjectAlternativeNames, keyUsage: x509.keyUsage, ekus: x509.ekus, validityMonths: x509.validityMonths,
        notBefore: new Date((unixSeconds(clock) - BACKDATE_SECONDS) * 1000),
      };
      if (operation.issuerName === 'Self') return finish(vault, operation, material, await issueSelfSigned({ ...spec, material }), []);
      const ca = await service.certificateAuthority(vault);
      const certDer = await issueByCa({ ...spec, ca, subjectPublicKey: material });
      return finish(vault, operation, material, certDer, [ca.certDer]);
    },

    /** The vault's built-in CA, made on first use: its certificate is what clients trust for its certificates. */
    async certificateAuthority(vault: Vault): Promise<{ certDer: Buffer; material: KeyMaterial }> {
      const aad = { vaultId: vault.id, kind: 'certificate-authority', objectId: vault.id, version: 'ca' };
      let authority = await store.getAuthority(vault.id);
      if (!authority) {
        const material = deserializeMaterial((await deps.keyProvider.generate({ kty: 'EC', crv: 'P-384' })).stored);
        const certDer = await createCaCertificate({
          material, subject: `CN=Coffer CA for vault ${vault.name}`, validityMonths: 120, notBefore: new Date((unixSeconds(clock) - BACKDATE_SECONDS) * 1000),
        });
        authority = await store.insertAuthorityOnce({ vaultId: vault.id, certificate: certDer, sealedKey: envelope.seal(vault, aad, serializeMaterial(material)), createdAt: unixSeconds(clock) });
      }
      return { certDer: authority.certificate, material: deserializeMaterial(envelope.open(vault, aad, authority.sealedKey)) };
    },

    async getOperation(vault: Vault, name: string): Promise<StoredCertificateOperation> {
      return requireOperation(vault, name);
    },

    /** UpdateCertificateOperation: requests cancellation; an operation not yet issued is cancelled at once. */
    async cancelOperation(vault: Vault, name: string, cancellationRequested: boolean): Promise<StoredCertificateOperation> {
      const operation = await requireOperation(vault, name);
      if (!cancellationRequested || operation.status !== 'inProgress') return operation;
      const cancelled: StoredCertificateOperation = {
        ...operation, cancellationRequested: true, status: 'cancelled', statusDetails: 'Certificate request cancelled.', sealedKey: null, updatedAt: unixSeconds(clock),
      };
      await store.putOperation(cancelled);
      return cancelled;
    },

    /** DeleteCertificateOperation: forgets the operation (and a pending key with it); answers it as it was. */
    async deleteOperation(vault: Vault, name: string): Promise<StoredCertificateOperation> {
      const operation = await requireOperation(vault, name);
      await store.deleteOperation(vault.id, name);
      return operation;
    },

    /** MergeCertificate: the signed certificate (and chain) for an `Unknown` issuer's pending key. */
    async mergeCertificate(
      vault: Vault,
      name: string,
      input: { x5c: Buffer[]; attributes?: CertificateAttributesInput | undefined; tags?: Record<string, string> | undefined },
    ): Promise<CertificateVersionView> {
      const operation = await requireOperation(vault, name);
      if (operation.status !== 'inProgress' || !operation.sealedKey) {
        throw errors.badParameter(`Certificate ${name} has no pending request to merge into.`);
      }
      const [leaf, ...chain] = input.x5c;
      if (!leaf) throw errors.badParameter('x5c must hold the signed certificate (and optionally its chain).');
      const material = deserializeMaterial(envelope.open(vault, pendingKeyAad(vault, operation), operation.sealedKey));
      try {
        inspectCertificate(leaf);
      } catch {
        throw errors.badParameter('The merged certificate is not a valid X.509 certificate.');
      }
      if (!publicKeyMatches(leaf, material)) throw errors.badParameter("Public key from x5c doesn't match the pending certificate's public key.");
      const done = await finish(vault, { ...operation, tags: input.tags ?? operation.tags }, material, leaf, chain, input.attributes?.enabled);
      return view(vault, (await certificates.requireActive(vault, name, done.version))!);
    },

    /** ImportCertificate: a PFX (base64) or PEM with its private key becomes a new version. */
    async importCertificate(
      vault: Vault,
      name: string,
      input: { value: string; password?: string | undefined; policy?: unknown; attributes?: CertificateAttributesInput | undefined; tags?: Record<string, string> | undefined },
    ): Promise<CertificateVersionView> {
      certificateRules.assertName(name);
      assertAttributes(input.attributes);
      assertTags(input.tags);
      const existing = await store.getPolicy(vault.id, name);
      if (input.policy !== undefined && (typeof input.policy !== 'object' || input.policy === null || Array.isArray(input.policy))) {
        throw errors.badParameter('policy must be a JSON object.');
      }
      const given = (input.policy ?? {}) as { key_props?: { exportable?: unknown; reuse_key?: unknown }; secret_props?: { contentType?: unknown }; lifetime_actions?: unknown };
      const isPem = input.value.trimStart().startsWith('-----BEGIN');
      const bundle = isPem ? fromPem(input.value, input.password) : await fromPkcs12(Buffer.from(input.value, 'base64'), input.password);
      if (bundle.material.kty === 'oct') throw errors.badParameter('A certificate key must be RSA or EC.');
      const info = inspectCertificate(bundle.certDer);
      if (info.notAfter <= unixSeconds(clock)) throw errors.badParameter('The certificate to import has expired.');
      // The policy describes the imported certificate; the caller chooses only what a certificate does not say
      // (content type, exportable, reuse_key, lifetime actions). The issuer of an imported certificate is Unknown.
      const current = existing?.policy;
      const keyChoices = { exportable: given.key_props?.exportable ?? current?.keyProperties.exportable ?? true, reuse_key: given.key_props?.reuse_key ?? current?.keyProperties.reuseKey ?? false };
      // Only the kinds of name the certificate has, as a policy written for it would say.
      const { dnsNames, emails, upns, uris, ipAddresses } = info.sans;
      const sans = Object.fromEntries(Object.entries({ dns_names: dnsNames, emails, upns, uris, ipAddresses }).filter(([, names]) => names.length > 0));
      const hasSans = Object.keys(sans).length > 0;
      const policy = parseCertificatePolicy({
        key_props: bundle.material.kty === 'EC'
          ? { kty: 'EC', crv: bundle.material.crv, ...keyChoices }
          : { kty: 'RSA', key_size: Buffer.from(bundle.material.jwk.n, 'base64url').length * 8, ...keyChoices },
        secret_props: { contentType: given.secret_props?.contentType ?? current?.secretProperties.contentType ?? (isPem ? 'application/x-pem-file' : 'application/x-pkcs12') },
        x509_props: {
          ...(info.subject === '' ? {} : { subject: info.subject }),
          ...(hasSans ? { sans } : {}),
          ekus: info.ekus,
          key_usage: info.keyUsage,
          validity_months: Math.max(1, Math.round((info.notAfter - info.notBefore) / (30.4375 * 86_400))),
        },
        issuer: { name: 'Unknown' },
        attributes: { enabled: input.attributes?.enabled ?? true },
        ...(given.lifetime_actions === undefined ? {} : { lifetime_actions: given.lifetime_actions }),
      });
      const now = unixSeconds(clock);
      await store.putPolicy({ vaultId: vault.id, name, policy, createdAt: existing?.createdAt ?? now, updatedAt: now });
      const written = await writeVersion(vault, name, {
        material: bundle.material, certDer: bundle.certDer, chainDers: bundle.chainDers, policy, version: newVersionId(), enabled: input.attributes?.enabled ?? true, tags: input.tags,
      });
      return view(vault, written);
    },

    /**
     * A certificate whose first version is still pending answers as Azure's does: the pending version, disabled,
     * without `cer` (the SDK's pollers read it while they wait).
     */
    async getCertificate(vault: Vault, name: string, version: string | undefined): Promise<CertificateVersionView> {
      certificateRules.assertName(name);
      const found = await objects.getActiveVersion(vault.id, 'certificate', name, version);
      if (found) return view(vault, found);
      const pending = await store.getOperation(vault.id, name);
      const object = await objects.findObject(vault.id, 'certificate', name);
      if (!pending || object || (version !== undefined && version !== pending.version)) return view(vault, await certificates.requireActive(vault, name, version));
      return pendingView(vault, pending);
    },

    /**
     * GetCertificates: the latest version of each certificate; with `includePending`, also the certificates whose
     * first version is still pending (answered as GetCertificate answers them), merged in name order.
     */
    async listCertificates(vault: Vault, page: { after: string | undefined; limit: number; includePending?: boolean }) {
      const issued = (await objects.listObjects(vault.id, 'certificate', { deleted: false, afterNameKey: page.after, limit: page.limit + 1 }))
        .map((item) => ({ ...item, certificate: item.version.properties as unknown as CertificateProperties }));
      const pending = page.includePending
        ? await Promise.all((await store.listPendingFirstVersions(vault.id, page.after, page.limit + 1)).map((operation) => pendingView(vault, operation)))
        : [];
      const merged = [...issued, ...pending].sort((a, b) => compareKeys(nameKey(a.object.name), nameKey(b.object.name)));
      return pageOf(merged.slice(0, page.limit + 1), page.limit, (item) => nameKey(item.object.name));
    },

    async listCertificateVersions(vault: Vault, name: string, page: { after: string | undefined; limit: number }) {
      const result = await certificates.listVersions(vault, name, page);
      return { ...result, items: result.items.map((item) => ({ ...item, certificate: item.version.properties as unknown as CertificateProperties })) };
    },

    /** UpdateCertificate: enabled and tags of a version, carried to its key and secret as Azure does. */
    async updateCertificate(
      vault: Vault,
      name: string,
      version: string | undefined,
      input: { attributes?: CertificateAttributesInput | undefined; tags?: Record<string, string> | undefined; policy?: unknown },
    ): Promise<CertificateVersionView> {
      certificateRules.assertName(name);
      if (version !== undefined) certificateRules.assertVersion(version);
      assertAttributes(input.attributes);
      assertTags(input.tags);
      if (input.policy !== undefined) await service.updatePolicy(vault, name, input.policy);
      const now = unixSeconds(clock);
      const updated = await objects.transaction(async (tx) => {
        const found = await tx.getActiveVersion(vault.id, 'certificate', name, version);
        if (!found) throw errors.certificateNotFound(name, version);
        for (const kind of ['certificate', 'key', 'secret'] as const) {
          const linked = kind === 'certificate' ? found : await tx.getActiveVersion(vault.id, kind, name, found.version.version);
          if (!linked) continue;
          await tx.updateVersionAttributes(vault.id, linked.object.id, linked.version.version, {
            enabled: input.attributes?.enabled ?? linked.version.enabled,
            notBefore: linked.version.notBefore,
            expires: linked.version.expires,
            contentType: linked.version.contentType,
            tags: input.tags !== undefined ? input.tags : linked.version.tags,
            properties: linked.version.properties,
          }, now);
        }
        return (await tx.getActiveVersion(vault.id, 'certificate', name, found.version.version))!;
      });
      return view(vault, updated);
    },

    /** DeleteCertificate: soft-deletes the certificate with its key and secret, and forgets a pending operation. */
    async deleteCertificate(vault: Vault, name: string): Promise<CertificateVersionView> {
      certificateRules.assertName(name);
      const now = unixSeconds(clock);
      const scheduledPurgeAt = now + vault.retentionDays * 86_400;
      const deleted = await objects.transaction(async (tx) => {
        const found = await tx.getActiveVersion(vault.id, 'certificate', name, undefined);
        if (!found) throw errors.certificateNotFound(name);
        for (const kind of ['certificate', 'key', 'secret'] as const) {
          const object = kind === 'certificate' ? found.object : await tx.findObject(vault.id, kind, name);
          if (object && object.deletedAt === null) await tx.markDeleted(vault.id, object.id, now, scheduledPurgeAt);
        }
        return { object: { ...found.object, deletedAt: now, scheduledPurgeAt }, version: found.version };
      });
      await store.deleteOperation(vault.id, name);
      return view(vault, deleted);
    },

    async getDeletedCertificate(vault: Vault, name: string): Promise<CertificateVersionView> {
      return view(vault, await certificates.getDeleted(vault, name));
    },

    async listDeletedCertificates(vault: Vault, page: { after: string | undefined; limit: number }) {
      const result = await certificates.listDeleted(vault, page);
      return { ...result, items: result.items.map((item) => ({ ...item, certificate: item.version.properties as unknown as CertificateProperties })) };
    },

    /** RecoverDeletedCertificate: the certificate, its key and its secret come back together. */
    async recoverDeletedCertificate(vault: Vault, name: string): Promise<CertificateVersionView> {
      certificateRules.assertName(name);
      const now = unixSeconds(clock);
      const recovered = await objects.transaction(async (tx) => {
        const found = await tx.getDeleted(vault.id, 'certificate', name);
        if (!found) throw errors.deletedCertificateNotFound(name);
        for (const kind of ['certificate', 'key', 'secret'] as const) {
          const object = kind === 'certificate' ? found.object : await tx.findObject(vault.id, kind, name);
          if (object && object.deletedAt !== null) await tx.markRecovered(vault.id, object.id, now);
        }
        return { object: { ...found.object, deletedAt: null, scheduledPurgeAt: null, updatedAt: now }, version: found.version };
      });
      return view(vault, recovered);
    },

    /** PurgeDeletedCertificate: erases the certificate, its key, its secret and (objects.ts purgeObject) its policy for good. */
    async purgeDeletedCertificate(vault: Vault, name: string): Promise<void> {
      certificateRules.assertName(name);
      await objects.transaction(async (tx) => {
        const found = await tx.getDeleted(vault.id, 'certificate', name);
        if (!found) throw errors.deletedCertificateNotFound(name);
        if (vault.purgeProtection) throw errors.purgeProtected(name);
        for (const kind of ['certificate', 'key', 'secret'] as const) {
          const object = kind === 'certificate' ? found.object : await tx.findObject(vault.id, kind, name);
          if (object && object.deletedAt !== null) await tx.purgeObject(vault.id, object.id);
        }
      });
    },

    /**
     * BackupCertificate: the certificate's, its key's and its secret's backups and its policy, sealed together under
     * a server-wide backup key (opaque and tamper-evident, like every backup of this server).
     */
    async backupCertificate(vault: Vault, name: string): Promise<Buffer> {
      const found = await certificates.requireActive(vault, name, undefined);
      const stored = await store.getPolicy(vault.id, found.object.name);
      const payload = {
        format: 'coffer-certificate-backup-1',
        certificate: (await certificates.backup(vault, name)).toString('base64'),
        key: (await keys.backup(vault, name)).toString('base64'),
        secret: (await secrets.backup(vault, name)).toString('base64'),
        policy: stored?.policy ?? null,
      };
      return envelope.sealServerValue(CERTIFICATE_BACKUP_PURPOSE, Buffer.from(JSON.stringify(payload), 'utf8'));
    },

    /** RestoreCertificate: the certificate, its key and its secret, all versions, in one transaction. */
    async restoreCertificate(vault: Vault, blob: Buffer): Promise<CertificateVersionView> {
      let payload: { format?: unknown; certificate?: unknown; key?: unknown; secret?: unknown; policy?: CertificatePolicy | null };
      try {
        payload = JSON.parse(envelope.openServerValue(CERTIFICATE_BACKUP_PURPOSE, blob).toString('utf8')) as typeof payload;
      } catch {
        throw errors.malformedBackup();
      }
      if (payload.format !== 'coffer-certificate-backup-1' || typeof payload.certificate !== 'string' || typeof payload.key !== 'string' || typeof payload.secret !== 'string') {
        throw errors.malformedBackup();
      }
      const parts = { certificate: payload.certificate, key: payload.key, secret: payload.secret };
      const restored = await objects.transaction(async (tx) => {
        // The certificate first, so a name already taken is refused in the certificate's words.
        const certificate = await certificates.restore(vault, Buffer.from(parts.certificate, 'base64'), { tx });
        await keys.restore(vault, Buffer.from(parts.key, 'base64'), { tx });
        await secrets.restore(vault, Buffer.from(parts.secret, 'base64'), { tx });
        return certificate;
      });
      const now = unixSeconds(clock);
      if (payload.policy) await store.putPolicy({ vaultId: vault.id, name: restored.object.name, policy: payload.policy, createdAt: now, updatedAt: now });
      return view(vault, restored);
    },

    /** The policy of an active certificate, or of one whose first version is still pending (as getCertificate answers it). */
    async getPolicy(vault: Vault, name: string): Promise<{ name: string; policy: CertificatePolicy; createdAt: number; updatedAt: number }> {
      certificateRules.assertName(name);
      const stored = await store.getPolicy(vault.id, name);
      const object = await objects.findObject(vault.id, 'certificate', name);
      const pending = object ? undefined : await store.getOperation(vault.id, name);
      const shownName = object?.deletedAt === null ? object.name : pending?.status === 'inProgress' ? pending.name : undefined;
      if (!stored || shownName === undefined) throw errors.certificateNotFound(name);
      return { name: shownName, policy: stored.policy, createdAt: stored.createdAt, updatedAt: stored.updatedAt };
    },

    async updatePolicy(vault: Vault, name: string, input: unknown) {
      const current = await service.getPolicy(vault, name);
      const policy = parseCertificatePolicy(input, { current: current.policy });
      const now = unixSeconds(clock);
      await store.putPolicy({ vaultId: vault.id, name: current.name, policy, createdAt: current.createdAt, updatedAt: now });
      return { ...current, policy, updatedAt: now };
    },
  };

  async function finish(vault: Vault, operation: StoredCertificateOperation, material: KeyMaterial, certDer: Buffer, chainDers: Buffer[], enabled?: boolean) {
    await writeVersion(vault, operation.name, {
      material, certDer, chainDers, policy: operation.policy, version: operation.version, enabled: enabled ?? operation.policy.attributes.enabled, tags: operation.tags ?? undefined,
    });
    const completed: StoredCertificateOperation = {
      ...operation, status: 'completed', statusDetails: null, sealedKey: null, updatedAt: unixSeconds(clock),
    };
    await store.putOperation(completed);
    return completed;
  }

  return service;
}

/** Code-unit order, as SQLite's default BINARY collation orders name keys. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** key_ops of a certificate's key, from the policy's key usage (Azure derives them the same way). */
function keyOpsFor(policy: CertificatePolicy, kty: string): KeyOperation[] {
  const usage = new Set<string>(policy.x509Properties.keyUsage);
  const ops: KeyOperation[] = [];
  if (usage.size === 0 || usage.has('digitalSignature') || usage.has('nonRepudiation')) ops.push('sign', 'verify');
  if (kty === 'RSA' && (usage.size === 0 || usage.has('keyEncipherment') || usage.has('dataEncipherment'))) ops.push('encrypt', 'decrypt', 'wrapKey', 'unwrapKey');
  return ops;
}
