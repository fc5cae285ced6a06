import { Hono, type MiddlewareHandler } from 'hono';
import { checkConformance } from '../core/conformance.js';
import type { Emulator } from '../core/emulator.js';
import { controlGuard } from '../core/guard.js';
import { loadSpec } from '../core/spec.js';
import type { World } from '../core/world.js';
import { registerDashboardData, serveDashboardAssets } from '../dashboard/index.js';
import { createControlApp } from './api.js';
import { registerDocs } from './docs.js';
import { CONTROL_SPEC, problem, type ControlEnv } from './validate.js';
import { worldRoutes } from './worlds.js';

/** `/_emulator/worlds/{id}/rest` → the world and `/_emulator/rest`, the route every world shares. */
const WORLD_PATH = /^\/_emulator\/worlds\/([^/]+)(\/.+)$/;

/** In tests: every control answer is checked against openapi/control.yaml (a world's routes as the default's). */
function conforms(emu: Emulator): MiddlewareHandler {
  return async (c, next) => {
    await next();
    // A stream never ends; its events are checked by the tests that read them.
    if (c.res.headers.get('content-type')?.startsWith('text/event-stream')) return;
    const m = WORLD_PATH.exec(c.req.path);
    await checkConformance('control', c, loadSpec(CONTROL_SPEC), (v) => emu.violations.push(v), m ? `/_emulator${m[2]}` : undefined);
  };
}

/** Each world's control app, made on its first control request. */
function worldApps(): (w: World) => Hono<ControlEnv> {
  const apps = new WeakMap<World, Hono<ControlEnv>>();
  return (w) => {
    let app = apps.get(w);
    if (!app) {
      app = createControlApp(w);
      registerDashboardData(app, w);
      apps.set(w, app);
    }
    return app;
  };
}

/** The same request addressed to the route every world shares. */
function unprefixed(req: Request, path: string): Request {
  const url = new URL(req.url);
  url.pathname = `/_emulator${path}`;
  const body = ['GET', 'HEAD'].includes(req.method) ? undefined : req.body;
  return new Request(url, { method: req.method, headers: req.headers, body, signal: req.signal, ...(body ? { duplex: 'half' } : {}) });
}

/**
 * Everything the control port serves: the `/_emulator` API of the default world, every other
 * world's under `/_emulator/worlds/{id}`, the worlds themselves, the dashboard and the API docs,
 * behind the guard (Host, Origin, JSON writes, the optional token).
 */
export function controlPort(emu: Emulator): { fetch: Hono['fetch'] } {
  const app = new Hono<ControlEnv>();
  const appOf = worldApps();
  if (emu.checksResponses) app.use('*', conforms(emu));
  // The guard first: a refused caller learns nothing about the request's validity.
  app.use(
    '*',
    controlGuard(emu.access, (r) => problem(r.status, r.message)),
  );
  worldRoutes(app, emu);
  app.all('/_emulator/worlds/:world/*', (c) => {
    const m = WORLD_PATH.exec(c.req.path)!;
    const w = emu.worlds.get(decodeURIComponent(m[1]));
    if (!w) return problem(404, `no world '${m[1]}'`);
    return appOf(w).fetch(unprefixed(c.req.raw, m[2]));
  });
  registerDocs(app, emu);
  serveDashboardAssets(app);
  app.all('/_emulator/*', (c) => appOf(emu.worlds.default).fetch(c.req.raw));
  app.notFound(() => problem(404, 'no such control route'));
  return app;
}
