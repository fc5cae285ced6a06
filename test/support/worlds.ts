import { expect } from 'vitest';
import { CrusoeClient } from '../../contracts/crusoe/client.js';
import { InstaclustrClient } from '../../contracts/instaclustr/client.js';
import { K2Client } from '../../contracts/k2/client.js';
import { OctopaiClient } from '../../contracts/octopai/client.js';
import { OpseraClient } from '../../contracts/opsera/client.js';
import type { Manifest } from '../../servers/index.js';
import { FROZEN_NOW } from './emulator.js';
import { crusoeRecord } from './records.js';

/** A Crusoe record in the injection shape whose actor and target name are `marker`. */
export const markedCrusoeRecord = (marker: string, at = FROZEN_NOW) =>
  crusoeRecord({
    action: 'Create',
    actor_id: marker,
    actor_email: `${marker}@example.com`,
    actor_type: 'User',
    start_time: at,
    end_time: at,
    target_names: [marker],
  });

export type Creds = Record<string, any>;
export const creds = (m: Manifest, vendor: string): Creds => m.providers[vendor].credentials;

export interface CreatedWorld {
  id: string;
  controlUrl: string;
  manifest: Manifest;
}

/** JSON calls to a control URL, and world creation through it (asserted to succeed). */
export function worldControl(base: () => string) {
  const control = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const r = await fetch(`${base()}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: r.status, body: await r.json() };
  };
  const createWorld = async (body: object = {}): Promise<CreatedWorld> => {
    const r = await control('POST', '/_emulator/worlds', body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as CreatedWorld;
  };
  return { control, createWorld };
}

/** Clients of all five vendors with a manifest's credentials, as their users write them. */
export function clientsOf(m: Manifest) {
  const c = (v: string) => creds(m, v);
  const url = (v: string) => m.providers[v].baseUrl;
  return {
    crusoe: new CrusoeClient({
      baseUrl: url('crusoe'),
      accessKeyId: c('crusoe').accessKeyId,
      secretKey: c('crusoe').secretKey,
      organizationId: c('crusoe').organizationId,
    }),
    instaclustr: new InstaclustrClient({ baseUrl: url('instaclustr'), username: c('instaclustr').username, apiKey: c('instaclustr').provisioningApiKey }),
    k2: new K2Client({ baseUrl: url('k2'), accessKeyId: c('k2').accessKeyId, secretAccessKey: c('k2').secretAccessKey, region: c('k2').region }),
    octopai: new OctopaiClient({ baseUrl: url('octopai'), userName: c('octopai').userName, password: c('octopai').password }),
    opsera: new OpseraClient({ baseUrl: url('opsera'), token: c('opsera').tokens.api }),
  };
}

/** One authenticated call per vendor with a manifest's credentials: each call's status. */
export async function readAll(m: Manifest): Promise<Record<string, number>> {
  const k = clientsOf(m);
  return {
    crusoe: (await k.crusoe.getAuditLogs({ limit: '1' })).status,
    instaclustr: (await k.instaclustr.getAccountUserActions({ pageSize: 1 })).status,
    k2: (await k.k2.call('DescribeTrails', {})).status,
    octopai: (await k.octopai.login()).status,
    opsera: (await k.opsera.getUserActions({})).status,
  };
}
