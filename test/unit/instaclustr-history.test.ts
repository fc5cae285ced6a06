import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildCompany } from '../../fixtures/company.js';
import { Rng, hashSeed } from '../../servers/core/rng.js';
import { generateDay } from '../../servers/instaclustr/events.js';
import type { CredentialOverrides } from '../../servers/instaclustr/settings.js';
import { buildWorld, credentialsOf } from '../../servers/instaclustr/world.js';

const DAY = 86_400_000;
const FIRST = Math.floor(Date.parse('2025-03-01T00:00:00Z') / DAY);

const world = (seed: number, overrides: CredentialOverrides = {}) =>
  buildWorld(seed, buildCompany(seed), new Rng(hashSeed(seed, 'instaclustr', 'world')), overrides);

/** Digests of the world and of 400 days of history: any change to either, however small, shows. */
function digest(seed: number, overrides: CredentialOverrides = {}): { world: string; history: string } {
  const w = world(seed, overrides);
  const users = w.users.map((u) => [u.userName, u.userId, u.organisationAdmin, u.memberships.map((m) => [m.account.accountId, m.role])]);
  const worldDigest = createHash('sha256')
    .update(JSON.stringify({ keys: w.keys, accounts: w.accounts, users }))
    .digest('hex');
  const h = createHash('sha256');
  for (let d = FIRST; d < FIRST + 400; d++) h.update(JSON.stringify(generateDay(w, d * DAY, (d + 1) * DAY, d)));
  return { world: worldDigest, history: h.digest('hex') };
}

// Taken from the generator before it was split into world, lifetimes and targets: a seed names the same history for good.
describe('Instaclustr history is a fixed function of the seed', () => {
  it('the default seed', () => {
    expect(digest(20240721)).toEqual({
      world: '5e1578c38fc8f5886d6ce9b0dbdbeabd4039541316336d122abb893b548d5639',
      history: 'f1a602d2ef2fb70f65bc245245454e0810a085715719345d5b324ecb91a6e278',
    });
  });
  it('another seed', () => {
    expect(digest(7)).toEqual({
      world: 'f4e54fd78a16ead56d02e7d42313f1fea07f49f473029f4cb9d4e32318b6a079',
      history: '75bf1e4e40c82ef7477ed06248e83e5b9cd796d47daf1ebdc4d31dd9e6649874',
    });
  });
  it('credential overrides: user name, organisation and keys', () => {
    expect(
      digest(7, { username: 'me@x.example', organisationId: 'org-1', provisioningApiKey: 'p'.repeat(32), organisationManagementApiKey: 'o'.repeat(32) }),
    ).toEqual({
      world: '4e6a6f841056432a2e6da64f0a94644fb2bb6be7904fe69cdbeba315fcb64f10',
      history: '9bccf726a84f72075613942b08aedb0671d2424ca9b1706e605fe3e904c8893b',
    });
  });
  it('credential overrides: account id', () => {
    expect(digest(7, { accountId: 'acc-1' })).toEqual({
      world: 'b7f6af005b54f5de13cf02d309c0ded478863db6937030657cf6114210ee9b7a',
      history: '637e98f4122b3abcaa8e585019ca9edf3f8625bc6aa96a6953cc392c9c3e3d72',
    });
  });
  it('an account id and keys overridden together all take effect', () => {
    const c = credentialsOf(world(7, { accountId: 'acc-1', provisioningApiKey: 'p'.repeat(32), readOnlyProvisioningApiKey: 'r'.repeat(32) }));
    expect(c).toMatchObject({ accountId: 'acc-1', provisioningApiKey: 'p'.repeat(32), readOnlyProvisioningApiKey: 'r'.repeat(32) });
  });
});
