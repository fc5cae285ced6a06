/**
 * Dashboard routes on the control app: the cross-vendor timeline, raw events, hourly histogram,
 * a server-sent event stream, the company's people, and the static page in dashboard/.
 * Vendor-neutral: every registered vendor shows up through its runtime and `summarize`.
 */
import type { Hono } from 'hono';
import type { World } from '../core/world.js';
import { shellQuote, type ManifestEntry, type Snippet } from '../core/hooks.js';
import type { ProviderRuntime } from '../core/provider.js';
import { serveDashboardAssets } from './assets.js';
import { DashboardHub } from './stream.js';
import { histogram, parseTimelineQuery, timeline, findEvent, TimelineError } from './timeline.js';

function problem(status: number, message: string): Response {
  return new Response(JSON.stringify({ error: message }), { status, headers: { 'content-type': 'application/json' } });
}

function queryOf(url: string): URLSearchParams {
  return new URL(url).searchParams;
}

/** The dashboard's data routes for one world (mounted for each world under its prefix). */
export function registerDashboardData(app: Hono<any>, emu: World): void {
  const runtimes = (): ProviderRuntime[] => [...emu.runtimes.values()];
  const hub = new DashboardHub(emu);

  app.get('/_emulator/timeline', (c) => {
    try {
      const q = parseTimelineQuery(queryOf(c.req.url), emu, runtimes());
      return c.json(timeline(q));
    } catch (err) {
      if (err instanceof TimelineError) return problem(400, err.message);
      throw err;
    }
  });

  app.get('/_emulator/histogram', (c) => {
    try {
      const q = parseTimelineQuery(queryOf(c.req.url), emu, runtimes(), { defaultSpanMs: 86_400_000 });
      return c.json(histogram(q));
    } catch (err) {
      if (err instanceof TimelineError) return problem(400, err.message);
      throw err;
    }
  });

  app.get('/_emulator/events/:vendor/:id', (c) => {
    const rt = emu.runtimes.get(c.req.param('vendor'));
    if (!rt) return problem(404, `unknown vendor '${c.req.param('vendor')}'`);
    const entry = findEvent(rt, c.req.param('id'));
    if (!entry) return problem(404, `no event '${c.req.param('id')}' in ${rt.provider.id}'s retained history`);
    return new Response(rt.ctx.store.json(entry), {
      headers: { 'content-type': 'application/json', 'x-emulator-injected': entry.injected ? 'true' : 'false' },
    });
  });

  app.get('/_emulator/people', (c) => c.json({ company: { name: emu.company.name, domain: emu.company.domain }, people: emu.company.people }));

  // From the current credentials (Opsera's tokens change with the emulator day), so fetched with the manifest.
  app.get('/_emulator/snippets', (c) => {
    const entries = emu.manifest().providers;
    return c.json({ snippets: Object.fromEntries(runtimes().map((rt) => [rt.provider.id, snippetsOf(rt, entries[rt.provider.id])])) });
  });

  app.get('/_emulator/stream', (c) => hub.response(c));
}

export { serveDashboardAssets };

/** The vendor's own snippets; a plain reachability check for a vendor without any. */
function snippetsOf(rt: ProviderRuntime, entry: ManifestEntry): Snippet[] {
  const own = rt.provider.hooks?.snippets(entry) ?? [];
  return own.length ? own : [{ label: 'curl', code: `curl -s -i ${shellQuote(entry.baseUrl + '/')}` }];
}
