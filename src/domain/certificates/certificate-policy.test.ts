import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CofferError } from '../../errors.js';
import {
  defaultCertificatePolicy,
  parseCertificatePolicy,
  parseSubject,
  subjectToString,
  toWireCertificatePolicy,
  type CertificatePolicy,
} from './certificate-policy.js';

const base = 'https://payroll.vault.localhost:8443';
const times = { created: 1593212192, updated: 1593212192 };
const wire = (policy: CertificatePolicy, name = 'cert1') => toWireCertificatePolicy(base, name, policy, times);

function refused(input: unknown, message: RegExp, opts: { current?: CertificatePolicy } = {}): void {
  assert.throws(
    () => parseCertificatePolicy(input, opts),
    (error: unknown) => {
      assert.ok(error instanceof CofferError, String(error));
      assert.equal(error.status, 400);
      assert.equal(error.code, 'BadParameter');
      assert.match(error.message, message);
      return true;
    },
  );
}

function badSubject(subject: string, message: RegExp): void {
  assert.throws(
    () => parseSubject(subject),
    (error: unknown) => {
      assert.ok(error instanceof CofferError, String(error));
      assert.equal(error.code, 'BadParameter');
      assert.ok(error.message.startsWith(`Invalid X.500 distinguished name '${subject}': `), error.message);
      assert.match(error.message, message);
      return true;
    },
  );
}

/** What @azure/keyvault-certificates 4.10 sends for its DefaultCertificatePolicy (recorded request body). */
const sdkDefaultBody = { key_props: {}, secret_props: {}, x509_props: { subject: 'cn=MyCert', sans: {} }, issuer: { name: 'Self' }, attributes: {} };
const selfSigned = (x509: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) => ({
  issuer: { name: 'Self' },
  x509_props: { subject: 'CN=example.com', ...x509 },
  ...rest,
});

describe('parseCertificatePolicy defaults', () => {
  it("fills in what Azure answered for the SDK's DefaultCertificatePolicy", () => {
    // Recorded answer (azure-sdk-for-js, "can update a certificate's policy"), with our host and times.
    assert.deepEqual(wire(parseCertificatePolicy(sdkDefaultBody)), {
      id: `${base}/certificates/cert1/policy`,
      key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
      secret_props: { contentType: 'application/x-pkcs12' },
      x509_props: {
        subject: 'cn=MyCert',
        sans: {},
        ekus: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
        key_usage: ['digitalSignature', 'keyEncipherment'],
        validity_months: 12,
        basic_constraints: { ca: false },
      },
      lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } }],
      issuer: { name: 'Self' },
      attributes: { enabled: true, created: times.created, updated: times.updated },
    });
    assert.deepEqual(defaultCertificatePolicy(), parseCertificatePolicy({ issuer: { name: 'Self' }, x509_props: { subject: 'cn=MyCert' } }));
  });

  it('normalizes key usage as Azure answered the .NET client, and echoes cert_transparency', () => {
    // Recorded: VerifyCertificateCreateDefaultPolicy (azure-sdk-for-net).
    const policy = parseCertificatePolicy({
      key_props: { kty: 'RSA', reuse_key: false, exportable: true },
      secret_props: { contentType: 'application/x-pkcs12' },
      x509_props: {
        subject: 'CN=default',
        key_usage: ['crlSign', 'dataEncipherment', 'digitalSignature', 'keyEncipherment', 'keyAgreement', 'keyCertSign'],
      },
      issuer: { name: 'Self', cert_transparency: false },
    });
    const answer = wire(policy);
    assert.deepEqual(answer.x509_props, {
      subject: 'CN=default',
      ekus: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
      key_usage: ['cRLSign', 'dataEncipherment', 'digitalSignature', 'keyAgreement', 'keyCertSign', 'keyEncipherment'],
      validity_months: 12,
      basic_constraints: { ca: false },
    });
    assert.deepEqual(answer.issuer, { name: 'Self', cert_transparency: false });
  });

  it('gives an Unknown issuer an EmailContacts action at 80%, as recorded', () => {
    // Recorded: ValidateMergeCertificate (azure-sdk-for-net).
    const answer = wire(parseCertificatePolicy({
      secret_props: { contentType: 'application/x-pkcs12' },
      x509_props: { subject: 'CN=Azure SDK' },
      issuer: { name: 'Unknown', cert_transparency: false },
    }));
    assert.deepEqual(answer.key_props, { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false });
    assert.deepEqual(answer.lifetime_actions, [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }]);
  });

  it('takes Unknown as the issuer when none is given, and AutoRenew for an issuer object', () => {
    const noIssuer = parseCertificatePolicy({ x509_props: { subject: 'CN=a' } });
    assert.equal(noIssuer.issuer.name, 'Unknown');
    assert.deepEqual(noIssuer.lifetimeActions, [{ action: 'EmailContacts', trigger: { lifetimePercentage: 80 } }]);
    const named = parseCertificatePolicy({ issuer: { name: 'my-digicert', cty: 'OV-SSL' }, x509_props: { subject: 'CN=a' } });
    assert.deepEqual(named.issuer, { name: 'my-digicert', certificateType: 'OV-SSL' });
    assert.equal(named.lifetimeActions[0]?.action, 'AutoRenew');
    assert.deepEqual(wire(named).issuer, { name: 'my-digicert', cty: 'OV-SSL' });
    assert.equal(parseCertificatePolicy({ issuer: { name: 'self' }, x509_props: { subject: 'CN=a' } }).issuer.name, 'Self');
    assert.equal(parseCertificatePolicy({ issuer: { name: 'UNKNOWN' }, x509_props: { subject: 'CN=a' } }).issuer.name, 'Unknown');
  });

  it('answers EC keys with the size of their curve', () => {
    // Recorded: DownloadECDsaCertificate*(P-256K) answers key_size 256 and keeps crv.
    const recorded = parseCertificatePolicy({
      key_props: { kty: 'EC', exportable: true, crv: 'P-256K' },
      secret_props: { contentType: 'application/x-pem-file' },
      x509_props: { subject: 'CN=default', key_usage: ['digitalSignature'] },
      issuer: { name: 'Self' },
    });
    assert.deepEqual(wire(recorded).key_props, { exportable: true, kty: 'EC', key_size: 256, reuse_key: false, crv: 'P-256K' });
    assert.equal(wire(recorded).secret_props.contentType, 'application/x-pem-file');

    const ec = parseCertificatePolicy(selfSigned({}, { key_props: { kty: 'EC' } }));
    assert.deepEqual(ec.keyProperties, { kty: 'EC', curve: 'P-256', keySize: 256, exportable: true, reuseKey: false });
    assert.deepEqual(ec.x509Properties.keyUsage, ['digitalSignature']);
    for (const [size, curve] of [[256, 'P-256'], [384, 'P-384'], [521, 'P-521']] as const) {
      assert.deepEqual(parseCertificatePolicy(selfSigned({}, { key_props: { kty: 'EC', key_size: size } })).keyProperties, {
        kty: 'EC', curve, keySize: size, exportable: true, reuseKey: false,
      });
    }
    assert.equal(parseCertificatePolicy(selfSigned({}, { key_props: { kty: 'EC', crv: 'P-521', key_size: 521 } })).keyProperties.keySize, 521);
  });

  it('keeps RSA sizes, exportable, reuse_key and enabled as given', () => {
    const policy = parseCertificatePolicy(selfSigned({}, { key_props: { kty: 'RSA', key_size: 4096, exportable: false, reuse_key: true }, attributes: { enabled: false } }));
    assert.deepEqual(policy.keyProperties, { kty: 'RSA', keySize: 4096, exportable: false, reuseKey: true });
    assert.equal(policy.attributes.enabled, false);
    assert.equal(parseCertificatePolicy(selfSigned({}, { key_props: { key_size: 3072 } })).keyProperties.keySize, 3072);
  });

  it('echoes empty ekus and key_usage as given (7.4 UpdateCertificatePolicy example)', () => {
    const policy = parseCertificatePolicy(selfSigned({ ekus: [], key_usage: [], validity_months: 297 }));
    assert.deepEqual(wire(policy).x509_props, { subject: 'CN=example.com', ekus: [], key_usage: [], validity_months: 297, basic_constraints: { ca: false } });
  });

  it('treats null members as absent and ignores read-only and unknown ones', () => {
    const policy = parseCertificatePolicy({
      id: 'https://elsewhere/certificates/x/policy',
      key_props: null,
      secret_props: { contentType: null },
      x509_props: { subject: 'CN=a', sans: null, ekus: null, key_usage: null, validity_months: null, basic_constraints: { ca: true } },
      lifetime_actions: null,
      issuer: { name: 'Self', cty: null, cert_transparency: null },
      attributes: { enabled: null, created: 1, updated: 2, nbf: 3 },
      platformManaged: { enabled: true },
    });
    assert.deepEqual(policy, parseCertificatePolicy({ issuer: { name: 'Self' }, x509_props: { subject: 'CN=a' } }));
  });

  it('accepts a policy named by subject alternative names alone', () => {
    const policy = parseCertificatePolicy({ issuer: { name: 'Self' }, x509_props: { sans: { dns_names: ['example.com'] } } });
    assert.equal(policy.x509Properties.subject, '');
    const answer = wire(policy).x509_props;
    assert.equal('subject' in answer, false);
    assert.deepEqual(answer.sans, { dns_names: ['example.com'] });
  });

  it('keeps every kind of subject alternative name', () => {
    const sans = {
      emails: ['test@example.com'],
      dns_names: ['example.com', '*.contoso.com', 'xn--bcher-kva.example', 'localhost'],
      upns: ['user@contoso.onmicrosoft.com'],
      uris: ['https://example.com', 'spiffe://cluster.local/ns/a'],
      ipAddresses: ['10.0.0.1', '::1', '2001:db8::7'],
    };
    const policy = parseCertificatePolicy(selfSigned({ sans }));
    assert.deepEqual(policy.x509Properties.subjectAlternativeNames, {
      emails: sans.emails, dnsNames: sans.dns_names, upns: sans.upns, uris: sans.uris, ipAddresses: sans.ipAddresses,
    });
    assert.deepEqual(wire(policy).x509_props.sans, sans);
  });

  it('keeps a trigger before expiry and accepts action types in any case', () => {
    const policy = parseCertificatePolicy(selfSigned({ validity_months: 12 }, {
      lifetime_actions: [{ trigger: { days_before_expiry: 324, lifetime_percentage: null }, action: { action_type: 'emailcontacts' } }],
    }));
    assert.deepEqual(policy.lifetimeActions, [{ action: 'EmailContacts', trigger: { daysBeforeExpiry: 324 } }]);
    assert.deepEqual(wire(policy).lifetime_actions, [{ trigger: { days_before_expiry: 324 }, action: { action_type: 'EmailContacts' } }]);
    assert.deepEqual(parseCertificatePolicy(selfSigned({}, { lifetime_actions: [] })).lifetimeActions, []);
    assert.deepEqual(
      parseCertificatePolicy(selfSigned({}, { lifetime_actions: [{ trigger: { lifetime_percentage: 1 }, action: { action_type: 'AUTORENEW' } }] })).lifetimeActions,
      [{ action: 'AutoRenew', trigger: { lifetimePercentage: 1 } }],
    );
  });

  it('accepts the content types case-insensitively and answers them in lower case', () => {
    assert.equal(parseCertificatePolicy(selfSigned({}, { secret_props: { contentType: 'Application/X-PEM-File' } })).secretProperties.contentType, 'application/x-pem-file');
  });
});

describe('parseCertificatePolicy refusals', () => {
  it('refuses what is not a policy or a section that is not an object', () => {
    refused('policy', /^Property policy has invalid value\. The certificate policy must be a JSON object\.$/);
    refused([], /must be a JSON object/);
    refused(selfSigned({}, { key_props: 'RSA' }), /^Property policy\.key_props has invalid value\. key_props must be a JSON object\.$/);
    refused(selfSigned({ sans: ['a.example'] }), /Property policy\.x509_props\.sans has invalid value/);
    refused({ issuer: 'Self', x509_props: { subject: 'CN=a' } }, /Property policy\.issuer has invalid value/);
  });

  it('refuses key types a certificate cannot have, and -HSM types without an HSM provider', () => {
    refused(selfSigned({}, { key_props: { kty: 'oct' } }), /^Property policy\.key_props\.kty has invalid value\. The key type 'oct' cannot back a certificate/);
    refused(selfSigned({}, { key_props: { kty: 'rsa' } }), /key type 'rsa'/);
    refused(selfSigned({}, { key_props: { kty: 'RSA-HSM' } }), /^Key type RSA-HSM needs an HSM key provider/);
    refused(selfSigned({}, { key_props: { kty: 'EC-HSM' } }), /^Key type EC-HSM needs an HSM key provider/);
    refused(selfSigned({}, { key_props: { kty: 7 } }), /policy\.key_props\.kty has invalid value\. A string is expected/);
  });

  it('refuses RSA sizes and curves Azure does not offer', () => {
    refused(selfSigned({}, { key_props: { key_size: 1024 } }), /policy\.key_props\.key_size has invalid value\. The key size 1024 is not valid for RSA keys\. Valid sizes are: 2048, 3072, 4096/);
    refused(selfSigned({}, { key_props: { kty: 'RSA', crv: 'P-256' } }), /policy\.key_props\.crv has invalid value\. crv applies only to EC keys/);
    refused(selfSigned({}, { key_props: { kty: 'EC', crv: 'P-192' } }), /The curve 'P-192' is not supported\. Valid curves are: P-256, P-256K, P-384, P-521/);
    refused(selfSigned({}, { key_props: { kty: 'EC', key_size: 2048 } }), /The key size 2048 is not valid for EC keys/);
    refused(selfSigned({}, { key_props: { kty: 'EC', crv: 'P-384', key_size: 256 } }), /The key size 256 does not match the curve P-384, whose size is 384/);
    refused(selfSigned({}, { key_props: { key_size: '2048' } }), /policy\.key_props\.key_size has invalid value\. A whole number is expected/);
    refused(selfSigned({}, { key_props: { exportable: 'yes' } }), /policy\.key_props\.exportable has invalid value\. true or false is expected/);
    refused(selfSigned({}, { key_props: { reuse_key: 1 } }), /policy\.key_props\.reuse_key/);
  });

  it('refuses other content types', () => {
    refused(selfSigned({}, { secret_props: { contentType: 'text/plain' } }), /policy\.secret_props\.contentType has invalid value\. The content type 'text\/plain' is not supported for certificates\. Use application\/x-pkcs12 or application\/x-pem-file/);
  });

  it('refuses a subject that is not a distinguished name, as Azure does', () => {
    // Recorded: StartCreateCertificateError sends subject 'Self'.
    refused(selfSigned({ subject: 'Self' }), /^Property policy\.x509_props has invalid value\. Invalid X\.500 distinguished name 'Self': /);
    refused(selfSigned({ subject: 42 }), /policy\.x509_props\.subject has invalid value\. A string is expected/);
  });

  it('refuses a policy that names neither a subject nor an alternative name', () => {
    const message = /^Property policy\.x509_props has invalid value\. A certificate policy needs a subject or at least one subject alternative name\.$/;
    refused({ issuer: { name: 'Self' } }, message);
    refused({ issuer: { name: 'Self' }, x509_props: { subject: '', sans: {} } }, message);
    refused({ issuer: { name: 'Self' }, x509_props: { sans: { dns_names: [] } } }, message);
  });

  it('refuses malformed subject alternative names, naming the entry', () => {
    refused(selfSigned({ sans: { dns_names: ['ok.example', 'bad name.example'] } }), /^Property policy\.x509_props\.sans\.dns_names\[1\] has invalid value\. 'bad name\.example' is not a valid DNS name\.$/);
    refused(selfSigned({ sans: { dns_names: ['a.*.example'] } }), /dns_names\[0\].*not a valid DNS name/);
    refused(selfSigned({ sans: { dns_names: ['*'] } }), /not a valid DNS name/);
    refused(selfSigned({ sans: { dns_names: [''] } }), /dns_names\[0\] has invalid value\. A non-empty string is expected/);
    refused(selfSigned({ sans: { emails: ['nobody'] } }), /emails\[0\] has invalid value\. 'nobody' is not a valid email address/);
    refused(selfSigned({ sans: { upns: ['a@b@c'] } }), /upns\[0\].*user principal name/);
    refused(selfSigned({ sans: { uris: ['example.com/path'] } }), /uris\[0\].*absolute URI/);
    refused(selfSigned({ sans: { ipAddresses: ['10.0.0.256'] } }), /ipAddresses\[0\].*IPv4 or IPv6 address/);
    refused(selfSigned({ sans: { ipAddresses: '10.0.0.1' } }), /ipAddresses has invalid value\. An array of strings is expected/);
  });

  it('refuses EKUs that are not object identifiers and unknown key usages', () => {
    refused(selfSigned({ ekus: ['1.3.6.1.5.5.7.3.1', 'serverAuth'] }), /^Property policy\.x509_props\.ekus\[1\] has invalid value\. 'serverAuth' is not an object identifier/);
    refused(selfSigned({ ekus: ['1.3.06.1'] }), /ekus\[0\]/);
    refused(selfSigned({ key_usage: ['digitalSignature', 'invalid'] }), /^Property policy\.x509_props\.key_usage has invalid value\. 'invalid' is not a key usage\. Valid key usages are: digitalSignature, nonRepudiation/);
  });

  it('refuses validity outside 1 to 1200 months', () => {
    refused(selfSigned({ validity_months: 0 }), /policy\.x509_props\.validity_months has invalid value\. A certificate is valid for 1 to 1200 months; 0 was given/);
    refused(selfSigned({ validity_months: 1201 }), /1201 was given/);
    refused(selfSigned({ validity_months: 1.5 }), /validity_months has invalid value\. A whole number is expected/);
    assert.equal(parseCertificatePolicy(selfSigned({ validity_months: 1200 })).x509Properties.validityMonths, 1200);
  });

  it('refuses more than one lifetime action, as Azure does', () => {
    const action = { trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } };
    refused(selfSigned({}, { lifetime_actions: [action, { trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } }] }),
      /^Property policy\.lifetime_actions has invalid value\. At most one action is allowed; 2 were given\.$/);
    refused(selfSigned({}, { lifetime_actions: action }), /lifetime_actions must be an array/);
  });

  it('refuses triggers with both, neither, or out-of-range values', () => {
    const withTrigger = (trigger: unknown, validity = 12) =>
      selfSigned({ validity_months: validity }, { lifetime_actions: [{ trigger, action: { action_type: 'AutoRenew' } }] });
    refused(withTrigger({ lifetime_percentage: 80, days_before_expiry: 30 }), /^Property policy\.lifetime_actions\[0\]\.trigger has invalid value\. A trigger needs exactly one of lifetime_percentage and days_before_expiry\.$/);
    refused(withTrigger({}), /exactly one of lifetime_percentage and days_before_expiry/);
    refused(withTrigger(undefined), /exactly one of/);
    refused(withTrigger({ lifetime_percentage: 0 }), /lifetime_percentage must be between 1 and 99; 0 was given/);
    refused(withTrigger({ lifetime_percentage: 100 }), /lifetime_percentage must be between 1 and 99; 100 was given/);
    refused(withTrigger({ days_before_expiry: 0 }), /days_before_expiry must be at least 1; 0 was given/);
    // certificates.json: at most validity_months multiplied by 27.
    refused(withTrigger({ days_before_expiry: 325 }), /^Property policy\.lifetime_actions\[0\]\.trigger\.days_before_expiry has invalid value\. days_before_expiry 325 is too large for validity_months 12: it must be between 1 and 324/);
    refused(withTrigger({ days_before_expiry: 28 }, 1), /between 1 and 27/);
    refused(withTrigger({ lifetime_percentage: 'half' }), /lifetime_percentage has invalid value\. A whole number is expected/);
  });

  it('refuses unknown or missing action types', () => {
    refused(selfSigned({}, { lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'Rotate' } }] }),
      /^Property policy\.lifetime_actions\[0\]\.action\.action_type has invalid value\. 'Rotate' is not a lifetime action; use AutoRenew or EmailContacts\.$/);
    refused(selfSigned({}, { lifetime_actions: [{ trigger: { lifetime_percentage: 80 } }] }), /The action type is missing; use AutoRenew or EmailContacts/);
    refused(selfSigned({}, { lifetime_actions: ['AutoRenew'] }), /lifetime_actions\[0\] has invalid value\. A lifetime action must be a JSON object/);
  });

  it('refuses issuer names that cannot name an issuer', () => {
    refused({ issuer: { name: 'my issuer' }, x509_props: { subject: 'CN=a' } }, /^Property policy\.issuer\.name has invalid value\. 'my issuer' is not an issuer name/);
    refused({ issuer: { name: '' }, x509_props: { subject: 'CN=a' } }, /'' is not an issuer name/);
    refused({ issuer: { name: 'Self', cert_transparency: 'no' }, x509_props: { subject: 'CN=a' } }, /policy\.issuer\.cert_transparency has invalid value/);
    refused(selfSigned({}, { attributes: { enabled: 'true' } }), /policy\.attributes\.enabled has invalid value\. true or false is expected/);
  });
});

describe('parseCertificatePolicy on update (PATCH)', () => {
  const current = parseCertificatePolicy(sdkDefaultBody);

  it("changes only what the SDK's updateCertificatePolicy gives, as Azure answered", () => {
    // Recorded request and answer: the SDK sends empty key_props, secret_props, sans and attributes.
    const body = { key_props: {}, secret_props: {}, x509_props: { subject: 'cn=MyOtherCert', sans: {} }, issuer: { name: 'Self' }, attributes: {} };
    const expected = wire(current);
    expected.x509_props.subject = 'cn=MyOtherCert';
    assert.deepEqual(wire(parseCertificatePolicy(body, { current })), expected);
    assert.deepEqual(parseCertificatePolicy({}, { current }), current);
  });

  it('merges inside each section', () => {
    const withSans = parseCertificatePolicy(selfSigned({ sans: { dns_names: ['a.example'], emails: ['a@example.com'] }, validity_months: 24 }, {
      key_props: { kty: 'RSA', key_size: 3072, exportable: false },
      lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } }],
      issuer: { name: 'Self', cert_transparency: true },
    }));
    const updated = parseCertificatePolicy(
      { key_props: { reuse_key: true }, x509_props: { sans: { dns_names: ['b.example'] } }, issuer: { cty: 'OV-SSL' } },
      { current: withSans },
    );
    assert.deepEqual(updated.keyProperties, { kty: 'RSA', keySize: 3072, exportable: false, reuseKey: true });
    assert.deepEqual(updated.x509Properties.subjectAlternativeNames, { dnsNames: ['b.example'], emails: ['a@example.com'] });
    assert.equal(updated.x509Properties.subject, 'CN=example.com');
    assert.equal(updated.x509Properties.validityMonths, 24);
    assert.deepEqual(updated.lifetimeActions, withSans.lifetimeActions);
    assert.deepEqual(updated.issuer, { name: 'Self', certificateType: 'OV-SSL', certificateTransparency: true });

    const replaced = parseCertificatePolicy({ lifetime_actions: [{ trigger: { lifetime_percentage: 50 }, action: { action_type: 'AutoRenew' } }] }, { current: withSans });
    assert.deepEqual(replaced.lifetimeActions, [{ action: 'AutoRenew', trigger: { lifetimePercentage: 50 } }]);
  });

  it('does not carry an RSA size over to a new EC key type, nor a curve over a new size', () => {
    assert.deepEqual(parseCertificatePolicy({ key_props: { kty: 'EC' } }, { current }).keyProperties, {
      kty: 'EC', curve: 'P-256', keySize: 256, exportable: true, reuseKey: false,
    });
    const ec = parseCertificatePolicy({ key_props: { kty: 'EC', crv: 'P-256K' } }, { current });
    assert.equal(parseCertificatePolicy({ key_props: { exportable: false } }, { current: ec }).keyProperties.keySize, 256);
    assert.deepEqual(parseCertificatePolicy({ key_props: { key_size: 384 } }, { current: ec }).keyProperties, {
      kty: 'EC', curve: 'P-384', keySize: 384, exportable: true, reuseKey: false,
    });
    assert.equal(parseCertificatePolicy({ key_props: { kty: 'RSA' } }, { current: ec }).keyProperties.keySize, 2048);
  });

  it('checks the merged policy, and names members without the policy. prefix', () => {
    const days = parseCertificatePolicy(selfSigned({}, { lifetime_actions: [{ trigger: { days_before_expiry: 90 }, action: { action_type: 'AutoRenew' } }] }));
    refused({ x509_props: { validity_months: 3 } }, /^Property lifetime_actions\[0\]\.trigger\.days_before_expiry has invalid value\. days_before_expiry 90 is too large for validity_months 3/, { current: days });
    refused({ key_props: { key_size: 1024 } }, /^Property key_props\.key_size has invalid value/, { current });
    refused({ x509_props: { subject: '' } }, /^Property x509_props has invalid value\. A certificate policy needs a subject/, { current });
    refused('nope', /^Property policy has invalid value/, { current });
  });
});

describe('toWireCertificatePolicy', () => {
  it('round-trips through parseCertificatePolicy', () => {
    const policies = [
      defaultCertificatePolicy(),
      parseCertificatePolicy({ x509_props: { subject: 'CN=a' } }),
      parseCertificatePolicy(selfSigned(
        { sans: { dns_names: ['a.example'], ipAddresses: ['::1'] }, ekus: ['1.3.6.1.5.5.7.3.3'], key_usage: ['keyCertSign'], validity_months: 36 },
        {
          key_props: { kty: 'EC', crv: 'P-384', exportable: false, reuse_key: true },
          secret_props: { contentType: 'application/x-pem-file' },
          lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } }],
          issuer: { name: 'Self', cty: 'OV-SSL', cert_transparency: false },
          attributes: { enabled: false },
        },
      )),
      parseCertificatePolicy({ issuer: { name: 'Self' }, x509_props: { sans: { upns: ['u@contoso.com'] } }, lifetime_actions: [] }),
    ];
    for (const policy of policies) {
      const answer = wire(policy, 'My-Cert');
      assert.equal(answer.id, `${base}/certificates/My-Cert/policy`);
      assert.deepEqual(parseCertificatePolicy(JSON.parse(JSON.stringify(answer))), policy);
    }
  });

  it('does not share arrays with the policy', () => {
    const policy = parseCertificatePolicy(selfSigned({ sans: { dns_names: ['a.example'] } }));
    const answer = wire(policy);
    answer.x509_props.ekus.push('1.2.3');
    answer.x509_props.sans!.dns_names!.push('b.example');
    assert.deepEqual(policy.x509Properties.ekus, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    assert.deepEqual(policy.x509Properties.subjectAlternativeNames, { dnsNames: ['a.example'] });
  });
});

describe('parseSubject', () => {
  it('reads RDNs in order, with keywords in any case', () => {
    assert.deepEqual(parseSubject('cn=MyCert'), [[{ type: 'CN', oid: '2.5.4.3', value: 'MyCert' }]]);
    assert.deepEqual(parseSubject('CN=example.com, O=Contoso, OU=Web, L=Redmond, S=WA, C=US, E=admin@contoso.com, DC=contoso'), [
      [{ type: 'CN', oid: '2.5.4.3', value: 'example.com' }],
      [{ type: 'O', oid: '2.5.4.10', value: 'Contoso' }],
      [{ type: 'OU', oid: '2.5.4.11', value: 'Web' }],
      [{ type: 'L', oid: '2.5.4.7', value: 'Redmond' }],
      [{ type: 'S', oid: '2.5.4.8', value: 'WA' }],
      [{ type: 'C', oid: '2.5.4.6', value: 'US' }],
      [{ type: 'E', oid: '1.2.840.113549.1.9.1', value: 'admin@contoso.com' }],
      [{ type: 'DC', oid: '0.9.2342.19200300.100.1.25', value: 'contoso' }],
    ]);
  });

  it('knows the aliases and OIDs', () => {
    const types = (subject: string) => parseSubject(subject).flat().map((attribute) => `${attribute.type}:${attribute.oid}`);
    assert.deepEqual(types('ST=WA,emailAddress=a@b.c,GN=Ann,SURNAME=Lee,serialNumber=42,street=Main 1'), [
      'S:2.5.4.8', 'E:1.2.840.113549.1.9.1', 'G:2.5.4.42', 'SN:2.5.4.4', 'SERIALNUMBER:2.5.4.5', 'STREET:2.5.4.9',
    ]);
    assert.deepEqual(types('OID.2.5.4.3=x, 1.3.6.1.4.1.311.60.2.1.3=US, oid.1.2.3=y'), ['CN:2.5.4.3', '1.3.6.1.4.1.311.60.2.1.3:1.3.6.1.4.1.311.60.2.1.3', '1.2.3:1.2.3']);
  });

  it('reads quoted values, doubled and escaped quotes', () => {
    // Azure PowerShell's documented form for a comma in a value.
    assert.deepEqual(parseSubject('O="Contoso, Ltd.", CN=contoso.com').flat().map((a) => a.value), ['Contoso, Ltd.', 'contoso.com']);
    assert.equal(parseSubject('CN="say ""hi"""')[0]![0]!.value, 'say "hi"');
    assert.equal(parseSubject('CN="say \\"hi\\" \\\\ bye"')[0]![0]!.value, 'say "hi" \\ bye');
    assert.equal(parseSubject('CN="  padded  "')[0]![0]!.value, '  padded  ');
    assert.equal(parseSubject('CN="a+b;c=d"')[0]![0]!.value, 'a+b;c=d');
    assert.equal(parseSubject('CN="C:\\path"')[0]![0]!.value, 'C:\\path');
  });

  it('reads RFC 4514 escapes', () => {
    assert.deepEqual(parseSubject('O=Contoso\\, Ltd., CN=contoso.com').flat().map((a) => a.value), ['Contoso, Ltd.', 'contoso.com']);
    assert.equal(parseSubject('O=Contoso\\2C Ltd.')[0]![0]!.value, 'Contoso, Ltd.');
    assert.equal(parseSubject('CN=Lu\\C4\\8Di\\C4\\87')[0]![0]!.value, 'Lučić');
    assert.equal(parseSubject('CN=\\#1 \\+ \\"two\\"\\;')[0]![0]!.value, '#1 + "two";');
    assert.equal(parseSubject('CN=trailing\\ ')[0]![0]!.value, 'trailing ');
    assert.equal(parseSubject('CN=a\\\\b')[0]![0]!.value, 'a\\b');
  });

  it('trims spaces around separators and values, and accepts ; between RDNs', () => {
    assert.deepEqual(parseSubject('  CN = a b ;O=x  ,  OU=y  ').flat().map((a) => `${a.type}=${a.value}`), ['CN=a b', 'O=x', 'OU=y']);
  });

  it('reads multi-valued RDNs', () => {
    assert.deepEqual(parseSubject('CN=a + OU=b, O=c'), [
      [{ type: 'CN', oid: '2.5.4.3', value: 'a' }, { type: 'OU', oid: '2.5.4.11', value: 'b' }],
      [{ type: 'O', oid: '2.5.4.10', value: 'c' }],
    ]);
  });

  it('keeps Unicode and = inside values', () => {
    assert.equal(parseSubject('CN=日本語 ✓')[0]![0]!.value, '日本語 ✓');
    assert.equal(parseSubject('CN=a=b')[0]![0]!.value, 'a=b');
  });

  it('refuses malformed names, saying why', () => {
    badSubject('', /it is empty/);
    badSubject('   ', /it is empty/);
    badSubject('Self', /'Self' is not an attribute of the form TYPE=value/);
    badSubject('CN=a, O', /'O' is not an attribute of the form TYPE=value/);
    badSubject('=a', /an attribute has no type before =/);
    badSubject('XX=1', /'XX' is not a known attribute type/);
    badSubject('CN=', /CN has no value/);
    badSubject('CN=a, O=  ', /O has no value/);
    badSubject('CN=a,', /it ends with ','/);
    badSubject('CN=a+', /it ends with '\+'/);
    badSubject('CN=a,,O=b', /an RDN is empty before ','/);
    badSubject('+CN=a', /an RDN is empty before '\+'/);
    badSubject('CN="abc', /a quoted value is not closed/);
    badSubject('CN="a"b', /text follows the quoted value of CN/);
    badSubject('CN=a"b', /a value contains '"'/);
    badSubject('CN=#04024869', /hex-encoded values/);
    badSubject('CN=a\\', /lone backslash/);
    badSubject('CN=\\C4', /not UTF-8/);
    badSubject('C=USA', /C must be a two-letter country code, not 'USA'/);
    badSubject('E=ä@example.com', /E must be ASCII/);
    badSubject('CN=a+CN=b', /CN appears twice in one multi-valued RDN/);
  });
});

describe('subjectToString', () => {
  it('writes a name parseSubject reads back unchanged', () => {
    for (const subject of [
      'CN=example.com, O=Contoso, C=US',
      'O="Contoso, Ltd.", CN=contoso.com',
      'CN=a + OU=b; O=c',
      'CN="say ""hi"""',
      'CN=a\\\\b',
      'CN="  padded  "',
      'CN=\\#1 \\+ two',
      'CN="C:\\\\dir; x"',
      'OID.1.2.3=y, CN=日本語',
    ]) {
      const rdns = parseSubject(subject);
      assert.deepEqual(parseSubject(subjectToString(rdns)), rdns, subject);
    }
  });

  it('writes CryptoAPI-style text', () => {
    assert.equal(subjectToString(parseSubject('cn=a,st=WA,emailAddress=x@y.z')), 'CN=a, S=WA, E=x@y.z');
    assert.equal(subjectToString(parseSubject('O=Contoso\\, Ltd.;CN=a+OU=b')), 'O="Contoso, Ltd.", CN=a + OU=b');
    assert.equal(subjectToString([[{ type: 'CN', oid: '2.5.4.3', value: 'a "b"' }]]), 'CN="a ""b"""');
    assert.equal(subjectToString([[{ type: '1.2.3', oid: '1.2.3', value: 'back\\slash' }]]), '1.2.3=back\\\\slash');
  });
});
