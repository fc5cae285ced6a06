// `verifyCollected` and `audit-emulator verify`: a collector's output with one record removed, one
// duplicated, one changed and one invented is reported with exactly those counts, for every feed.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCollected } from '../../contracts/index.js';
import { K2Client } from '../../contracts/k2/client.js';
import { startEmulator } from '../../servers/index.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW });
const HOUR = 3_600_000;
const FROM = new Date(Date.parse(FROZEN_NOW) - 24 * HOUR).toISOString();
let TO = FROZEN_NOW;

/** Each feed's id field (null: the whole record is the identity). */
const FEEDS: Array<[string, string, string | null]> = [
  ['crusoe', 'audit-logs', null],
  ['instaclustr', 'account', 'id'],
  ['instaclustr', 'organisation', 'id'],
  ['k2', 'lookup-events', 'EventId'],
  ['k2', 'trail-archives', 'eventID'],
  ['octopai', 'user-events', 'id'],
  ['opsera', 'actions', '_id'],
  ['opsera', 'tokens', '_id'],
];

async function truth(vendor: string, feed: string): Promise<any[]> {
  const r = await fetch(`${env.get().controlUrl}/_emulator/providers/${vendor}/truth?${new URLSearchParams({ feed, from: FROM, to: TO })}`);
  return ((await r.json()) as { records: any[] }).records;
}

/** The truth with its first record removed, the second collected twice, the third changed and one invented. */
function spoiled(records: any[], idField: string | null): any[] {
  const [, second, third, fourth, ...rest] = records;
  const key = Object.keys(third).find((k) => k !== idField && typeof third[k] === 'string')!;
  const changed = { ...third, [key]: `${third[key]}-changed` };
  const invented = idField
    ? { ...fourth, [idField]: typeof fourth[idField] === 'number' ? 1 : 'invented-0001' }
    : { ...fourth, [Object.keys(fourth)[0]]: 'invented' };
  return [second, second, changed, fourth, invented, ...rest];
}

beforeAll(async () => {
  // Trail archives need a trail that has logged and periods that have passed.
  const c = env.get().providers.k2.credentials as any;
  const k2 = new K2Client({ baseUrl: env.get().providers.k2.baseUrl, ...c });
  const target = { targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101' };
  await k2.raw('CreateTrail', JSON.stringify({ Name: 'verify', S3BucketName: `${c.customer}-activity-log` }), target);
  await k2.raw('StartLogging', JSON.stringify({ Name: 'verify' }), target);
  await fetch(`${env.get().controlUrl}/_emulator/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advance":"PT1H"}' });
  TO = new Date(Date.parse(FROZEN_NOW) + HOUR).toISOString();
});

describe('verifyCollected', () => {
  it.each(FEEDS)('%s %s: exactly one missing, duplicated, changed and unexpected record', async (vendor, feed, idField) => {
    const records = await truth(vendor, feed);
    expect(records.length, `${vendor} ${feed} has records to spoil`).toBeGreaterThanOrEqual(4);
    const control = env.get().controlUrl;
    const clean = await verifyCollected({ vendor, feed, from: FROM, to: TO, control, records: [...records].reverse() });
    expect(clean).toMatchObject({ ok: true, expected: records.length, collected: records.length });
    const r = await verifyCollected({ vendor, feed, from: FROM, to: TO, control, records: spoiled(records, idField) });
    const counts = { missing: r.missing.count, duplicated: r.duplicated.count, changed: r.changed.count, unexpected: r.unexpected.count };
    // Where the record is its own identity, a changed record is one missing plus one unexpected.
    expect(counts).toEqual(idField ? { missing: 1, duplicated: 1, changed: 1, unexpected: 1 } : { missing: 2, duplicated: 1, changed: 0, unexpected: 2 });
    expect(r.ok).toBe(false);
    expect(r.collected).toBe(records.length + 1);
    expect(r.missing.first).toContainEqual(records[0]);
    if (idField) expect(r.changed.first[0]).toMatchObject({ identity: String(records[2][idField]), expected: records[2] });
  });

  it('takes the feed of a vendor with one, refuses to guess among several', async () => {
    const control = env.get().controlUrl;
    expect((await verifyCollected({ vendor: 'octopai', from: FROM, to: TO, control, records: [] })).feed).toBe('user-events');
    await expect(verifyCollected({ vendor: 'opsera', from: FROM, to: TO, control, records: [] })).rejects.toThrow(/actions, tokens/);
    await expect(verifyCollected({ vendor: 'nosuch', from: FROM, to: TO, control, records: [] })).rejects.toThrow(/unknown vendor/);
  });

  it("checks against a world's own truth when given the world's control URL", async () => {
    const w = await env.get().createWorld({ now: FROZEN_NOW });
    try {
      const marker = { action: 'Create', actor_id: 'world-only', actor_email: 'world-only@example.com', actor_type: 'User', client_ip: '10.0.0.1:1' };
      const times = { start_time: '2026-03-10T09:00:00Z', end_time: '2026-03-10T09:00:00Z', result: 'OK', surface: 'API', target_names: ['world-only'] };
      await w.inject('crusoe', { ...marker, ...times });
      const r = await fetch(`${w.controlUrl}/providers/crusoe/truth?${new URLSearchParams({ from: FROM, to: FROZEN_NOW })}`);
      const records = ((await r.json()) as { records: Array<{ actor_id: string }> }).records;
      expect(records.some((x) => x.actor_id === 'world-only')).toBe(true);
      const inWorld = await verifyCollected({ vendor: 'crusoe', from: FROM, to: FROZEN_NOW, control: w.controlUrl, records });
      expect(inWorld).toMatchObject({ ok: true, expected: records.length });
      // The default world has no such record: the same output is one record too many there.
      const inDefault = await verifyCollected({ vendor: 'crusoe', from: FROM, to: FROZEN_NOW, control: env.get().controlUrl, records });
      expect(inDefault.unexpected.count).toBe(1);
    } finally {
      await w.close();
    }
  });

  it('sends the control token to a token-protected control port', async () => {
    const emu = await startEmulator({ portBase: 0, now: FROZEN_NOW, only: ['crusoe'], controlToken: 'verify-token' });
    try {
      const o = { vendor: 'crusoe', from: FROM, to: FROZEN_NOW, control: emu.controlUrl, records: [] };
      await expect(verifyCollected(o)).rejects.toThrow(/401/);
      expect((await verifyCollected({ ...o, controlToken: 'verify-token' })).expected).toBeGreaterThan(0);
    } finally {
      await emu.close();
    }
  });
});

describe('audit-emulator verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Asynchronous: the emulator answering the CLI runs in this process.
  const cli = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['dist/bin/cli.js', 'verify', ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
      });
    });

  it('exits 0 on a JSON-lines file holding the truth, 1 with the report on a spoiled array, 2 on bad arguments', async () => {
    const records = await truth('instaclustr', 'account');
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const args = ['--vendor', 'instaclustr', '--feed', 'account', '--from', FROM, '--to', TO, '--control', env.get().controlUrl];
    const ok = await cli([...args, good]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/expected (\d+), collected \1/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(spoiled(records, 'id')));
    const r = await cli([...args, '--json', bad]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ missing: { count: 1 }, duplicated: { count: 1 }, changed: { count: 1 }, unexpected: { count: 1 }, ok: false });
    const text = await cli([...args, bad]);
    expect(text.stdout).toMatch(/missing: 1\n {4}\{"id":"[^"]+"/);
    expect((await cli(['--vendor', 'opsera', '--from', FROM, '--to', TO, good])).status).toBe(2);
    expect((await cli([...args])).status).toBe(2);
  });
});
