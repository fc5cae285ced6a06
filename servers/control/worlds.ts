import type { Hono } from 'hono';
import type { CreateWorldOptions, Emulator } from '../core/emulator.js';
import { ConfigError } from '../core/settings.js';
import { WorldError } from '../core/worlds.js';
import { problem, validateControl, type ControlEnv } from './validate.js';

/** Why a world could not be made, in the control API's shape; anything else is a fault of ours. */
function refusal(err: unknown): Response {
  if (err instanceof WorldError) return problem(err.status, err.message);
  if (err instanceof ConfigError || err instanceof RangeError) return problem(400, err.message);
  throw err;
}

/** `/_emulator/worlds`: create, list, read and delete worlds (each world's own routes live under its prefix). */
export function worldRoutes(app: Hono<ControlEnv>, emu: Emulator): void {
  app.use('/_emulator/worlds', validateControl());
  app.use('/_emulator/worlds/:world', validateControl());
  app.get('/_emulator/worlds', (c) => c.json({ worlds: emu.worlds.list().map((w) => w.summary()) }));
  app.post('/_emulator/worlds', async (c) => {
    try {
      const w = await emu.createWorld(c.var.json as CreateWorldOptions);
      return c.json({ id: w.id, controlUrl: w.controlUrl, manifest: w.manifest() }, 201);
    } catch (err) {
      return refusal(err);
    }
  });
  app.get('/_emulator/worlds/:world', (c) => {
    const w = emu.worlds.get(c.req.param('world'));
    return w ? c.json(w.summary()) : problem(404, `no world '${c.req.param('world')}'`);
  });
  app.delete('/_emulator/worlds/:world', async (c) => {
    try {
      await emu.worlds.delete(c.req.param('world'));
      return c.json({ deleted: c.req.param('world') });
    } catch (err) {
      return refusal(err);
    }
  });
}
