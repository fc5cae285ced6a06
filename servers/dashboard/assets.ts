import { readFile } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import type { Hono } from 'hono';
import { packageRoot } from '../core/spec.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

export const dashboardRoot = join(packageRoot, 'dashboard');

/** Static files of dashboard/ at `/` (no build step; files ship in the package). */
export function serveDashboardAssets(app: Hono): void {
  const send = async (name: string): Promise<Response | undefined> => {
    const path = normalize(join(dashboardRoot, name));
    if (!path.startsWith(dashboardRoot + sep)) return undefined;
    try {
      const body = await readFile(path);
      const ext = name.slice(name.lastIndexOf('.'));
      return new Response(body, { headers: { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-cache' } });
    } catch {
      return undefined;
    }
  };
  app.get('/', async (c) => (await send('index.html')) ?? c.notFound());
  app.get('/:file{[A-Za-z0-9_.-]+\\.(html|js|css|svg|png|json|ico)}', async (c) => (await send(c.req.param('file'))) ?? c.notFound());
}
