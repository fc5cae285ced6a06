import { defineProvider } from '../core/provider.js';
import { accessKeyOf } from './auth.js';
import { crusoeErrors } from './errors.js';
import { colleagues } from '../../fixtures/company.js';
import { streamsOf } from '../core/volume.js';
import { buildWorld, completeEntry, credentialsOf, generateDay, streamWorld, summarize, type LogEntry, type LogEntryInput } from './events.js';
import { crusoeRoutes } from './routes.js';
import { settings, type CrusoeSettings } from './settings.js';
import { crusoeClient } from './client.js';

export const crusoe = defineProvider<LogEntry, CrusoeSettings>({
  id: 'crusoe',
  title: 'Crusoe Cloud audit logs',
  portOffset: 2,
  hooks: crusoeClient,
  retentionDays: 90,
  specFile: 'openapi/crusoe.yaml',
  recordSchema: 'LogEntryInput',
  timeOf: (e) => Date.parse(e.start_time),
  summarize,
  settings,
  errors: crusoeErrors,
  principal: accessKeyOf,
  create(ctx) {
    const rng = ctx.rng('world');
    const world = buildWorld(ctx.company, rng, ctx.settings.credentials, ctx.credentials(rng));
    const streams = streamsOf(ctx, world, (k, seed, rng) => streamWorld(world, colleagues(ctx.company, seed, k), rng));
    return {
      app: crusoeRoutes(ctx, world),
      credentials: credentialsOf(world),
      generate: (from, to, bucket) => streams.generate((w, seed) => generateDay(seed, w, from, to, bucket)),
      // Injected records passed the LogEntryInput schema first.
      normalize: (r) => completeEntry(world, r as LogEntryInput),
      actorFor: (person) => ({ actor_id: person.id, actor_email: person.email }),
      feeds: { 'audit-logs': (from, to) => ctx.store.wire({ from, to, order: 'desc' }) },
      owns: (keyId) => world.byKey.has(keyId),
    };
  },
});
