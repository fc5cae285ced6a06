import { JwtIssuer } from '../core/auth.js';
import { principalOf } from './auth.js';
import { defineProvider, type EventSummary } from '../core/provider.js';
import { opseraErrors } from './errors.js';
import { generateDay, isTokenRecord, normalizeRecord, summarizeRecord, type OpseraRecord, type RecordInput } from './events.js';
import { opseraFeeds, opseraRoutes } from './routes.js';
import { settings, type OpseraSettings } from './settings.js';
import { createState, type OpseraState } from './state.js';
import { liveId, manifestTokens, opseraCredentials } from './tokens.js';
import { buildWorld, streamWorld } from './world.js';
import { colleagues } from '../../fixtures/company.js';
import { streamsOf } from '../core/volume.js';
import { opseraClient } from './client.js';

export const opsera = defineProvider<OpseraRecord, OpseraSettings, OpseraState>({
  id: 'opsera',
  title: 'Opsera audit logs',
  portOffset: 5,
  hooks: opseraClient,
  retentionDays: 365,
  specFile: 'openapi/opsera.yaml',
  recordSchema: 'RecordInput',
  timeOf: (r) => Date.parse(r.createdAt),
  idOf: (r) => r._id,
  summarize: summarizeRecord,
  settings,
  errors: opseraErrors,
  createState,
  principal: principalOf,
  create(ctx) {
    const world = buildWorld(ctx.company, ctx.rng('world'), ctx.settings.inactiveUsers);
    const streams = streamsOf(ctx, world, (k, seed, rng) => streamWorld(colleagues(ctx.company, seed, k), rng, ctx.settings.inactiveUsers));
    const ownerEmail = (id: string) => {
      for (const w of streams.made()) {
        const u = w.users.get(id);
        if (u) return u.email;
      }
      return undefined;
    };
    const jwt = new JwtIssuer(ctx.secret.toString('hex'), () => ctx.clock.now());
    return {
      app: opseraRoutes(ctx, world, jwt),
      credentials: opseraCredentials(world, manifestTokens(world, jwt, ctx.clock)),
      manifest: () => ({ accounts: world.accounts.map((a) => a.key) }),
      generate: (from, to, bucket) => streams.generate((w, seed) => generateDay(seed, w, from, to, bucket, ctx.settings.includeExtendedFields)),
      normalize: (input) => normalizeRecord(input as RecordInput, world.main.key, (ms) => liveId(ctx, world, ms)),
      // Token-usage records carry only the owner's id: show the owner's email on the timeline.
      summarize: (r): EventSummary => {
        const base = summarizeRecord(r);
        return isTokenRecord(r) ? { ...base, actor: ownerEmail(r.user_id) ?? r.user_id } : base;
      },
      feeds: opseraFeeds(ctx, world.main.key),
      // Every world signs with its own secret: the signature tells whose a token is.
      owns: (token) => jwt.signedHere(token),
      actorFor: (person) => {
        const u = world.main.byPerson.get(person.id);
        return u && { user_id: u._id, user_email: u.email };
      },
    };
  },
});
