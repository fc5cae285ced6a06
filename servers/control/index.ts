import type { Hono } from 'hono';
import type { Emulator } from '../core/emulator.js';
import { registerDashboard } from '../dashboard/index.js';
import { createControlApp } from './api.js';
import { registerDocs } from './docs.js';

/** Everything the control port serves: the `/_emulator` API, the dashboard and the API docs. */
export function controlPort(emu: Emulator): Hono {
  const app = createControlApp(emu);
  registerDashboard(app, emu);
  registerDocs(app, emu);
  return app;
}
