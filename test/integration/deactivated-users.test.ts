import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OctopaiClient } from '../../contracts/octopai/client.js';
import { OpseraClient } from '../../contracts/opsera/client.js';
import { startEmulator, type Emulator } from '../../servers/index.js';
import { FROZEN_NOW } from '../support/emulator.js';

type OctopaiCreds = { userName: string; password: string; nonAdmin: { userName: string; password: string } };
type OpseraCreds = { notAdminEmail: string; tokens: Record<'api' | 'notAdmin', string> };

/**
 * `octopai.disabledUsers` and `opsera.inactiveUsers` make the last steps of those vendors' auth
 * ladders reachable: the seed itself has no disabled or inactive users.
 */
describe('users an administrator turned off', () => {
  let emu: Emulator;
  let octopai: OctopaiCreds;
  let opsera: OpseraCreds;

  beforeAll(async () => {
    // The same seed gives the same people: read who to turn off, then start with them turned off.
    const probe = await startEmulator({ portBase: 0, now: FROZEN_NOW, only: ['octopai', 'opsera'] });
    const victimOctopai = (probe.providers.octopai.credentials as OctopaiCreds).nonAdmin.userName;
    const victimOpsera = (probe.providers.opsera.credentials as OpseraCreds).notAdminEmail;
    await probe.close();
    emu = await startEmulator({
      portBase: 0,
      now: FROZEN_NOW,
      only: ['octopai', 'opsera'],
      validateResponses: true,
      config: {
        octopai: { disabledUsers: [victimOctopai.toUpperCase()] },
        opsera: { inactiveUsers: [victimOpsera], allowedRoles: ['Site Administrator', 'Power User', 'User'] },
      },
    });
    octopai = emu.providers.octopai.credentials as OctopaiCreds;
    opsera = emu.providers.opsera.credentials as OpseraCreds;
  });
  afterAll(async () => {
    await emu.close();
    expect(emu.violations).toEqual([]);
  });

  it('Octopai: a disabled user cannot log in with the right password, the attempt is recorded, and they make no history', async () => {
    const base = emu.providers.octopai.baseUrl;
    const refused = await new OctopaiClient({ baseUrl: base, ...octopai.nonAdmin }).login();
    expect(refused.ok).toBe(false);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ accessToken: null, error: 'Invalid username or password' });

    const admin = new OctopaiClient({ baseUrl: base, userName: octopai.userName, password: octopai.password });
    const r = await admin.postUserEvents({ pageSize: 1000 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const theirs = r.body.filter((e) => e.userName?.toLowerCase() === octopai.nonAdmin.userName.toLowerCase());
    expect(theirs.map((e) => e.eventType)).toEqual(['LoginFailed']);
    expect(r.body.some((e) => e.eventType === 'Login' && e.userName !== octopai.nonAdmin.userName)).toBe(true);
  });

  it("Opsera: every token of an inactive user is refused with 401; other users' tokens work", async () => {
    const base = emu.providers.opsera.baseUrl;
    const theirs = await new OpseraClient({ baseUrl: base, token: opsera.tokens.notAdmin }).getUserActions();
    expect(theirs.status).toBe(401);
    expect(theirs.body).toEqual({ message: 'Unauthorized' });
    const refusal = emu.log.list({ vendor: 'opsera', status: 401 })[0];
    expect(refusal.auth).toMatchObject({ outcome: 'refused', reason: 'token owner is not active' });
    expect((await new OpseraClient({ baseUrl: base, token: opsera.tokens.api }).getUserActions()).status).toBe(200);
  });
});
