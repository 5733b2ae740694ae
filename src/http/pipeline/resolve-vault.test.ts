import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultVaultSettings, type Vault } from '../../domain/vaults/vault.js';
import { CofferError } from '../../errors.js';
import { createVaultResolver, parseHost, vaultNameForHost } from './resolve-vault.js';

const defaults = { dnsSuffix: 'vault.localhost', aliases: [] as string[] };

function throwsBadParameter(fn: () => unknown): void {
  assert.throws(fn, (error: unknown) => error instanceof CofferError && error.status === 400 && error.code === 'BadParameter');
}

describe('parseHost', () => {
  for (const [host, hostname, portSuffix] of [
    ['localhost', 'localhost', ''],
    ['localhost:8443', 'localhost', ':8443'],
    ['payroll.vault.localhost:8443', 'payroll.vault.localhost', ':8443'],
    ['PayRoll.Vault.LOCALHOST:443', 'payroll.vault.localhost', ':443'],
    ['127.0.0.1:8443', '127.0.0.1', ':8443'],
    ['127.0.0.1', '127.0.0.1', ''],
    ['[::1]:8443', '::1', ':8443'],
    ['[::1]', '::1', ''],
    ['[2001:DB8::1]:9000', '2001:db8::1', ':9000'],
    ['[::ffff:127.0.0.1]:8443', '::ffff:127.0.0.1', ':8443'],
    // A fully qualified name's trailing dot names the same host.
    ['payroll.vault.localhost.', 'payroll.vault.localhost', ''],
    ['payroll.vault.localhost.:8443', 'payroll.vault.localhost', ':8443'],
    ['localhost.:8443', 'localhost', ':8443'],
  ] as const) {
    it(`reads '${host}' as ${hostname} with port suffix '${portSuffix}'`, () => {
      assert.deepEqual(parseHost(host), { hostname, portSuffix });
    });
  }

  it('refuses a missing or empty Host header with BadParameter', () => {
    throwsBadParameter(() => parseHost(undefined));
    throwsBadParameter(() => parseHost(''));
  });

  for (const host of ['::1', '::1:8443', 'localhost:', 'localhost:https', 'a:1:2', '[::1]x', '[::1]:', '[::1']) {
    it(`refuses the malformed Host '${host}' with BadParameter`, () => {
      throwsBadParameter(() => parseHost(host));
    });
  }
});

describe('vaultNameForHost', () => {
  it('maps NAME.<suffix> to vault NAME', () => {
    assert.equal(vaultNameForHost('payroll.vault.localhost', defaults), 'payroll');
    assert.equal(vaultNameForHost('a-1.vault.localhost', defaults), 'a-1');
  });

  it('maps localhost and IP literals to the default vault', () => {
    for (const hostname of ['localhost', '127.0.0.1', '::1', '10.1.2.3', '2001:db8::1', '::ffff:127.0.0.1']) {
      assert.equal(vaultNameForHost(hostname, defaults), 'default', hostname);
    }
  });

  it('maps configured aliases to the default vault', () => {
    const opts = { dnsSuffix: 'vault.localhost', aliases: ['coffer.internal', 'kv.example.com'] };
    assert.equal(vaultNameForHost('coffer.internal', opts), 'default');
    assert.equal(vaultNameForHost('kv.example.com', opts), 'default');
    assert.equal(vaultNameForHost('other.example.com', opts), undefined);
    // An alias is a whole host name, not a suffix.
    assert.equal(vaultNameForHost('x.kv.example.com', opts), undefined);
  });

  it('selects no vault for the bare suffix, nested labels or a look-alike suffix', () => {
    assert.equal(vaultNameForHost('vault.localhost', defaults), undefined);
    assert.equal(vaultNameForHost('.vault.localhost', defaults), undefined);
    assert.equal(vaultNameForHost('a.payroll.vault.localhost', defaults), undefined);
    assert.equal(vaultNameForHost('payrollvault.localhost', defaults), undefined);
    assert.equal(vaultNameForHost('payroll.vault.localhost.evil.test', defaults), undefined);
    assert.equal(vaultNameForHost('payroll.example.com', defaults), undefined);
  });

  it('uses a configured DNS suffix instead of vault.localhost', () => {
    const opts = { dnsSuffix: 'kv.example.test', aliases: [] };
    assert.equal(vaultNameForHost('payroll.kv.example.test', opts), 'payroll');
    assert.equal(vaultNameForHost('payroll.vault.localhost', opts), undefined);
    assert.equal(vaultNameForHost('localhost', opts), 'default');
  });

  it('selects the same vault however the client spelled the Host header', () => {
    const opts = { dnsSuffix: 'vault.localhost', aliases: ['coffer.internal'] };
    const cases: Array<[string, string]> = [
      ['PAYROLL.vault.localhost.:8443', 'payroll'],
      ['payroll.VAULT.localhost', 'payroll'],
      ['[::1]:8443', 'default'],
      ['127.0.0.1:8443', 'default'],
      ['LocalHost.:8443', 'default'],
      ['Coffer.Internal.:8443', 'default'],
    ];
    for (const [host, vault] of cases) assert.equal(vaultNameForHost(parseHost(host).hostname, opts), vault, host);
  });
});

function testVault(name: string): Vault {
  return {
    id: `id-${name}`, name, createdAt: 0, updatedAt: 0, retentionDays: 90, purgeProtection: false, wrappedKey: Buffer.alloc(0),
    subscriptionId: '', resourceGroup: 'coffer', location: 'local', settings: defaultVaultSettings(), deletedAt: null, scheduledPurgeAt: null,
  };
}

describe('createVaultResolver', () => {
  const vaults = new Map<string, Vault>(
    ['default', 'payroll'].map((name) => [name, testVault(name)]),
  );
  const looked: string[] = [];
  const resolve = createVaultResolver({
    vaults: {
      getVaultByName: async (name) => {
        looked.push(name);
        return vaults.get(name);
      },
    },
    dnsSuffix: 'vault.localhost',
    aliases: ['coffer.internal'],
  });

  it('resolves named vaults, localhost, IPs and aliases', async () => {
    assert.equal((await resolve(parseHost('payroll.vault.localhost:8443'))).id, 'id-payroll');
    assert.equal((await resolve(parseHost('localhost:8443'))).id, 'id-default');
    assert.equal((await resolve(parseHost('[::1]:8443'))).id, 'id-default');
    assert.equal((await resolve(parseHost('coffer.internal'))).id, 'id-default');
  });

  it('answers 404 VaultNotFound naming the host for an unknown vault or a host that is not ours', async () => {
    for (const host of ['nosuch.vault.localhost:8443', 'example.com', 'a.payroll.vault.localhost']) {
      await assert.rejects(resolve(parseHost(host)), (error: unknown) => {
        assert.ok(error instanceof CofferError);
        assert.equal(error.status, 404);
        assert.equal(error.code, 'VaultNotFound');
        assert.ok(error.message.includes(parseHost(host).hostname), error.message);
        return true;
      });
    }
  });

  it('does not consult storage for a host that names no vault', async () => {
    looked.length = 0;
    await assert.rejects(resolve(parseHost('example.com')));
    assert.deepEqual(looked, []);
  });
});
