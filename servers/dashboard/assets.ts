import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context, Hono } from 'hono';
import { packageRoot } from '../core/spec.js';

const dashboardRoot = join(packageRoot, 'dashboard');

// The files ship as they are in the repository (no build step): browsers revalidate each time.
const noCache = (_path: string, c: Context): void => {
  c.header('cache-control', 'no-cache');
};

/** Static files of dashboard/ at `/`. */
export function serveDashboardAssets(app: Hono<any>): void {
  app.get('/', serveStatic({ path: join(dashboardRoot, 'index.html'), onFound: noCache }));
  app.get('/:file{[A-Za-z0-9_.-]+\\.(html|js|css|svg|png|json|ico)}', serveStatic({ root: dashboardRoot, onFound: noCache }));
}
