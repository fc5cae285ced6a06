/**
 * npm run bench -- volume: history at volume in bounded memory.
 *  1. A client walks the whole 90-day Crusoe history at volume 200 (BENCH_VOLUME) with limit=1000, page by page
 *     (next_page_token), against an emulator in a child process under the default memory budget;
 *     the child's resident memory is sampled from /proc throughout (target: under 400 MB).
 *  2. The same walk at volume 1, and against the bytes limit: a bare server sending pages of the
 *     same walk precomputed (bench/volume-bare.ts), as many pages as the volume-200 walk took.
 *  3. Instaclustr's totalResults and actionCounts over a year at volume 100: the first answer
 *     (which generates the year), the same query again, and a page deep in the year.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CrusoeClient } from '../contracts/crusoe/client.js';
import { InstaclustrClient } from '../contracts/instaclustr/client.js';
import { pinnedChild, type PinnedChild } from './rounds.js';

const NOW = '2026-03-10T10:00:00.000Z';
/** The walk's volume (BENCH_VOLUME; 200 by default, 500 for about two million entries). */
const VOLUME = Number(process.env.BENCH_VOLUME ?? 200);
const DAY = 86_400_000;
const FROM = new Date(Date.parse(NOW) - 90 * DAY + 60_000).toISOString();
const script = (name: string) => fileURLToPath(new URL(`./${name}.js`, import.meta.url));

/** Peak resident memory of a process, sampled every 50 ms until stopped. */
function rssSampler(pid: number): { peak: () => number; stop: () => void } {
  let peak = 0;
  const read = () => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) peak = Math.max(peak, Number(m[1]) * 1024);
  };
  read();
  const timer = setInterval(read, 50);
  return {
    peak: () => (read(), peak),
    stop: () => clearInterval(timer),
  };
}

interface Walk {
  entries: number;
  pages: number;
  seconds: number;
  peakRss: number;
  startRss: number;
}

async function crusoeWalk(volume: number): Promise<Walk> {
  const child = await pinnedChild(script('volume-server'), ['crusoe', String(volume), NOW]);
  try {
    const info = child.info as { baseUrl: string; credentials: { accessKeyId: string; secretKey: string; organizationId: string } };
    const client = new CrusoeClient({ baseUrl: info.baseUrl, ...info.credentials });
    const rss = rssSampler(child.proc.pid!);
    const startRss = rss.peak();
    const t0 = performance.now();
    let token: string | undefined;
    let entries = 0;
    let pages = 0;
    do {
      const r = await client.getAuditLogs((token ? { next_token: token, limit: 1000 } : { start_time: FROM, end_time: NOW, limit: 1000 }) as never);
      if (!r.ok) throw new Error(`bench: crusoe answered ${r.status}: ${JSON.stringify(r.body)}`);
      entries += r.body.items.length;
      pages++;
      token = r.body.next_page_token ?? undefined;
    } while (token);
    const seconds = (performance.now() - t0) / 1000;
    const peakRss = rss.peak();
    rss.stop();
    return { entries, pages, seconds, peakRss, startRss };
  } finally {
    child.stop();
  }
}

async function bareWalk(pages: number): Promise<{ entries: number; seconds: number; bytes: number }> {
  const child: PinnedChild = await pinnedChild(script('volume-bare'), [String(VOLUME), NOW, FROM, '16']);
  try {
    const info = child.info as { url: string; pages: number; bytes: number };
    const t0 = performance.now();
    let entries = 0;
    for (let i = 0; i < pages; i++) {
      const res = await fetch(`${info.url}/${i}`);
      const body = (await res.clone().json()) as { items: unknown[] };
      entries += body.items.length;
    }
    return { entries, seconds: (performance.now() - t0) / 1000, bytes: info.bytes / info.pages };
  } finally {
    child.stop();
  }
}

async function instaclustrYear(volume: number): Promise<string> {
  const child = await pinnedChild(script('volume-server'), ['instaclustr', String(volume), NOW]);
  try {
    const info = child.info as { baseUrl: string; credentials: Record<string, string> };
    const c = info.credentials;
    const client = new InstaclustrClient({
      baseUrl: info.baseUrl,
      username: c.username,
      apiKey: c.provisioningApiKey,
      organisationApiKey: c.organisationManagementApiKey,
    });
    const rss = rssSampler(child.proc.pid!);
    const query = { startTime: new Date(Date.parse(NOW) - 365 * DAY).toISOString(), endTime: NOW, pageSize: 100, getActionCounts: true };
    const timed = async (startIndex: number) => {
      const t0 = performance.now();
      const r = await client.getOrganisationUserActions(c.organisationId, { ...query, startIndex });
      if (!r.ok) throw new Error(`bench: instaclustr answered ${r.status}`);
      return { ms: performance.now() - t0, total: r.body.totalResults, actions: Object.keys(r.body.actionCounts ?? {}).length };
    };
    const cold = await timed(0);
    const warm = await timed(0);
    const deep = await timed(Math.floor(cold.total / 2));
    const peak = rss.peak();
    rss.stop();
    return (
      `instaclustr at volume ${volume}: totalResults ${cold.total.toLocaleString('en')} with actionCounts (${cold.actions} actions) over a year ` +
      `answered in ${cold.ms.toFixed(0)} ms the first time (generating the year), ${warm.ms.toFixed(0)} ms again, ` +
      `${deep.ms.toFixed(0)} ms for a page in the middle (target < 1000 ms); peak RSS ${(peak / 1e6).toFixed(0)} MB`
    );
  } finally {
    child.stop();
  }
}

export async function volumeBench(): Promise<void> {
  const big = await crusoeWalk(VOLUME);
  const one = await crusoeWalk(1);
  const bare = await bareWalk(big.pages);
  const rate = (n: number, s: number) => n / s;
  const bigRate = rate(big.entries, big.seconds);
  const oneRate = rate(one.entries, one.seconds);
  const bareRate = rate(bare.entries, bare.seconds);
  console.log(
    `volume: crusoe 90-day walk at volume ${VOLUME}, limit=1000: ${big.entries.toLocaleString('en')} entries in ${big.pages} pages, ` +
      `${big.seconds.toFixed(1)} s, ${bigRate.toFixed(0)} entries/s; emulator RSS ${(big.startRss / 1e6).toFixed(0)} MB at start, ` +
      `peak ${(big.peakRss / 1e6).toFixed(0)} MB (target < 400 MB)`,
  );
  console.log(
    `volume: at volume 1 ${one.entries.toLocaleString('en')} entries in ${one.pages} pages, ${oneRate.toFixed(0)} entries/s ` +
      `(volume ${VOLUME} / volume 1: ${(bigRate / oneRate).toFixed(2)}); bare server, the same ${big.pages} pages precomputed ` +
      `(${(bare.bytes / 1e3).toFixed(0)} kB each): ${bareRate.toFixed(0)} entries/s (volume ${VOLUME} / bare: ${(bigRate / bareRate).toFixed(2)})`,
  );
  if (!process.env.BENCH_VOLUME) await yearBench();
}

export async function yearBench(): Promise<void> {
  console.log(`volume: ${await instaclustrYear(100)}`);
}
