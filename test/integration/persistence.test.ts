// A kill -9 loses no acknowledged change: in the middle of a stream of injections, and in the
// middle of a compaction (the journal is rewritten into a snapshot while injections go on).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJournal } from '../../servers/core/journal.js';
import { signRequest } from '../../servers/crusoe/signature.js';
import { startCli } from '../support/cli.js';

const CLI = 'dist/bin/cli.js';
const dir = mkdtempSync(join(tmpdir(), 'audit-emulator-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(stateFile: string, more: string[] = []) {
  return startCli([process.execPath, CLI], ['--only', 'crusoe', '--now', '2026-03-10T10:00:00Z', '--state-file', stateFile, ...more]);
}

function record(i: number) {
  const t = new Date(Date.parse('2026-03-10T09:00:00Z') + (i % 3600) * 1000).toISOString();
  return {
    action: 'Delete',
    actor_id: '5b1f7c2e-93d4-4a6b-8e0f-2c7d9a1b3e45',
    actor_email: 'persist@example.com',
    actor_type: 'User',
    client_ip: '10.193.14.27:50412',
    start_time: t,
    end_time: t,
    result: 'OK',
    surface: 'Console',
    target_names: [`persisted-${i}`],
    target_type: 'VM',
  };
}

describe('persistence across kill -9 (--state-file, --state-dir)', () => {
  it('keeps every acknowledged injection of every world across a SIGKILL in the middle of a stream', { timeout: 120_000 }, async () => {
    const file = join(dir, 'state.json');
    const first = await start(file);
    const worlds = [{ id: 'default', prefix: '/_emulator' }];
    for (let k = 0; k < 2; k++) {
      const made = await (
        await fetch(`${first.control}/_emulator/worlds`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ now: '2026-03-10T10:00:00Z' }),
        })
      ).json();
      worlds.push({ id: made.id, prefix: `/_emulator/worlds/${made.id}` });
    }
    const acknowledged = new Map<string, number[]>(worlds.map((w) => [w.id, []]));
    let stop = false;
    // Inject as fast as possible from several concurrent streams, each world in turn; kill the process mid-way.
    const stream = async (k: number) => {
      for (let i = k; !stop; i += 4) {
        const w = worlds[i % worlds.length];
        try {
          const r = await fetch(`${first.control}${w.prefix}/providers/crusoe/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(record(i)),
          });
          if (r.status === 201) acknowledged.get(w.id)!.push(i);
        } catch {
          return;
        }
      }
    };
    const streams = [0, 1, 2, 3].map(stream);
    const total = () => [...acknowledged.values()].reduce((n, a) => n + a.length, 0);
    // Kill once a good number are acknowledged, whatever the machine's load.
    for (let i = 0; i < 600 && total() < 60; i++) await new Promise((r) => setTimeout(r, 25));
    first.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(streams);
    if (first.proc.exitCode === null && first.proc.signalCode === null) await new Promise((r) => first.proc.once('exit', r));
    for (const w of worlds) expect(acknowledged.get(w.id)!.length, w.id).toBeGreaterThan(10);
    // On disk whatever the moment of the kill: the snapshot is whole JSON, the journal whole records
    // (at most a torn last one, which no acknowledgement waited for).
    for (const w of worlds) {
      const snapshot = w.id === 'default' ? file : join(`${file}.worlds`, w.id, 'snapshot.json');
      const names = namesOnDisk(snapshot, w.id === 'default' ? `${file}.journal` : join(`${file}.worlds`, w.id, 'journal.log'));
      for (const i of acknowledged.get(w.id)!) expect(names.has(`persisted-${i}`), `${w.id} event ${i}`).toBe(true);
    }

    // After a restart every world is back with its credentials, and each serves its own events only.
    const second = await start(file);
    try {
      const listed = await (await fetch(`${second.control}/_emulator/worlds`)).json();
      expect(listed.worlds.map((w: { id: string }) => w.id).sort()).toEqual(worlds.map((w) => w.id).sort());
      const manifest = await (await fetch(`${second.control}/_emulator/manifest`)).json();
      expect(manifest.now).toBe('2026-03-10T10:00:00.000Z');
      for (const [k, w] of worlds.entries()) {
        const served = await servedNames(`${second.control}${w.prefix}/manifest`);
        for (const i of acknowledged.get(w.id)!) expect(served.has(`persisted-${i}`), `${w.id} event ${i}`).toBe(true);
        // Beyond those, at most the ones in flight at the kill: always this world's own.
        expect([...served].filter((n) => Number(n.slice('persisted-'.length)) % worlds.length !== k)).toEqual([]);
      }
    } finally {
      second.proc.kill('SIGKILL');
    }
  });

  it('keeps every acknowledged injection across a SIGKILL in the middle of a compaction', { timeout: 240_000 }, async () => {
    const stateDir = join(dir, 'compacting');
    const world = join(stateDir, 'default');
    const transient = () => existsSync(world) && readdirSync(world).some((n) => /^journal\.log\.\d+$/.test(n));
    const acknowledged: number[] = [];
    let next = 100_000;
    let killedMidway = 0;
    // A kill lands mid-compaction when the next journal is there but not yet renamed over the old one;
    // the timing is the machine's, so kill again after each restart until one did.
    for (let attempt = 0; attempt < 8 && killedMidway === 0; attempt++) {
      const emu = await startCli(
        [process.execPath, CLI],
        ['--only', 'crusoe', '--now', '2026-03-10T10:00:00Z', '--state-dir', stateDir, '--compact-min-bytes', '50000'],
      );
      let stop = false;
      const post = async (body: unknown, ids: number[]) => {
        const r = await fetch(`${emu.control}/_emulator/providers/crusoe/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (r.status === 201) acknowledged.push(...ids);
      };
      const singles = async () => {
        while (!stop) await post(record(next), [next++]).catch(() => (stop = true));
      };
      const batches = async () => {
        while (!stop) {
          const ids = Array.from({ length: 300 }, () => next++);
          await post(ids.map(record), ids).catch(() => (stop = true));
        }
      };
      const streams = [singles(), singles(), singles(), batches()];
      // Kill at the first compaction after a good number of acknowledged injections in this run.
      const enough = acknowledged.length + 1000;
      for (let i = 0; i < 30_000 && !(acknowledged.length >= enough && transient()); i++) await new Promise((r) => setTimeout(r, 1));
      emu.proc.kill('SIGKILL');
      stop = true;
      await Promise.all(streams);
      await exited(emu.proc);
      if (transient()) killedMidway++;
    }
    expect(killedMidway).toBe(1);
    expect(acknowledged.length).toBeGreaterThan(1000);

    const after = await startCli([process.execPath, CLI], ['--only', 'crusoe', '--now', '2026-03-10T10:00:00Z', '--state-dir', stateDir]);
    try {
      const served = await servedNames(`${after.control}/_emulator/manifest`);
      const missing = acknowledged.filter((i) => !served.has(`persisted-${i}`));
      expect(missing).toEqual([]);
      // The interrupted compaction was finished at start: one snapshot, one journal.
      expect(readdirSync(world).sort()).toEqual(['journal.log', 'snapshot.json']);
    } finally {
      after.proc.kill('SIGKILL');
    }
  });

  it('refuses a state file written with another seed', { timeout: 60_000 }, async () => {
    const file = join(dir, 'state.json');
    const proc = spawn(process.execPath, [CLI, 'start', '--seed', '7', '--only', 'crusoe', '--port-base', '0', '--state-file', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => proc.once('exit', r));
    expect(code).toBe(2); // a state file that does not load is a start-up error the user fixes (exit 2)
    expect(err).toContain('was written with seed');
  });
});

async function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) await new Promise((r) => proc.once('exit', r));
}

/** Target names of the events in a snapshot and every journal beside it (a superset of the recovered state). */
function namesOnDisk(snapshot: string, journal: string): Set<string> {
  const names = new Set<string>();
  const add = (rec: unknown) => names.add((rec as { target_names: string[] }).target_names[0]);
  for (const e of JSON.parse(readFileSync(snapshot, 'utf8')).vendors.crusoe?.events ?? []) add(e.rec);
  const folder = join(journal, '..');
  const base = journal.slice(folder.length + 1);
  for (const n of readdirSync(folder).filter((x) => x === base || x.startsWith(`${base}.`))) {
    for (const r of parseJournal(readFileSync(join(folder, n)), n).records) {
      const v = r.value as { t: string; rec?: unknown };
      if (v.t === 'insert') add(v.rec);
    }
  }
  return names;
}

/** Every injected event's target name as Crusoe serves it to the credentials of the world whose manifest this is, page by page. */
async function servedNames(manifestUrl: string): Promise<Set<string>> {
  const manifest = await (await fetch(manifestUrl)).json();
  const c = manifest.providers.crusoe.credentials;
  const path = `/v1alpha5/organizations/${c.organizationId}/audit-logs`;
  const served = new Set<string>();
  let token = '';
  do {
    const query = `actor_emails=persist%40example.com&limit=1000${token ? `&next_token=${encodeURIComponent(token)}` : ''}&start_time=2026-03-10T08%3A00%3A00Z`;
    const res = await fetch(`${manifest.providers.crusoe.baseUrl}${path}?${query}`, {
      headers: signRequest({ accessKeyId: c.accessKeyId, secretKey: c.secretKey, method: 'GET', path, query }),
    });
    const body = await res.json();
    for (const e of body.items as Array<{ target_names: string[] }>) served.add(e.target_names[0]);
    token = body.items.length ? body.next_page_token : '';
  } while (token);
  return served;
}
