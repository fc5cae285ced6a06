import type { Hono } from 'hono';
import type { Emulator } from '../core/emulator.js';
import { controlGuard } from '../core/guard.js';
import { registerDashboard } from '../dashboard/index.js';
import { createControlApp } from './api.js';
import { registerDocs } from './docs.js';
import { problem } from './validate.js';

/**
 * Everything the control port serves: the `/_emulator` API, the dashboard and the API docs,
 * behind the guard (Host, Origin, JSON writes, the optional token).
 */
export function controlPort(emu: Emulator): { fetch: Hono['fetch'] } {
  const app = createControlApp(
    emu,
    controlGuard(emu.access, (r) => problem(r.status, r.message)),
  );
  registerDashboard(app, emu);
  registerDocs(app, emu);
  return app;
}
