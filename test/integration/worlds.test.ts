import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../servers/index.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';
import { creds, markedCrusoeRecord, readAll, worldControl } from '../support/worlds.js';

const env = useEmulator({ now: FROZEN_NOW });
const { control, createWorld } = worldControl(() => env.get().controlUrl);
const HOUR = 3_600_000;
describe('worlds: made, listed, read and deleted through the control API', () => {
  it('hands out credentials of its own in every field a vendor finds the caller by', async () => {
    const w = await createWorld({ name: 'own-credentials' });
    const d = env.get().manifest();
    expect(w.controlUrl).toBe(`${env.get().controlUrl}/_emulator/worlds/${w.id}`);
    expect(w.manifest.controlUrl).toBe(w.controlUrl);
    expect(Object.keys(w.manifest.providers).sort()).toEqual(Object.keys(d.providers).sort());
    for (const v of Object.keys(d.providers)) expect(w.manifest.providers[v].baseUrl).toBe(d.providers[v].baseUrl);
    expect(creds(w.manifest, 'crusoe').accessKeyId).not.toBe(creds(d, 'crusoe').accessKeyId);
    expect(creds(w.manifest, 'crusoe').secretKey).not.toBe(creds(d, 'crusoe').secretKey);
    for (const k of ['provisioningApiKey', 'readOnlyProvisioningApiKey', 'monitoringApiKey', 'organisationManagementApiKey']) {
      expect(creds(w.manifest, 'instaclustr')[k]).not.toBe(creds(d, 'instaclustr')[k]);
    }
    expect(creds(w.manifest, 'k2').accessKeyId).not.toBe(creds(d, 'k2').accessKeyId);
    expect(creds(w.manifest, 'octopai').userName).not.toBe(creds(d, 'octopai').userName);
    expect(creds(w.manifest, 'octopai').password).not.toBe(creds(d, 'octopai').password);
    expect(creds(w.manifest, 'opsera').tokens.api).not.toBe(creds(d, 'opsera').tokens.api);
    expect(await readAll(w.manifest)).toEqual({ crusoe: 200, instaclustr: 200, k2: 200, octopai: 200, opsera: 200 });
    const listed = await control('GET', '/_emulator/worlds');
    expect(listed.body.worlds.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining(['default', w.id]));
    const one = await control('GET', `/_emulator/worlds/${w.id}`);
    expect(one.body).toMatchObject({ id: w.id, name: 'own-credentials', seed: env.get().seed });
  });

  it('records a failed Octopai login in the world whose user name it names', async () => {
    const w = await createWorld({ now: FROZEN_NOW });
    const o = creds(w.manifest, 'octopai');
    const r = await fetch(`${w.manifest.providers.octopai.baseUrl}/api/UserAccount/Login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Username: o.userName, Password: 'not-the-password' }),
    });
    expect(r.status).toBe(401);
    const failed = (body: { records: Array<{ eventType: string; userName: string }> }) =>
      body.records.filter((e) => e.eventType === 'LoginFailed' && e.userName === o.userName);
    const window = `from=${FROZEN_NOW}&to=${FROZEN_NOW}`;
    expect(failed((await control('GET', `/_emulator/worlds/${w.id}/providers/octopai/truth?${window}`)).body)).toHaveLength(1);
    expect(failed((await control('GET', `/_emulator/providers/octopai/truth?${window}`)).body)).toHaveLength(0);
  });

  it("reaches a world's K2 console by its customer, and leaves the default world's alone", async () => {
    const w = await createWorld({ now: FROZEN_NOW });
    const path = (m: typeof w.manifest) => `${m.providers.k2.baseUrl}/_console/k2/customers/${creds(m, 'k2').customer}/activity-log/subscription`;
    const put = await fetch(path(w.manifest), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"active":false}' });
    expect(await put.json()).toEqual({ active: false });
    expect(await (await fetch(path(w.manifest))).json()).toEqual({ active: false });
    expect(await (await fetch(path(env.get().manifest()))).json()).toEqual({ active: true });
  });

  it('answers a presigned S3 request from the world whose key signed it', async () => {
    const w = await createWorld({ now: FROZEN_NOW });
    const k = creds(w.manifest, 'k2');
    const base = new URL(w.manifest.providers.k2.baseUrl);
    const bucket = `${k.customer}-activity-log`;
    const signer = new SignatureV4({
      service: 's3',
      region: k.region,
      credentials: { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey },
      sha256: Sha256,
      uriEscapePath: false,
    });
    const req = {
      method: 'GET',
      protocol: 'http:',
      hostname: base.hostname,
      port: Number(base.port),
      path: `/${bucket}`,
      headers: { host: base.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      query: { 'list-type': '2' },
    };
    // As the S3 presigner signs: the payload hash stays out of the query and the signature.
    const skip = new Set(['x-amz-content-sha256']);
    const signed = await signer.presign(req, { expiresIn: 600, unhoistableHeaders: skip, unsignableHeaders: skip });
    const r = await fetch(`${base.origin}/${bucket}?${new URLSearchParams(signed.query as Record<string, string>)}`);
    const text = await r.text();
    expect(r.status, text).toBe(200);
    expect(text).toContain(`<Name>${bucket}</Name>`);
  });

  it('gives two worlds of one seed the same history and different credentials', async () => {
    const a = await createWorld({ seed: 7, now: FROZEN_NOW });
    const b = await createWorld({ seed: 7, now: FROZEN_NOW });
    const day = `from=${new Date(Date.parse(FROZEN_NOW) - 24 * HOUR).toISOString()}&to=${FROZEN_NOW}`;
    const ta = await control('GET', `/_emulator/worlds/${a.id}/providers/crusoe/truth?${day}`);
    const tb = await control('GET', `/_emulator/worlds/${b.id}/providers/crusoe/truth?${day}`);
    expect(ta.status).toBe(200);
    expect(ta.body.count).toBeGreaterThan(0);
    expect(tb.body.records).toEqual(ta.body.records);
    expect(creds(a.manifest, 'crusoe').accessKeyId).not.toBe(creds(b.manifest, 'crusoe').accessKeyId);
  });

  it("refuses a deleted world's credentials on all five vendors, as each refuses an unknown one", async () => {
    const w = await createWorld();
    expect(await readAll(w.manifest)).toEqual({ crusoe: 200, instaclustr: 200, k2: 200, octopai: 200, opsera: 200 });
    expect((await control('DELETE', `/_emulator/worlds/${w.id}`)).status).toBe(200);
    expect(await readAll(w.manifest)).toEqual({ crusoe: 401, instaclustr: 401, k2: 400, octopai: 401, opsera: 401 });
    expect((await control('GET', `/_emulator/worlds/${w.id}/clock`)).status).toBe(404);
    expect((await control('DELETE', `/_emulator/worlds/${w.id}`)).status).toBe(404);
    expect(await readAll(env.get().manifest())).toEqual({ crusoe: 200, instaclustr: 200, k2: 200, octopai: 200, opsera: 200 });
  });

  it("answers bad requests in the control API's shape, and never deletes the default world", async () => {
    expect((await control('DELETE', '/_emulator/worlds/default')).status).toBe(409);
    const badSeed = await control('POST', '/_emulator/worlds', { seed: 'x' });
    expect(badSeed.status).toBe(400);
    expect(badSeed.body.error).toMatch(/seed/);
    const badSwitch = await control('POST', '/_emulator/worlds', { config: { crusoe: { noSuchSwitch: true } } });
    expect(badSwitch.status).toBe(400);
    expect(badSwitch.body.error).toMatch(/noSuchSwitch/);
    const badVendor = await control('POST', '/_emulator/worlds', { only: ['nope'] });
    expect(badVendor.status).toBe(400);
    const badScenario = await control('POST', '/_emulator/worlds', { scenarios: ['no-such-story'] });
    expect(badScenario.status).toBe(400);
    const taken = await control('POST', '/_emulator/worlds', {
      config: { crusoe: { credentials: { accessKeyId: creds(env.get().manifest(), 'crusoe').accessKeyId } } },
    });
    expect(taken.status).toBe(409);
    const before = (await control('GET', '/_emulator/worlds')).body.worlds.length;
    expect((await control('POST', '/_emulator/worlds', { frozen: 'yes' })).status).toBe(400);
    expect((await control('GET', '/_emulator/worlds')).body.worlds.length).toBe(before);
  });

  it('stops at --max-worlds with a 409', async () => {
    const emu = await startEmulator({ portBase: 0, maxWorlds: 2, only: ['crusoe'] });
    try {
      const post = () => fetch(`${emu.controlUrl}/_emulator/worlds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect((await post()).status).toBe(201);
      const full = await post();
      expect(full.status).toBe(409);
      expect(((await full.json()) as { error: string }).error).toMatch(/at most 2 worlds/);
    } finally {
      await emu.close();
    }
  });

  it('gives the same handle programmatically, and close() deletes the world', async () => {
    const w = await env.get().createWorld({ now: FROZEN_NOW });
    const ids = await w.inject('crusoe', markedCrusoeRecord('handle'));
    expect(ids).toHaveLength(1);
    w.setClock({ advance: 'PT1H' });
    expect(w.clock.now()).toBe(Date.parse(FROZEN_NOW) + HOUR);
    expect(env.get().worlds.get(w.id)).toBeDefined();
    await w.close();
    expect(env.get().worlds.get(w.id)).toBeUndefined();
  });
});
