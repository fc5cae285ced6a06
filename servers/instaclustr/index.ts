import { defineProvider } from '../core/provider.js';
import { principalOf } from './auth.js';
import { instaclustrErrors } from './errors.js';
import { countDay, generateDay, normalizeAction, summarizeAction, type UserAction } from './events.js';
import { instaclustrFeeds, instaclustrRoutes } from './routes.js';
import { settings, type InstaclustrSettings } from './settings.js';
import { actorOf, buildWorld, credentialsOf, manifestOf, streamWorld } from './world.js';
import { colleagues } from '../../fixtures/company.js';
import { streamsOf } from '../core/volume.js';
import { instaclustrClient } from './client.js';
import { DayHistograms, FactsTable } from './facts.js';

export const instaclustr = defineProvider<UserAction, InstaclustrSettings>({
  id: 'instaclustr',
  title: 'Instaclustr User Actions',
  portOffset: 1,
  hooks: instaclustrClient,
  retentionDays: 365,
  specFile: 'openapi/instaclustr.yaml',
  recordSchema: 'UserActionInput',
  timeOf: (r) => Date.parse(r.timestamp),
  idOf: (r) => r.id,
  summarize: summarizeAction,
  settings,
  errors: instaclustrErrors,
  principal: principalOf,
  create(ctx) {
    const rng = ctx.rng('world');
    const world = buildWorld(ctx.seed, ctx.company, rng, ctx.settings.credentials, ctx.credentials(rng));
    const apiKeys = new Set(world.keys.map((k) => k.apiKey));
    const streams = streamsOf(ctx, world, (k, seed, rng) => streamWorld(world, colleagues(ctx.company, seed, k), seed, rng, k));
    const table = new FactsTable();
    const ms = ctx.store.bucketMs;
    // Stream by stream over every day asked for, so that a stream's lifetimes stay at hand across
    // its days; the seed's own stream last, since it alone also draws names, and by then the code
    // every stream runs has been compiled.
    const days = new DayHistograms(table, (parts, counts) => {
      for (let k = streams.volume - 1; k >= 0; k--) {
        const w = streams.world(k);
        parts.forEach(({ bucket: b, span }, i) => countDay(w, b * ms, (b + 1) * ms, b, table, counts[i], span));
      }
    });
    return {
      app: instaclustrRoutes(ctx, world, days),
      credentials: credentialsOf(world),
      manifest: () => manifestOf(world),
      generate: (from, to, bucket) => streams.generate((w) => generateDay(w, from, to, bucket)),
      normalize: (input) => normalizeAction(world, input),
      actorFor: (person) => actorOf(world, person),
      feeds: instaclustrFeeds(ctx, world),
      owns: (apiKey) => apiKeys.has(apiKey),
    };
  },
});
