// A certificate's policy: Azure's rules for the CertificatePolicy that CreateCertificate, ImportCertificate and
// UpdateCertificatePolicy accept, the defaults Azure fills in, the JSON Azure answers with, and X.500 subject names.
// Pure: no storage, no clock, no X.509 encoding.
//
// Sources, cited at each rule: the REST spec (reference/azure-keyvault/data-plane/2026-04-01/certificates.json and
// the 7.4 examples beside it); Azure's answers recorded by the SDKs' live tests (azure-sdk-for-net
// tests/SessionRecords/CertificateClientLiveTests: VerifyCertificateCreateDefaultPolicy, ValidateMergeCertificate,
// DownloadECDsaCertificate*, StartCreateCertificateError; azure-sdk-for-js recordings
// certificates_client__create_read_update_and_delete: "can update a certificate's policy"), cited below as
// "recorded"; Microsoft's about-certificates article; azure-sdk-for-net issue #15633 (one lifetime action).
import { isIP } from 'node:net';
import { errors } from '../../errors.js';
import { CURVES, type Curve } from '../keys/key-material.js';
import { RSA_SIZES } from '../keys/key.js';

export type CertificateKeyType = 'RSA' | 'EC';
export type RsaKeySize = (typeof RSA_SIZES)[number];
export type EcKeySize = 256 | 384 | 521;

export const CONTENT_TYPES = ['application/x-pkcs12', 'application/x-pem-file'] as const;
export type CertificateContentType = (typeof CONTENT_TYPES)[number];

/** certificates.json KeyUsageType, in Azure's spelling. */
export const KEY_USAGES = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign',
  'encipherOnly', 'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export type LifetimeActionType = 'AutoRenew' | 'EmailContacts';
/** Exactly one of the two, as Azure's Trigger. */
export type LifetimeTrigger = { lifetimePercentage: number } | { daysBeforeExpiry: number };
export interface CertificateLifetimeAction {
  action: LifetimeActionType;
  trigger: LifetimeTrigger;
}

/** Azure's KeyProperties with its defaults applied. EC keys carry the curve's size as `keySize`, as Azure answers. */
export type CertificateKeyProperties =
  | { kty: 'RSA'; keySize: RsaKeySize; exportable: boolean; reuseKey: boolean }
  | { kty: 'EC'; curve: Curve; keySize: EcKeySize; exportable: boolean; reuseKey: boolean };

/** Only the members the caller sent are present; each is a list of non-empty strings. */
export interface SubjectAlternativeNames {
  emails?: string[];
  dnsNames?: string[];
  upns?: string[];
  uris?: string[];
  ipAddresses?: string[];
}

export interface X509Properties {
  /** As the caller wrote it (Azure echoes `cn=MyCert` unchanged); '' when only subject alternative names name it. */
  subject: string;
  /** Absent when the caller never sent `sans`; Azure answers `sans` only then. */
  subjectAlternativeNames?: SubjectAlternativeNames;
  ekus: string[];
  keyUsage: KeyUsage[];
  validityMonths: number;
}

export interface CertificateIssuer {
  /** 'Self', 'Unknown', or the name of an issuer object of the vault. */
  name: string;
  certificateType?: string;
  certificateTransparency?: boolean;
}

export interface CertificatePolicy {
  keyProperties: CertificateKeyProperties;
  secretProperties: { contentType: CertificateContentType };
  x509Properties: X509Properties;
  lifetimeActions: CertificateLifetimeAction[];
  issuer: CertificateIssuer;
  attributes: { enabled: boolean };
}

/** Azure's CertificatePolicy JSON, as GetCertificatePolicy and the certificate bundle's `policy` show it. */
export interface WireCertificatePolicy {
  id: string;
  key_props: { exportable: boolean; kty: CertificateKeyType; key_size: number; reuse_key: boolean; crv?: Curve };
  secret_props: { contentType: CertificateContentType };
  x509_props: {
    subject?: string;
    sans?: { emails?: string[]; dns_names?: string[]; upns?: string[]; uris?: string[]; ipAddresses?: string[] };
    ekus: string[];
    key_usage: KeyUsage[];
    validity_months: number;
    basic_constraints: { ca: boolean };
  };
  lifetime_actions: Array<{ trigger: { lifetime_percentage?: number; days_before_expiry?: number }; action: { action_type: LifetimeActionType } }>;
  issuer: { name: string; cty?: string; cert_transparency?: boolean };
  attributes: { enabled: boolean; created: number; updated: number };
}

// Recorded: a policy without key_props answers exportable true, RSA 2048, reuse_key false (ValidateMergeCertificate);
// without ekus/key_usage/validity_months it answers serverAuth+clientAuth, digitalSignature+keyEncipherment, 12.
const DEFAULT_RSA_KEY_SIZE: RsaKeySize = 2048;
const DEFAULT_CURVE: Curve = 'P-256';
const DEFAULT_CONTENT_TYPE: CertificateContentType = 'application/x-pkcs12';
const DEFAULT_EKUS = ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'];
const DEFAULT_RSA_KEY_USAGE: KeyUsage[] = ['digitalSignature', 'keyEncipherment'];
// Not recorded for EC: keyEncipherment does not apply to EC keys. lowkey-vault, which mirrors Azure's defaults,
// uses digitalSignature alone.
const DEFAULT_EC_KEY_USAGE: KeyUsage[] = ['digitalSignature'];
const DEFAULT_VALIDITY_MONTHS = 12;
// Recorded: Self answers one AutoRenew at 80% lifetime, Unknown one EmailContacts at 80%.
const DEFAULT_LIFETIME_PERCENTAGE = 80;
// Not Azure's: a bound so that every validity stays a representable date (the spec says only "minimum": 0).
const MAX_VALIDITY_MONTHS = 1200;
// certificates.json Trigger.days_before_expiry: "between 1 and validity_in_months multiplied by 27".
const DAYS_PER_MONTH_FOR_TRIGGER = 27;

const CURVE_SIZES: Record<Curve, EcKeySize> = { 'P-256': 256, 'P-256K': 256, 'P-384': 384, 'P-521': 521 };
const CURVE_FOR_SIZE: Record<EcKeySize, Curve> = { 256: 'P-256', 384: 'P-384', 521: 'P-521' };
const ACTION_TYPES: ReadonlyMap<string, LifetimeActionType> = new Map([['autorenew', 'AutoRenew'], ['emailcontacts', 'EmailContacts']]);
const RESERVED_ISSUERS: ReadonlyMap<string, string> = new Map([['self', 'Self'], ['unknown', 'Unknown']]);

/**
 * Validates a CertificatePolicy as Azure's JSON (the `policy` of CreateCertificate or ImportCertificate, or the body of
 * UpdateCertificatePolicy) and returns it with Azure's defaults applied. Read-only and unknown members (`id`,
 * `attributes.created`, `basic_constraints`) are ignored, and `null` means absent, as Azure does.
 *
 * With `current`, this is UpdateCertificatePolicy (PATCH): each member given replaces the current one and every member
 * left out keeps its value, inside each section too. The official clients send `key_props: {}` and `sans: {}` with
 * every update (recorded: an update of the subject alone keeps key, ekus, key usage, validity and lifetime actions),
 * so neither may reset anything. Error messages then name members without the `policy.` prefix.
 */
export function parseCertificatePolicy(input: unknown, opts: { current?: CertificatePolicy } = {}): CertificatePolicy {
  const current = opts.current;
  const root = current ? '' : 'policy.';
  if (!isObject(input)) throw invalid('policy', 'The certificate policy must be a JSON object.');

  const keyProperties = parseKeyProperties(section(input.key_props, `${root}key_props`), current?.keyProperties, `${root}key_props`);
  const secretProperties = parseSecretProperties(section(input.secret_props, `${root}secret_props`), current?.secretProperties, `${root}secret_props`);
  const issuer = parseIssuer(section(input.issuer, `${root}issuer`), current?.issuer, `${root}issuer`);
  const x509Input = section(input.x509_props, `${root}x509_props`);
  const x509Properties = parseX509Properties(x509Input, current?.x509Properties, keyProperties.kty, `${root}x509_props`);
  const lifetimeActions = parseLifetimeActions(
    input.lifetime_actions, current?.lifetimeActions, issuer.name, x509Properties.validityMonths, `${root}lifetime_actions`,
  );
  const attributes = section(input.attributes, `${root}attributes`);
  const enabled = optionalBoolean(attributes?.enabled, `${root}attributes.enabled`) ?? current?.attributes.enabled ?? true;
  return { keyProperties, secretProperties, x509Properties, lifetimeActions, issuer, attributes: { enabled } };
}

/**
 * What Azure fills in for the official clients' `DefaultCertificatePolicy` ({ issuerName: 'Self', subject: 'cn=MyCert' }),
 * as recorded. Azure itself has no default policy: CreateCertificate of a new certificate needs one.
 */
export function defaultCertificatePolicy(): CertificatePolicy {
  return parseCertificatePolicy({ issuer: { name: 'Self' }, x509_props: { subject: 'cn=MyCert' } });
}

/** Azure's JSON for a policy, with member order as Azure answers. */
export function toWireCertificatePolicy(
  baseUrl: string,
  name: string,
  policy: CertificatePolicy,
  times: { created: number; updated: number },
): WireCertificatePolicy {
  const key = policy.keyProperties;
  const x509 = policy.x509Properties;
  const sans = x509.subjectAlternativeNames;
  return {
    id: `${baseUrl}/certificates/${name}/policy`,
    key_props: {
      exportable: key.exportable,
      kty: key.kty,
      key_size: key.keySize,
      reuse_key: key.reuseKey,
      ...(key.kty === 'EC' ? { crv: key.curve } : {}),
    },
    secret_props: { contentType: policy.secretProperties.contentType },
    x509_props: {
      ...(x509.subject === '' ? {} : { subject: x509.subject }),
      ...(sans === undefined
        ? {}
        : {
            sans: {
              ...(sans.emails ? { emails: [...sans.emails] } : {}),
              ...(sans.dnsNames ? { dns_names: [...sans.dnsNames] } : {}),
              ...(sans.upns ? { upns: [...sans.upns] } : {}),
              ...(sans.uris ? { uris: [...sans.uris] } : {}),
              ...(sans.ipAddresses ? { ipAddresses: [...sans.ipAddresses] } : {}),
            },
          }),
      ekus: [...x509.ekus],
      key_usage: [...x509.keyUsage],
      validity_months: x509.validityMonths,
      // Recorded in every answer though the spec does not list it; the certificates Azure makes are never CAs.
      basic_constraints: { ca: false },
    },
    lifetime_actions: policy.lifetimeActions.map((action) => ({
      trigger: 'lifetimePercentage' in action.trigger
        ? { lifetime_percentage: action.trigger.lifetimePercentage }
        : { days_before_expiry: action.trigger.daysBeforeExpiry },
      action: { action_type: action.action },
    })),
    issuer: {
      name: policy.issuer.name,
      ...(policy.issuer.certificateType === undefined ? {} : { cty: policy.issuer.certificateType }),
      ...(policy.issuer.certificateTransparency === undefined ? {} : { cert_transparency: policy.issuer.certificateTransparency }),
    },
    attributes: { enabled: policy.attributes.enabled, created: times.created, updated: times.updated },
  };
}

export function hasSubjectAlternativeNames(sans: SubjectAlternativeNames | undefined): boolean {
  return sans !== undefined && Object.values(sans).some((names) => names.length > 0);
}

function parseKeyProperties(
  input: Record<string, unknown> | undefined,
  current: CertificateKeyProperties | undefined,
  at: string,
): CertificateKeyProperties {
  const ktyText = optionalString(input?.kty, `${at}.kty`);
  // Exact spelling, as CreateKey accepts kty (key.ts).
  if (ktyText === 'RSA-HSM' || ktyText === 'EC-HSM') throw errors.hsmKeysUnavailable(ktyText);
  if (ktyText !== undefined && ktyText !== 'RSA' && ktyText !== 'EC') {
    // The spec's JsonWebKeyType also lists oct, but a symmetric key cannot be certified.
    throw invalid(`${at}.kty`, `The key type '${ktyText}' cannot back a certificate. Valid key types are: RSA, EC.`);
  }
  const kty: CertificateKeyType = (ktyText as CertificateKeyType | undefined) ?? current?.kty ?? 'RSA';
  const exportable = optionalBoolean(input?.exportable, `${at}.exportable`) ?? current?.exportable ?? true;
  const reuseKey = optionalBoolean(input?.reuse_key, `${at}.reuse_key`) ?? current?.reuseKey ?? false;
  const keySize = optionalInteger(input?.key_size, `${at}.key_size`);
  const crvText = optionalString(input?.crv, `${at}.crv`);
  // The current size and curve carry over only to a key of the same type, and only when neither is given.
  const kept = current?.kty === kty && keySize === undefined && crvText === undefined ? current : undefined;

  if (kty === 'RSA') {
    if (crvText !== undefined) throw invalid(`${at}.crv`, `crv applies only to EC keys, not RSA.`);
    const size = keySize ?? kept?.keySize ?? DEFAULT_RSA_KEY_SIZE;
    if (!(RSA_SIZES as readonly number[]).includes(size)) {
      throw invalid(`${at}.key_size`, `The key size ${size} is not valid for RSA keys. Valid sizes are: ${RSA_SIZES.join(', ')}.`);
    }
    return { kty, keySize: size as RsaKeySize, exportable, reuseKey };
  }

  if (crvText !== undefined && !(CURVES as readonly string[]).includes(crvText)) {
    throw invalid(`${at}.crv`, `The curve '${crvText}' is not supported. Valid curves are: ${CURVES.join(', ')}.`);
  }
  if (keySize !== undefined && !(keySize in CURVE_FOR_SIZE)) {
    throw invalid(`${at}.key_size`, `The key size ${keySize} is not valid for EC keys. Valid sizes are: 256, 384, 521.`);
  }
  // Recorded: crv P-256K answers key_size 256. A size without a curve picks the NIST curve of that size.
  const curve = (crvText as Curve | undefined) ?? (keySize === undefined ? undefined : CURVE_FOR_SIZE[keySize as EcKeySize]) ??
    (kept?.kty === 'EC' ? kept.curve : DEFAULT_CURVE);
  if (keySize !== undefined && keySize !== CURVE_SIZES[curve]) {
    throw invalid(`${at}.key_size`, `The key size ${keySize} does not match the curve ${curve}, whose size is ${CURVE_SIZES[curve]}.`);
  }
  return { kty, curve, keySize: CURVE_SIZES[curve], exportable, reuseKey };
}

function parseSecretProperties(
  input: Record<string, unknown> | undefined,
  current: CertificatePolicy['secretProperties'] | undefined,
  at: string,
): CertificatePolicy['secretProperties'] {
  const text = optionalString(input?.contentType, `${at}.contentType`);
  if (text === undefined) return { contentType: current?.contentType ?? DEFAULT_CONTENT_TYPE };
  // Media types compare case-insensitively (RFC 6838); Azure documents exactly these two for certificates.
  const contentType = CONTENT_TYPES.find((type) => type === text.trim().toLowerCase());
  if (contentType === undefined) {
    throw invalid(`${at}.contentType`, `The content type '${text}' is not supported for certificates. Use ${CONTENT_TYPES.join(' or ')}.`);
  }
  return { contentType };
}

function parseIssuer(input: Record<string, unknown> | undefined, current: CertificateIssuer | undefined, at: string): CertificateIssuer {
  const nameText = optionalString(input?.name, `${at}.name`);
  let name: string;
  if (nameText === undefined) {
    // The SDK maintainers: issuer_name "isn't required to create a certificate" (azure-sdk-for-python#19141); the
    // 7.4 ImportCertificate example answers 'Unknown' for a policy without an issuer.
    name = current?.name ?? 'Unknown';
  } else {
    name = RESERVED_ISSUERS.get(nameText.toLowerCase()) ?? nameText;
    // Issuers are vault objects named like keys and secrets (SetCertificateIssuer's issuer-name).
    if (!/^[0-9a-zA-Z-]{1,127}$/.test(name)) {
      throw invalid(`${at}.name`, `'${nameText}' is not an issuer name. Use Self, Unknown, or the name of an issuer of this vault.`);
    }
  }
  const certificateType = optionalString(input?.cty, `${at}.cty`) ?? current?.certificateType;
  const certificateTransparency = optionalBoolean(input?.cert_transparency, `${at}.cert_transparency`) ?? current?.certificateTransparency;
  return {
    name,
    ...(certificateType === undefined ? {} : { certificateType }),
    ...(certificateTransparency === undefined ? {} : { certificateTransparency }),
  };
}

function parseX509Properties(
  input: Record<string, unknown> | undefined,
  current: X509Properties | undefined,
  kty: CertificateKeyType,
  at: string,
): X509Properties {
  const subjectText = optionalString(input?.subject, `${at}.subject`);
  if (subjectText !== undefined && subjectText !== '') {
    try {
      parseSubject(subjectText);
    } catch (error) {
      // Recorded: subject 'Self' answers "Property policy.x509_props has invalid value. Invalid X.500 distinguished name".
      throw invalid(at, error instanceof Error ? error.message : String(error));
    }
  }
  const subject = subjectText ?? current?.subject ?? '';
  const subjectAlternativeNames = parseSubjectAlternativeNames(section(input?.sans, `${at}.sans`), current?.subjectAlternativeNames, `${at}.sans`);
  // Azure's SDKs refuse a policy with neither (python NO_SAN_OR_SUBJECT); a certificate must name something.
  if (subject === '' && !hasSubjectAlternativeNames(subjectAlternativeNames)) {
    throw invalid(at, 'A certificate policy needs a subject or at least one subject alternative name.');
  }

  const ekus = optionalStringList(input?.ekus, `${at}.ekus`) ?? current?.ekus ?? [...DEFAULT_EKUS];
  ekus.forEach((eku, index) => {
    if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(eku)) {
      throw invalid(`${at}.ekus[${index}]`, `'${eku}' is not an object identifier such as 1.3.6.1.5.5.7.3.1 (server authentication).`);
    }
  });

  const usageTexts = optionalStringList(input?.key_usage, `${at}.key_usage`);
  let keyUsage: KeyUsage[];
  if (usageTexts === undefined) {
    keyUsage = current?.keyUsage ?? [...(kty === 'EC' ? DEFAULT_EC_KEY_USAGE : DEFAULT_RSA_KEY_USAGE)];
  } else {
    // Recorded: 'crlSign' is accepted and answered as 'cRLSign', and the list comes back sorted alphabetically.
    const found = usageTexts.map((text) => {
      const usage = KEY_USAGES.find((candidate) => candidate.toLowerCase() === text.toLowerCase());
      if (usage === undefined) throw invalid(`${at}.key_usage`, `'${text}' is not a key usage. Valid key usages are: ${KEY_USAGES.join(', ')}.`);
      return usage;
    });
    keyUsage = [...new Set(found)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  }

  const validityMonths = optionalInteger(input?.validity_months, `${at}.validity_months`) ?? current?.validityMonths ?? DEFAULT_VALIDITY_MONTHS;
  if (validityMonths < 1 || validityMonths > MAX_VALIDITY_MONTHS) {
    throw invalid(`${at}.validity_months`, `A certificate is valid for 1 to ${MAX_VALIDITY_MONTHS} months; ${validityMonths} was given.`);
  }

  return {
    subject,
    ...(subjectAlternativeNames === undefined ? {} : { subjectAlternativeNames }),
    ekus,
    keyUsage,
    validityMonths,
  };
}

const SAN_MEMBERS = [
  ['emails', 'emails'],
  ['dns_names', 'dnsNames'],
  ['upns', 'upns'],
  ['uris', 'uris'],
  ['ipAddresses', 'ipAddresses'],
] as const;

function parseSubjectAlternativeNames(
  input: Record<string, unknown> | undefined,
  current: SubjectAlternativeNames | undefined,
  at: string,
): SubjectAlternativeNames | undefined {
  if (input === undefined) return current;
  const sans: SubjectAlternativeNames = { ...current };
  for (const [wire, member] of SAN_MEMBERS) {
    const names = optionalStringList(input[wire], `${at}.${wire}`);
    if (names === undefined) continue;
    names.forEach((name, index) => assertAlternativeName(member, name, `${at}.${wire}[${index}]`));
    sans[member] = names;
  }
  return sans;
}

const DNS_LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}$/;

function assertAlternativeName(member: keyof SubjectAlternativeNames, name: string, at: string): void {
  let valid: boolean;
  switch (member) {
    case 'dnsNames': {
      // A host name; a wildcard may stand for the whole first label (Azure's own example: *.microsoft.com).
      const labels = name.replace(/\.$/, '').split('.');
      valid = name.length <= 253 && labels.every((label, index) => (index === 0 && label === '*' && labels.length > 1) || DNS_LABEL.test(label));
      break;
    }
    case 'emails':
    case 'upns':
      valid = /^[^@\s]+@[^@\s]+$/.test(name);
      break;
    case 'uris':
      valid = URL.canParse(name);
      break;
    case 'ipAddresses':
      // certificates.json: "IP addresses; supports IPv4 and IPv6".
      valid = isIP(name) !== 0;
      break;
  }
  if (!valid) throw invalid(at, `'${name}' is not a valid ${SAN_KIND[member]}.`);
}

const SAN_KIND: Record<keyof SubjectAlternativeNames, string> = {
  emails: 'email address',
  dnsNames: 'DNS name',
  upns: 'user principal name (user@domain)',
  uris: 'absolute URI',
  ipAddresses: 'IPv4 or IPv6 address',
};

function parseLifetimeActions(
  input: unknown,
  current: CertificateLifetimeAction[] | undefined,
  issuerName: string,
  validityMonths: number,
  at: string,
): CertificateLifetimeAction[] {
  let actions: CertificateLifetimeAction[];
  if (input === undefined || input === null) {
    actions = current ?? [
      { action: issuerName === 'Unknown' ? 'EmailContacts' : 'AutoRenew', trigger: { lifetimePercentage: DEFAULT_LIFETIME_PERCENTAGE } },
    ];
  } else {
    if (!Array.isArray(input)) throw invalid(at, 'lifetime_actions must be an array.');
    // Azure answers BadParameter "At most one action is allowed" (azure-sdk-for-net#15633).
    if (input.length > 1) throw invalid(at, `At most one action is allowed; ${input.length} were given.`);
    actions = input.map((item, index) => parseLifetimeAction(item, `${at}[${index}]`));
  }
  // Checked on the result, so that an update that shortens validity_months cannot leave a trigger beyond it.
  const maxDays = validityMonths * DAYS_PER_MONTH_FOR_TRIGGER;
  actions.forEach((action, index) => {
    if ('daysBeforeExpiry' in action.trigger && action.trigger.daysBeforeExpiry > maxDays) {
      throw invalid(
        `${at}[${index}].trigger.days_before_expiry`,
        `days_before_expiry ${action.trigger.daysBeforeExpiry} is too large for validity_months ${validityMonths}: ` +
          `it must be between 1 and ${maxDays} (validity_months multiplied by 27).`,
      );
    }
  });
  return actions;
}

function parseLifetimeAction(item: unknown, at: string): CertificateLifetimeAction {
  if (!isObject(item)) throw invalid(at, "A lifetime action must be a JSON object with 'trigger' and 'action'.");
  const actionInput = section(item.action, `${at}.action`);
  const typeText = optionalString(actionInput?.action_type, `${at}.action.action_type`);
  const action = typeText === undefined ? undefined : ACTION_TYPES.get(typeText.toLowerCase());
  if (action === undefined) {
    const problem = typeText === undefined ? 'The action type is missing' : `'${typeText}' is not a lifetime action`;
    throw invalid(`${at}.action.action_type`, `${problem}; use AutoRenew or EmailContacts.`);
  }
  const trigger = section(item.trigger, `${at}.trigger`);
  const percentage = optionalInteger(trigger?.lifetime_percentage, `${at}.trigger.lifetime_percentage`);
  const days = optionalInteger(trigger?.days_before_expiry, `${at}.trigger.days_before_expiry`);
  if ((percentage === undefined) === (days === undefined)) {
    throw invalid(`${at}.trigger`, 'A trigger needs exactly one of lifetime_percentage and days_before_expiry.');
  }
  if (percentage !== undefined) {
    // certificates.json Trigger.lifetime_percentage: minimum 1, maximum 99.
    if (percentage < 1 || percentage > 99) {
      throw invalid(`${at}.trigger.lifetime_percentage`, `lifetime_percentage must be between 1 and 99; ${percentage} was given.`);
    }
    return { action, trigger: { lifetimePercentage: percentage } };
  }
  if (days! < 1) throw invalid(`${at}.trigger.days_before_expiry`, `days_before_expiry must be at least 1; ${days} was given.`);
  return { action, trigger: { daysBeforeExpiry: days! } };
}

// ---------------------------------------------------------------------------------------------------------------
// X.500 distinguished names, as Azure reads `x509_props.subject`.
//
// Azure parses the subject with .NET's X500DistinguishedName (CryptoAPI CertStrToName): attribute keywords are
// case-insensitive (the SDKs' own default is `cn=MyCert`), RDNs are separated by ',' or ';', '+' joins the attributes
// of a multi-valued RDN, and a value with special characters is quoted, a quote inside doubled (Azure PowerShell's
// documented form: O="Contoso, Ltd.", CN=contoso.com). RFC 4514 backslash escapes (\, and \2C) are accepted too.
// @peculiar/x509's Name parser is not used: its keywords are case-sensitive (no `cn`), it knows neither `S` nor ';',
// and it passes over malformed text instead of refusing it.

export interface SubjectAttribute {
  /** Canonical keyword (CN, O, OU, L, S, C, E, DC, ...) or the dotted OID of an attribute without one. */
  type: string;
  oid: string;
  /** The value, unquoted and unescaped. */
  value: string;
}

/** One relative distinguished name: usually one attribute, several when joined with '+'. */
export type SubjectRdn = SubjectAttribute[];

// CertStrToName's X.500 keys, in CryptoAPI's spelling, with the aliases OpenSSL and RFC 4514 use.
const ATTRIBUTE_TYPES: ReadonlyArray<{ name: string; oid: string; aliases?: string[] }> = [
  { name: 'CN', oid: '2.5.4.3', aliases: ['commonName'] },
  { name: 'SN', oid: '2.5.4.4', aliases: ['surname'] },
  { name: 'SERIALNUMBER', oid: '2.5.4.5' },
  { name: 'C', oid: '2.5.4.6', aliases: ['countryName'] },
  { name: 'L', oid: '2.5.4.7', aliases: ['localityName'] },
  { name: 'S', oid: '2.5.4.8', aliases: ['ST', 'stateOrProvinceName'] },
  { name: 'STREET', oid: '2.5.4.9', aliases: ['streetAddress'] },
  { name: 'O', oid: '2.5.4.10', aliases: ['organizationName'] },
  { name: 'OU', oid: '2.5.4.11', aliases: ['organizationalUnitName'] },
  { name: 'T', oid: '2.5.4.12', aliases: ['title'] },
  { name: 'Description', oid: '2.5.4.13' },
  { name: 'PostalCode', oid: '2.5.4.17' },
  { name: 'POBox', oid: '2.5.4.18', aliases: ['postOfficeBox'] },
  { name: 'Phone', oid: '2.5.4.20', aliases: ['telephoneNumber'] },
  { name: 'X21Address', oid: '2.5.4.24' },
  { name: 'G', oid: '2.5.4.42', aliases: ['GN', 'givenName'] },
  { name: 'I', oid: '2.5.4.43', aliases: ['initials'] },
  { name: 'dnQualifier', oid: '2.5.4.46' },
  { name: 'DC', oid: '0.9.2342.19200300.100.1.25', aliases: ['domainComponent'] },
  { name: 'UID', oid: '0.9.2342.19200300.100.1.1', aliases: ['userid'] },
  { name: 'E', oid: '1.2.840.113549.1.9.1', aliases: ['Email', 'emailAddress'] },
];
const TYPE_BY_KEYWORD = new Map(ATTRIBUTE_TYPES.flatMap((type) => [type.name, ...(type.aliases ?? [])].map((keyword) => [keyword.toLowerCase(), type] as const)));
const TYPE_BY_OID = new Map(ATTRIBUTE_TYPES.map((type) => [type.oid, type] as const));
const OID_PATTERN = /^[0-2](\.(0|[1-9][0-9]*))+$/;
const SEPARATORS = new Set([',', ';', '+']);

/**
 * Parses a distinguished name such as `CN=example.com, O="Contoso, Ltd.", C=US` into its RDNs, in the order written.
 * Refuses what is not a distinguished name with BadParameter, naming the problem.
 */
export function parseSubject(subject: string): SubjectRdn[] {
  const fail = (detail: string) => errors.badParameter(`Invalid X.500 distinguished name '${subject}': ${detail}.`);
  const n = subject.length;
  let i = 0;
  const skipSpaces = () => {
    while (i < n && /\s/.test(subject[i]!)) i++;
  };

  const readType = (): { name: string; oid: string } => {
    const start = i;
    while (i < n && subject[i] !== '=' && !SEPARATORS.has(subject[i]!) && subject[i] !== '"') i++;
    const text = subject.slice(start, i).trim();
    if (text === '' && SEPARATORS.has(subject[i] ?? '')) throw fail(`an RDN is empty before '${subject[i]}'`);
    if (subject[i] !== '=') throw fail(`'${text}' is not an attribute of the form TYPE=value`);
    if (text === '') throw fail('an attribute has no type before =');
    i++;
    const dotted = text.replace(/^oid\./i, '');
    if (OID_PATTERN.test(dotted)) return { name: TYPE_BY_OID.get(dotted)?.name ?? dotted, oid: dotted };
    const known = TYPE_BY_KEYWORD.get(text.toLowerCase());
    if (!known) throw fail(`'${text}' is not a known attribute type; use CN, O, OU, L, S, C, E, DC, ... or an OID`);
    return known;
  };

  const readQuoted = (): string => {
    i++;
    let value = '';
    for (;;) {
      if (i >= n) throw fail('a quoted value is not closed');
      const ch = subject[i]!;
      const next = subject[i + 1];
      if (ch === '"' && next === '"') {
        value += '"';
        i += 2;
      } else if (ch === '"') {
        i++;
        return value;
      } else if (ch === '\\' && (next === '"' || next === '\\')) {
        value += next;
        i += 2;
      } else {
        value += ch;
        i++;
      }
    }
  };

  const readUnquoted = (): string => {
    if (subject[i] === '#') throw fail('hex-encoded values (#...) are not supported; write the value as text');
    const bytes: number[] = [];
    let kept = 0;
    while (i < n && !SEPARATORS.has(subject[i]!)) {
      const ch = subject[i]!;
      if (ch === '"') throw fail(`a value contains '"'; quote the whole value ("...") or escape it as \\"`);
      if (ch === '\\') {
        const pair = subject.slice(i + 1, i + 3);
        if (i + 1 >= n) throw fail('it ends with a lone backslash');
        if (/^[0-9a-fA-F]{2}$/.test(pair)) {
          bytes.push(parseInt(pair, 16));
          i += 3;
        } else {
          const escaped = String.fromCodePoint(subject.codePointAt(i + 1)!);
          bytes.push(...Buffer.from(escaped, 'utf8'));
          i += 1 + escaped.length;
        }
        kept = bytes.length;
        continue;
      }
      const char = String.fromCodePoint(subject.codePointAt(i)!);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length;
      // Unescaped trailing spaces are not part of the value (RFC 4514 §3).
      if (!/\s/.test(char)) kept = bytes.length;
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes.slice(0, kept)));
    } catch {
      throw fail('its \\XX escapes are not UTF-8');
    }
  };

  skipSpaces();
  if (i === n) throw fail('it is empty');
  const rdns: SubjectRdn[] = [];
  let rdn: SubjectRdn = [];
  for (;;) {
    skipSpaces();
    const type = readType();
    skipSpaces();
    let value: string;
    if (subject[i] === '"') {
      value = readQuoted();
      skipSpaces();
      if (i < n && !SEPARATORS.has(subject[i]!)) throw fail(`text follows the quoted value of ${type.name}`);
    } else {
      value = readUnquoted();
    }
    if (value === '') throw fail(`${type.name} has no value`);
    // C is a two-letter ISO 3166 code (X.520 PrintableString SIZE(2)); E and DC are IA5String.
    if (type.name === 'C' && !/^[A-Za-z]{2}$/.test(value)) throw fail(`C must be a two-letter country code, not '${value}'`);
    if ((type.name === 'E' || type.name === 'DC') && !/^[\x20-\x7e]*$/.test(value)) throw fail(`${type.name} must be ASCII`);
    if (rdn.some((attribute) => attribute.oid === type.oid)) throw fail(`${type.name} appears twice in one multi-valued RDN`);
    rdn.push({ type: type.name, oid: type.oid, value });

    if (i >= n) break;
    const separator = subject[i]!;
    i++;
    skipSpaces();
    if (i >= n) throw fail(`it ends with '${separator}'`);
    if (separator !== '+') {
      rdns.push(rdn);
      rdn = [];
    }
  }
  rdns.push(rdn);
  return rdns;
}

/**
 * A distinguished name as text that `parseSubject` reads back to the same RDNs: `, ` between RDNs, ` + ` inside one,
 * values with special characters quoted as CryptoAPI writes them.
 */
export function subjectToString(rdns: readonly SubjectRdn[]): string {
  return rdns.map((rdn) => rdn.map((attribute) => `${attribute.type}=${formatValue(attribute.value)}`).join(' + ')).join(', ');
}

function formatValue(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\');
  if (value === '' || /[,;+="<>#\r\n]/.test(value) || /^\s|\s$/.test(value)) return `"${escaped.replace(/"/g, '""')}"`;
  return escaped;
}

// ---------------------------------------------------------------------------------------------------------------

/** Azure's answer to a member with a wrong value: "Property {path} has invalid value. {detail}" (recorded). */
function invalid(path: string, detail: string) {
  return errors.badParameter(`Property ${path} has invalid value. ${detail}`);
}

function section(value: unknown, path: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalid(path, `${path.split('.').pop()} must be a JSON object.`);
  return value;
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(path, 'A string is expected.');
  return value;
}

function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(path, 'true or false is expected.');
  return value;
}

function optionalInteger(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(path, 'A whole number is expected.');
  return value;
}

function optionalStringList(value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalid(path, 'An array of strings is expected.');
  value.forEach((item, index) => {
    if (typeof item !== 'string' || item.trim() === '') throw invalid(`${path}[${index}]`, 'A non-empty string is expected.');
  });
  return [...(value as string[])];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
