import { Hono } from 'hono';
import type { ClockChange } from '../core/clock.js';
import { StateWriteError } from '../core/durable.js';
import type { World } from '../core/world.js';
import { FaultSet } from '../core/faults.js';
import { parseTime } from '../core/time.js';
import { problem, validateControl, type ControlEnv } from './validate.js';

type App = Hono<ControlEnv>;

/** `/_emulator/clock`: read, set, advance, freeze. */
function clockRoutes(app: App, emu: World): void {
  app.get('/_emulator/clock', (c) => c.json(emu.clock.state()));
  app.post('/_emulator/clock', async (c) => {
    // The shape is checked against the spec; the range of the resulting instant only here.
    try {
      emu.setClock(c.var.json as ClockChange);
    } catch (err) {
      return problem(400, (err as Error).message);
    }
    await emu.changed();
    return c.json(emu.clock.state());
  });
}

/** Records into a vendor's log: one by one in its shape, or as a named scenario. */
function injectionRoutes(app: App, emu: World): void {
  app.post('/_emulator/providers/:id/events', async (c) => {
    const rt = emu.runtimes.get(c.req.param('id'));
    if (!rt) return problem(404, `unknown provider '${c.req.param('id')}'`);
    const result = rt.inject(c.var.json);
    if (!result.ok) return problem(400, result.message);
    await emu.changed(rt.provider.id);
    return c.json({ accepted: result.ids.length, ids: result.ids }, 201);
  });
  app.get('/_emulator/scenarios', (c) => c.json({ scenarios: emu.scenarios.list() }));
  app.get('/_emulator/scenarios/applied', (c) => c.json({ applied: emu.scenarios.history() }));
  app.post('/_emulator/scenarios/:name', async (c) => {
    const r = emu.scenarios.apply(c.req.param('name'), c.var.json as Record<string, unknown>);
    if (!r.ok) return problem(r.status, r.message);
    await emu.changed();
    return c.json({ scenario: r.result.name, ...r.result }, 201);
  });
}

/**
 * `/_emulator/providers/:id/truth`: every record a feed's API returns over [from, to] once every
 * delay has passed, so that `verify` can tell a collector what it missed. `to` may not be later
 * than now: a later truth would change as the clock moves.
 */
function truthRoutes(app: App, emu: World): void {
  app.get('/_emulator/providers/:id/truth', async (c) => {
    const id = c.req.param('id');
    const rt = emu.runtimes.get(id);
    if (!rt) return problem(404, `unknown provider '${id}'`);
    const feeds = Object.keys(rt.instance.feeds ?? {});
    const feed = c.req.query('feed') ?? (feeds.length === 1 ? feeds[0] : undefined);
    if (feed === undefined) return problem(400, `query 'feed' is required for ${id}: one of ${feeds.join(', ')}`);
    if (!feeds.includes(feed)) return problem(400, `query 'feed' must be one of ${feeds.join(', ')} for ${id}`);
    const now = emu.clock.now();
    const from = parseTime(c.req.query('from')!);
    const to = parseTime(c.req.query('to')!);
    if (from === null) return problem(400, "query 'from' must be an ISO-8601 instant");
    if (to === null) return problem(400, "query 'to' must be an ISO-8601 instant");
    if (to > now) return problem(400, `query 'to' must not be later than now on the emulator clock (${new Date(now).toISOString()})`);
    if (from > to) return problem(400, "query 'from' must not be after 'to'");
    const records = (await rt.truth(feed, from, to))!;
    const iso = (ms: number) => new Date(ms).toISOString();
    return c.json({ vendor: id, feed, from: iso(from), to: iso(to), asOf: iso(now), count: records.length, records });
  });
}

/** `/_emulator/faults`: per vendor, latency, errors, drops and throttling. */
function faultRoutes(app: App, emu: World): void {
  app.get('/_emulator/faults', (c) => c.json({ faults: Object.fromEntries([...emu.runtimes].map(([id, rt]) => [id, rt.faults.list()])) }));
  app.put('/_emulator/faults/:id', (c) => {
    const rt = emu.runtimes.get(c.req.param('id'));
    if (!rt) return problem(404, `unknown provider '${c.req.param('id')}'`);
    const parsed = FaultSet.parse(c.var.json);
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
}

/** The `/_emulator/*` API of one world (the control port mounts each world's under its prefix). */
export function createControlApp(emu: World): App {
  const app = new Hono<ControlEnv>();
  app.use('*', validateControl());

  app.get('/_emulator/health', (c) => c.json({ status: 'ok', now: new Date(emu.clock.now()).toISOString() }));
  app.get('/_emulator/manifest', (c) => c.json(emu.manifest()));
  app.post('/_emulator/reset', async (c) => {
    emu.reset();
    await emu.changed();
    return c.json({ reset: true, now: new Date(emu.clock.now()).toISOString() });
  });
  clockRoutes(app, emu);
  injectionRoutes(app, emu);
  faultRoutes(app, emu);
  truthRoutes(app, emu);
  app.get('/_emulator/requests', (c) => {
    const status = c.req.query('status');
    const limit = c.req.query('limit');
    return c.json({
      requests: emu.log.list({ vendor: c.req.query('vendor'), status: status ? Number(status) : undefined, limit: limit ? Number(limit) : undefined }),
    });
  });

  app.notFound(() => problem(404, 'no such control route'));
  app.onError((err) => {
    // Not acknowledged: the change is in memory but not on disk (a full disk, say), which the caller should know.
    if (err instanceof StateWriteError) {
      console.error(`[control] ${err.message}`);
      return problem(500, err.message);
    }
    console.error('[control] unhandled error:', err);
    return problem(500, 'internal error');
  });
  return app;
}
