import { Hono } from 'hono';
import type { CoreEnv } from '../core/provider.js';
import { CallLog } from './calls.js';
import { cloudTrailRoutes } from './cloudtrail.js';
import { consoleRoutes } from './console.js';
import type { K2Api } from './ops.js';
import { Reports } from './reports.js';
import { s3Routes } from './s3.js';
import type { K2Context } from './state.js';
import type { K2World } from './world.js';

/**
 * One listener, three surfaces, in this order: CloudTrail at `POST /`, the console under
 * `/_console/k2/...`, then S3's path-style buckets, which would otherwise take the console's paths.
 */
export function k2Routes(ctx: K2Context, world: K2World, api: K2Api): Hono<CoreEnv> {
  const calls = new CallLog(ctx, world);
  const app = new Hono<CoreEnv>();
  app.route('/', cloudTrailRoutes(ctx, world, api, calls));
  app.route('/', consoleRoutes(ctx, world, api, new Reports(ctx)));
  app.route('/', s3Routes(ctx, world, api, calls));
  return app;
}
