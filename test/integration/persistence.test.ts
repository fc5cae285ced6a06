import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli.js';

const CLI = 'dist/bin/cli.js';
const dir = mkdtempSync(join(tmpdir(), 'audit-emulator-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(stateFile: string) {
  return startCli([process.execPath, CLI], ['--only', 'crusoe', '--now', '2026-03-10T10:00:00Z', '--state-file', stateFile]);
}

function record(i: number) {
  const t = new Date(Date.parse('2026-03-10T09:00:00Z') + i * 1000).toISOString();
  return {
    action: 'Delete', actor_id: '5b1f7c2e-93d4-4a6b-8e0f-2c7d9a1b3e45', actor_email: 'persist@example.com', actor_type: 'User',
    client_ip: '10.193.14.27:50412', start_time: t, end_time: t, result: 'OK', surface: 'Console', target_names: [`persisted-${i}`], target_type: 'VM',
  };
}

describe('persistence with --state-file', () => {
  it('keeps every acknowledged injection across a SIGKILL in the middle of a stream', { timeout: 120_000 }, async () => {
    const file = join(dir, 'state.json');
    const first = await start(file);
    const acknowledged: number[] = [];
    let stop = false;
    // Inject as fast as possible from several concurrent streams; kill the process mid-way.
    const stream = async (k: number) => {
      for (let i = k; !stop; i += 4) {
        try {
          const r = await fetch(`${first.control}/_emulator/providers/crusoe/events`, {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(record(i)),
          });
          if (r.status === 201) acknowledged.push(i);
        } catch {
          return;
        }
      }
    };
    const streams = [0, 1, 2, 3].map(stream);
    // Kill once a good number are acknowledged, whatever the machine's load.
    for (let i = 0; i < 600 && acknowledged.length < 40; i++) await new Promise((r) => setTimeout(r, 25));
    first.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(streams);
    if (first.proc.exitCode === null && first.proc.signalCode === null) await new Promise((r) => first.proc.once('exit', r));
    expect(acknowledged.length).toBeGreaterThan(20);
    // The file is whole JSON whatever the moment of the kill.
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    const names = new Set(saved.vendors.crusoe.events.map((e: { rec: { target_names: string[] } }) => e.rec.target_names[0]));
    for (const i of acknowledged) expect(names.has(`persisted-${i}`), `event ${i}`).toBe(true);

    // After a restart the events are served by the vendor API with their ids.
    const second = await start(file);
    try {
      const manifest = await (await fetch(`${second.control}/_emulator/manifest`)).json();
      expect(manifest.now).toBe('2026-03-10T10:00:00.000Z');
      const { signRequest } = await import('../../servers/crusoe/signature.js');
      const c = manifest.providers.crusoe.credentials;
      const path = `/v1alpha5/organizations/${c.organizationId}/audit-logs`;
      const query = 'actor_emails=persist%40example.com&limit=1000&start_time=2026-03-10T08%3A00%3A00Z';
      const res = await fetch(`${manifest.providers.crusoe.baseUrl}${path}?${query}`, {
        headers: signRequest({ accessKeyId: c.accessKeyId, secretKey: c.secretKey, method: 'GET', path, query }),
      });
      const body = await res.json();
      const served = new Set(body.items.map((e: { target_names: string[] }) => e.target_names[0]));
      for (const i of acknowledged) expect(served.has(`persisted-${i}`)).toBe(true);
    } finally {
      second.proc.kill('SIGKILL');
    }
  });

  it('refuses a state file written with another seed', { timeout: 60_000 }, async () => {
    const file = join(dir, 'state.json');
    const proc = spawn(process.execPath, [CLI, 'start', '--seed', '7', '--only', 'crusoe', '--port-base', '0', '--state-file', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d) => (err += d));
    const code = await new Promise((r) => proc.once('exit', r));
    expect(code).toBe(2); // a state file that does not load is a start-up error the user fixes (exit 2)
    expect(err).toContain('was written with seed');
  });
});
