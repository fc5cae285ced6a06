import { defineProvider } from '../core/provider.js';
import { instaclustrErrors } from './errors.js';
import { generateDay, normalizeAction, summarizeAction, type UserAction } from './events.js';
import { instaclustrFeeds, instaclustrRoutes } from './routes.js';
import { settings, type InstaclustrSettings } from './settings.js';
import { actorOf, buildWorld, credentialsOf, manifestOf } from './world.js';
import { instaclustrClient } from './client.js';

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
  create(ctx) {
    const world = buildWorld(ctx.seed, ctx.company, ctx.rng('world'), ctx.settings.credentials);
    return {
      app: instaclustrRoutes(ctx, world),
      credentials: credentialsOf(world),
      manifest: () => manifestOf(world),
      generate: (from, to, bucket) => generateDay(world, from, to, bucket),
      normalize: (input) => normalizeAction(world, input),
      actorFor: (person) => actorOf(world, person),
      feeds: instaclustrFeeds(ctx, world),
    };
  },
});
