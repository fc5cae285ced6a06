import { defineProvider } from '../../../servers/core/provider.js';
import { sampleClient } from './client.js';
import { sampleErrors } from './errors.js';
import { buildWorld, generateDay, normalize, type SampleEvent } from './events.js';
import { sampleRoutes } from './routes.js';
import { settings, type SampleSettings } from './settings.js';

/** A sixth vendor that lives only in the test tree: one folder, registered by the test that uses it. */
export const sample = defineProvider<SampleEvent, SampleSettings>({
  id: 'sample',
  title: 'Sample audit log (test tree only)',
  portOffset: 9,
  hooks: sampleClient,
  retentionDays: 30,
  specFile: 'test/support/sample-vendor/openapi.yaml',
  recordSchema: 'EventInput',
  timeOf: (e) => Date.parse(e.time),
  idOf: (e) => e.id,
  summarize: (e) => ({ actor: e.actor, action: e.action, outcome: 'success', target: e.target, sourceIp: e.ip || undefined }),
  settings,
  errors: sampleErrors,
  create(ctx) {
    const world = buildWorld(ctx.company, ctx.rng('world'));
    return {
      app: sampleRoutes(ctx, world),
      credentials: { token: world.readToken, noScopeToken: world.noScopeToken },
      generate: (from, to, bucket) => generateDay(ctx.seed, ctx.company, ctx.settings.eventsPerDay, from, to, bucket),
      normalize,
      actorFor: (person) => ({ actor: person.email }),
    };
  },
});
