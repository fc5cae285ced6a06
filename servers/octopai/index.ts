import { defineProvider } from '../core/provider.js';
import { parseTime } from '../core/time.js';
import type { components } from '../../openapi/generated/octopai.js';
import { ownsPrincipal, principalOf } from './auth.js';
import { colleagues } from '../../fixtures/company.js';
import { streamsOf } from '../core/volume.js';
import { octopaiErrors } from './errors.js';
import { DEFAULT_TENANT, buildWorld, credentialsOf, streamWorld, tenantDay, tenantsManifest, type OctopaiEvent, type UserEvent } from './events.js';
import { normalizeInput } from './records.js';
import { octopaiFeeds, octopaiRoutes } from './routes.js';
import { RETENTION_DAYS, settings, type OctopaiSettings } from './settings.js';
import { createState, type OctopaiState } from './state.js';
import { octopaiClient } from './client.js';

export const octopai = defineProvider<OctopaiEvent, OctopaiSettings, OctopaiState>({
  id: 'octopai',
  title: 'Cloudera Octopai user audit trail',
  portOffset: 3,
  hooks: octopaiClient,
  retentionDays: RETENTION_DAYS,
  specFile: 'openapi/octopai.yaml',
  recordSchema: 'UserEventInput',
  timeOf: (e) => parseTime(e.eventDate) ?? NaN,
  // The served shape, in the vendor's key order; the tenant stays internal.
  render: (e): UserEvent => ({
    id: e.id,
    userName: e.userName,
    userEmail: e.userEmail,
    eventType: e.eventType,
    eventDate: e.eventDate,
    ipAddress: e.ipAddress,
    userAgent: e.userAgent,
    details: e.details,
  }),
  idOf: (e) => `${e.tenant ?? DEFAULT_TENANT}:${e.id}`,
  summarize: (e) => ({
    actor: e.userEmail ?? e.userName ?? '(unknown)',
    action: e.eventType,
    outcome: e.eventType === 'LoginFailed' ? 'failure' : 'success',
    target: e.details ?? undefined,
    sourceIp: e.ipAddress,
  }),
  settings,
  errors: octopaiErrors,
  createState,
  principal: principalOf,
  create(ctx) {
    const world = buildWorld(ctx.company, ctx.secret, (n) => ctx.rng(n), ctx.settings, { world: ctx.world, cred: (rng) => ctx.credentials(rng) });
    const streams = streamsOf(ctx, world, (k, seed) => streamWorld(colleagues(ctx.company, seed, k), ctx.secret, seed, ctx.settings));
    return {
      app: octopaiRoutes(ctx, world),
      feeds: octopaiFeeds(ctx),
      credentials: credentialsOf(world.tenants.get(DEFAULT_TENANT)!),
      owns: ownsPrincipal(world),
      manifest: () => tenantsManifest(world),
      generate: (from, to, bucket) => [...world.tenants.keys()].flatMap((name) => tenantDay(streams, name, from, to, bucket)),
      // Injected records passed the UserEventInput schema first.
      normalize: (r) => normalizeInput(ctx, world, r as components['schemas']['UserEventInput']),
    };
  },
});
