/**
 * The state engine's figures (`npm run bench -- state`), each side by side in one run:
 *  1. acknowledgement latency (p50, p99) of single injections through the control API with 100 and
 *     with 100,000 stored events, in alternating rounds, and at 100,000 while a compaction runs;
 *  2. Crusoe read throughput from a state directory holding 100,000 events against the same events
 *     without persistence (both in one child process pinned to one core, autocannon on the other,
 *     alternating 2-second rounds);
 *  3. restart time with 100,000 stored events: CLI spawn to a ready manifest, from a compacted
 *     snapshot and from a journal only, against the same CLI without state.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../servers/index.js';
import { insertCrusoe } from './fill.js';
import { alternatingRounds, pinnedChild } from './rounds.js';

const NOW = '2026-03-10T10:00:00.000Z';
const LARGE = 100_000;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ms = (x: number) => `${x.toFixed(2)} ms`;

function injection(i: number): string {
  const t = new Date(Date.parse(NOW) - 3_600_000 + i).toISOString();
  return JSON.stringify({
    action: 'Delete',
    actor_id: '5b1f7c2e-93d4-4a6b-8e0f-2c7d9a1b3e45',
    actor_email: 'bench@example.com',
    actor_type: 'User',
    client_ip: '10.193.14.27:50412',
    start_time: t,
    end_time: t,
    result: 'OK',
    surface: 'Console',
    target_names: [`bench-${i}`],
    target_type: 'VM',
  });
}

let sent = 0;
/** One injection, from the request to the acknowledging 201 (which waits for its fdatasync). */
async function inject(emu: Emulator): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(`${emu.controlUrl}/_emulator/providers/crusoe/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: injection(sent++),
  });
  await r.arrayBuffer();
  if (r.status !== 201) throw new Error(`bench: injection answered ${r.status}`);
  return performance.now() - t0;
}

/** A state directory holding `count` injected Crusoe events, compacted into its snapshot unless told not to. */
async function filledDir(dir: string, count: number, compact = true): Promise<Emulator> {
  const emu = await startEmulator({ portBase: 0, now: NOW, only: ['crusoe'], stateDir: dir, compactMinBytes: compact ? undefined : Infinity });
  insertCrusoe(emu, count);
  await emu.changed();
  if (compact) await emu.persistence!.compact();
  return emu;
}

async function latency(root: string, seconds: number): Promise<void> {
  const small = await filledDir(join(root, 'small'), 100);
  const large = await filledDir(join(root, 'large'), LARGE);
  const n = Math.max(400, Math.min(2000, seconds * 50));
  const times: { small: number[]; large: number[] } = { small: [], large: [] };
  for (let i = 0; i < 50; i++) {
    await inject(small);
    await inject(large);
  }
  for (let done = 0; done < n; done += 25) {
    for (let i = 0; i < 25; i++) times.small.push(await inject(small));
    for (let i = 0; i < 25; i++) times.large.push(await inject(large));
  }
  const during: number[] = [];
  const t0 = performance.now();
  let compacting = true;
  const compaction = large.persistence!.compact().finally(() => (compacting = false));
  while (compacting) during.push(await inject(large));
  await compaction;
  const compactMs = performance.now() - t0;
  const snapshotMb = statSync(large.persistence!.layout.snapshot).size / 1e6;
  const [p50s, p99s, p50l, p99l] = [pct(times.small, 50), pct(times.small, 99), pct(times.large, 50), pct(times.large, 99)];
  console.log(
    `state ack latency: ${n} single injections each, alternating rounds of 25: with 100 stored events p50 ${ms(p50s)}, p99 ${ms(p99s)}; ` +
      `with ${LARGE.toLocaleString('en')} p50 ${ms(p50l)}, p99 ${ms(p99l)}; p99 ratio ${(p99l / p99s).toFixed(2)} (target <= 2). ` +
      `During a compaction of ${LARGE.toLocaleString('en')} events (${snapshotMb.toFixed(0)} MB snapshot, ${compactMs.toFixed(0)} ms): ` +
      `${during.length} injections, p50 ${ms(pct(during, 50))}, p99 ${ms(pct(during, 99))}, max ${ms(Math.max(...during))}`,
  );
  await Promise.all([small.close(), large.close()]);
}

async function throughput(root: string, seconds: number): Promise<void> {
  const dir = join(root, 'reads');
  await (await filledDir(dir, LARGE)).close();
  const child = await pinnedChild(fileURLToPath(new URL('./state-servers.js', import.meta.url)), [dir, String(LARGE)]);
  const info = child.info as { persisted: { url: string; headers: Record<string, string> }; memory: { url: string; headers: Record<string, string> } };
  const r = await alternatingRounds(child, seconds, { a: info.persisted, b: info.memory });
  console.log(
    `state read throughput: signed Crusoe query from a state directory holding ${LARGE.toLocaleString('en')} events ${r.a.toFixed(0)} req/s, ` +
      `the same events without persistence ${r.b.toFixed(0)} req/s (ratio ${(r.a / r.b).toFixed(2)}); ` +
      `median ratio over ${r.rounds} alternating rounds ${r.median.toFixed(2)} ` +
      `(range ${r.min.toFixed(2)}-${r.max.toFixed(2)}; target >= 0.9)${child.pinned ? '; servers pinned to CPU 1, load generator to CPU 0' : ''}`,
  );
  child.stop();
}

/** CLI spawn to a manifest that lists the vendors. */
async function cliStart(args: string[], port: number): Promise<number> {
  const cli = fileURLToPath(new URL('../bin/cli.js', import.meta.url));
  const t0 = performance.now();
  const argv = [cli, 'start', '--port-base', String(port), '--only', 'crusoe', '--now', NOW, ...args];
  const p = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/_emulator/manifest`);
      if (r.ok && Object.keys((await r.json()).providers).length) break;
    } catch {
      /* not listening yet */
    }
    if (p.exitCode !== null) throw new Error(`bench: the CLI exited with ${p.exitCode}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const took = performance.now() - t0;
  p.kill('SIGTERM');
  await new Promise((r) => p.once('exit', r));
  return took;
}

async function restart(root: string): Promise<void> {
  const snap = join(root, 'restart-snapshot');
  const journal = join(root, 'restart-journal');
  await (await filledDir(snap, LARGE)).close();
  await (await filledDir(journal, LARGE, false)).close();
  const runs: { none: number[]; snap: number[]; journal: number[] } = { none: [], snap: [], journal: [] };
  for (let i = 0; i < 3; i++) {
    runs.none.push(await cliStart([], 47200 + i * 30));
    runs.snap.push(await cliStart(['--state-dir', snap], 47210 + i * 30));
    runs.journal.push(await cliStart(['--state-dir', journal], 47220 + i * 30));
  }
  const med = (xs: number[]) => `${pct(xs, 50).toFixed(0)} ms (best ${Math.min(...xs).toFixed(0)})`;
  const mb = (d: string, f: string) => (statSync(join(d, 'default', f)).size / 1e6).toFixed(0);
  console.log(
    `state restart: CLI spawn to a ready manifest (Crusoe only, median of 3) with ${LARGE.toLocaleString('en')} stored events ` +
      `${med(runs.snap)} from a ${mb(snap, 'snapshot.json')} MB snapshot, ${med(runs.journal)} from a ${mb(journal, 'journal.log')} MB journal; ` +
      `without state ${med(runs.none)} (target <= 2000)`,
  );
}

export async function stateBench(seconds: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'bench-state-'));
  try {
    await latency(root, seconds);
    await throughput(root, seconds);
    await restart(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
