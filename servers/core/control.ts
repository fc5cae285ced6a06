import { Hono } from 'hono';
import { readJsonBody } from './body.js';
import type { Emulator } from './emulator.js';
import { registerDocs } from './docs.js';
import { FaultSet } from './faults.js';
import { registerDashboard } from '../dashboard/index.js';

function problem(status: number, message: string): Response {
  return new Response(JSON.stringify({ error: message }), { status, headers: { 'content-type': 'application/json' } });
}

async function jsonBody(req: Request): Promise<{ ok: true; value: unknown } | { ok: false; res: Response }> {
  const r = await readJsonBody(req, 10_000_000);
  if (!r.ok) return { ok: false, res: r.why === 'too_large' ? problem(413, 'body too large (10 MB at most)') : problem(400, 'body is not valid JSON') };
  return { ok: true, value: r.empty ? {} : r.value };
}

/** The `/_emulator/*` API on the control port. */
export function createControlApp(emu: Emulator): Hono {
  const app = new Hono();

  app.get('/_emulator/health', (c) => c.json({ status: 'ok', now: new Date(emu.clock.now()).toISOString() }));
  app.get('/_emulator/manifest', (c) => c.json(emu.manifest()));
  app.post('/_emulator/reset', (c) => {
    emu.reset();
    return c.json({ reset: true, now: new Date(emu.clock.now()).toISOString() });
  });
  app.get('/_emulator/clock', (c) => c.json(emu.clock.state()));
  app.post('/_emulator/clock', async (c) => {
    const body = await jsonBody(c.req.raw);
    if (!body.ok) return body.res;
    const b = body.value as Record<string, unknown>;
    if (!b || typeof b !== 'object' || Array.isArray(b)) return problem(400, 'body must be a JSON object');
    const unknown = Object.keys(b).filter((k) => !['set', 'advance', 'frozen'].includes(k));
    if (unknown.length) return problem(400, `unknown field '${unknown[0]}': expected set, advance or frozen`);
    if (b.frozen !== undefined && typeof b.frozen !== 'boolean') return problem(400, "field 'frozen' must be true or false");
    if (b.set !== undefined && typeof b.set !== 'string') return problem(400, "field 'set' must be an ISO-8601 instant");
    if (b.advance !== undefined && typeof b.advance !== 'string' && typeof b.advance !== 'number') {
      return problem(400, "field 'advance' must be an ISO-8601 duration or a number of seconds");
    }
    try {
      emu.setClock(b as { set?: string; advance?: string | number; frozen?: boolean });
    } catch (err) {
      return problem(400, (err as Error).message);
    }
    emu.changed();
    return c.json(emu.clock.state());
  });
  app.post('/_emulator/providers/:id/events', async (c) => {
    const rt = emu.runtimes.get(c.req.param('id'));
    if (!rt) return problem(404, `unknown provider '${c.req.param('id')}'`);
    const body = await jsonBody(c.req.raw);
    if (!body.ok) return body.res;
    const result = rt.inject(body.value);
    if (!result.ok) return problem(400, result.message);
    emu.changed();
    return c.json({ accepted: result.ids.length, ids: result.ids }, 201);
  });
  app.get('/_emulator/scenarios', (c) => c.json({ scenarios: emu.scenarios.list() }));
  app.get('/_emulator/scenarios/applied', (c) => c.json({ applied: emu.scenarios.history() }));
  app.post('/_emulator/scenarios/:name', async (c) => {
    const body = await jsonBody(c.req.raw);
    if (!body.ok) return body.res;
    const v = body.value;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return problem(400, 'body must be a JSON object of parameters');
    const r = emu.scenarios.apply(c.req.param('name'), v as Record<string, unknown>);
    if (!r.ok) return problem(r.status, r.message);
    emu.changed();
    return c.json({ scenario: r.result.name, ...r.result }, 201);
  });
  app.get('/_emulator/faults', (c) =>
    c.json({ faults: Object.fromEntries([...emu.runtimes].map(([id, rt]) => [id, rt.faults.list()])) }),
  );
  app.put('/_emulator/faults/:id', async (c) => {
    const rt = emu.runtimes.get(c.req.param('id'));
    if (!rt) return problem(404, `unknown provider '${c.req.param('id')}'`);
    const body = await jsonBody(c.req.raw);
    if (!body.ok) return body.res;
    const v = body.value as { faults?: unknown };
    const parsed = FaultSet.parse(v && typeof v === 'object' && 'faults' in v ? v.faults : v);
    if (!parsed.ok) return problem(400, parsed.message);
    rt.faults.set(parsed.faults);
    return c.json({ faults: rt.faults.list() });
  });
  app.delete('/_emulator/faults/:id', (c) => {
    const rt = emu.runtimes.get(c.req.param('id'));
    if (!rt) return problem(404, `unknown provider '${c.req.param('id')}'`);
    rt.faults.clear();
    return c.json({ faults: [] });
  });
  app.delete('/_emulator/faults', (c) => {
    for (const rt of emu.runtimes.values()) rt.faults.clear();
    return c.json({ faults: {} });
  });
  app.get('/_emulator/requests', (c) => {
    const status = c.req.query('status');
    const limit = c.req.query('limit');
    if (status !== undefined && !/^\d{3}$/.test(status)) return problem(400, "query 'status' must be a 3-digit HTTP status");
    if (limit !== undefined && !/^\d{1,4}$/.test(limit)) return problem(400, "query 'limit' must be a number up to 9999");
    return c.json({
      requests: emu.log.list({ vendor: c.req.query('vendor'), status: status ? Number(status) : undefined, limit: limit ? Number(limit) : undefined }),
    });
  });

  registerDashboard(app, emu);
  registerDocs(app, emu);
  app.notFound(() => problem(404, 'no such control route'));
  app.onError((err) => {
    console.error('[control] unhandled error:', err);
    return problem(500, 'internal error');
  });
  return app;
}
