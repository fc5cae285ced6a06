// Throughput side by side: servers in a child process pinned to one core, autocannon here on another,
// alternating short rounds so neither side gets the quieter part of the run.
import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import autocannon from 'autocannon';

export interface Target {
  url: string;
  /** Fixed headers, or a function giving them afresh for each round (signed requests carry a timestamp). */
  headers: Record<string, string> | (() => Record<string, string>);
  /** CPU seconds of the process serving this side, when it is not the bench child. */
  cpu?: () => number;
}

export async function cannon(url: string, headers: Target['headers'], duration: number): Promise<{ average: number; total: number }> {
  const r = await autocannon({ url, connections: 16, duration, headers: typeof headers === 'function' ? headers() : headers, pipelining: 1 });
  if (r.non2xx || r.errors) throw new Error(`bench: ${r.non2xx} non-2xx, ${r.errors} errors against ${url}`);
  return { average: r.requests.average, total: r.requests.total };
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds (user and system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

export interface PinnedChild {
  proc: ChildProcess;
  /** The first line the child printed, as JSON. */
  info: unknown;
  pinned: boolean;
  /** The child's CPU seconds so far (from /proc). */
  cpu: () => number;
  stop(): void;
}

/** Pin this process (the load generator) to CPU 0 when servers can have CPU 1; whether they can. */
export function pinServers(): boolean {
  const pinned = cpus().length >= 2 && hasTaskset();
  if (pinned) execFileSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });
  return pinned;
}

/** A Node process running `args`, on CPU 1 when pinned. */
export function spawnServer(args: string[], pinned: boolean, stdio: StdioOptions): ChildProcess {
  return pinned ? spawn('taskset', ['-c', '1', process.execPath, ...args], { stdio }) : spawn(process.execPath, args, { stdio });
}

/**
 * With two cores or more, the servers get one and the load generator another, so neither side's
 * speed depends on where the scheduler happens to put the other.
 */
export async function pinnedChild(script: string, args: string[] = []): Promise<PinnedChild> {
  const pinned = pinServers();
  const proc = spawnServer([script, ...args], pinned, ['pipe', 'pipe', 'inherit']);
  const info = await new Promise<unknown>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    proc.once('exit', (code) => reject(new Error(`bench servers exited ${code}`)));
  });
  return {
    proc,
    info,
    pinned,
    cpu: () => {
      return cpuSeconds(proc.pid!);
    },
    stop: () => {
      proc.stdin!.end();
      if (pinned) execFileSync('taskset', ['-cp', `0-${cpus().length - 1}`, String(process.pid)], { stdio: 'ignore' });
    },
  };
}

export interface Rounds {
  rounds: number;
  /** Mean requests/s of each side. */
  a: number;
  b: number;
  /** Median, lowest and highest of the per-round ratios a/b. */
  median: number;
  min: number;
  max: number;
  /** Server CPU microseconds per request of each side. */
  usA: number;
  usB: number;
}

/** Warm both, then alternate 2-second rounds; the median of the per-round ratios resists this machine's noise. */
export async function alternatingRounds(child: PinnedChild, seconds: number, t: { a: Target; b: Target }): Promise<Rounds> {
  await cannon(t.a.url, t.a.headers, 2);
  await cannon(t.b.url, t.b.headers, 2);
  const rounds = Math.max(3, Math.round(seconds / 2));
  const ratios: number[] = [];
  const sum = { a: 0, b: 0, cpuA: 0, cpuB: 0, reqA: 0, reqB: 0 };
  const measure = async (side: Target): Promise<{ average: number; total: number; cpu: number }> => {
    const cpu = side.cpu ?? child.cpu;
    const c0 = cpu();
    const r = await cannon(side.url, side.headers, 2);
    return { ...r, cpu: cpu() - c0 };
  };
  for (let i = 0; i < rounds; i++) {
    const b = await measure(t.b);
    const a = await measure(t.a);
    sum.cpuA += a.cpu;
    sum.cpuB += b.cpu;
    ratios.push(a.average / b.average);
    sum.a += a.average;
    sum.b += b.average;
    sum.reqA += a.total;
    sum.reqB += b.total;
  }
  ratios.sort((x, y) => x - y);
  return {
    rounds,
    a: sum.a / rounds,
    b: sum.b / rounds,
    median: ratios[Math.floor(ratios.length / 2)],
    min: ratios[0],
    max: ratios[ratios.length - 1],
    usA: (sum.cpuA * 1e6) / sum.reqA,
    usB: (sum.cpuB * 1e6) / sum.reqB,
  };
}
