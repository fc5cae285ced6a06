import { defineProvider } from '../core/provider.js';
import { CONSOLE_PRINCIPAL, principalOf } from './auth.js';
import { k2Errors } from './errors.js';
import { generateDay } from './events.js';
import { normalizeInput, renderEvent, type K2Event, type RecordInputBody } from './records.js';
import { archiveTruth } from './delivery.js';
import { lookupTruth } from './lookup.js';
import { K2Api } from './ops.js';
import { k2Routes } from './routes.js';
import { settings, type K2Settings } from './settings.js';
import { createState, type K2State } from './state.js';
import { buildWorld, credentialsOf, streamWorld } from './world.js';
import { colleagues } from '../../fixtures/company.js';
import { streamsOf } from '../core/volume.js';
import { k2Client } from './client.js';

export const k2 = defineProvider<K2Event, K2Settings, K2State>({
  id: 'k2',
  title: 'K2 Cloud Activity Log (CloudTrail-compatible)',
  portOffset: 4,
  hooks: k2Client,
  retentionDays: 30,
  specFile: 'openapi/k2-cloudtrail.yaml',
  recordSchema: 'CloudTrailRecordInput',
  timeOf: (e) => Date.parse(e.record.eventTime),
  render: renderEvent,
  idOf: (e) => e.record.eventID,
  summarize: (e) => ({
    actor: e.record.userName,
    action: e.record.eventName,
    outcome: e.record.errorCode ? 'failure' : 'success',
    target: e.resources[0] ? `${e.resources[0].ResourceType} ${e.resources[0].ResourceName}` : undefined,
    sourceIp: e.record.sourceIPAddress,
  }),
  settings,
  errors: k2Errors,
  createState,
  principal: principalOf,
  create(ctx) {
    const rng = ctx.rng('world');
    const world = buildWorld(ctx.company, rng, ctx.settings, ctx.world, ctx.credentials(rng));
    const streams = streamsOf(ctx, world, (k, seed, rng) => streamWorld(world, colleagues(ctx.company, seed, k), rng));
    const history = (from: number, to: number, bucket: number) => streams.generate((w, seed) => generateDay(seed, w, from, to, bucket));
    const api = new K2Api(ctx, world, history);
    return {
      app: k2Routes(ctx, world, api),
      feeds: {
        'lookup-events': (from, to) => lookupTruth(ctx, from, to),
        'trail-archives': (from, to) => archiveTruth(api.delivery, from, to),
      },
      credentials: credentialsOf(world, ctx.settings),
      owns: (p) => (p.startsWith(CONSOLE_PRINCIPAL) ? p.slice(CONSOLE_PRINCIPAL.length) === world.customer : world.keys.has(p)),
      manifest: () => ({ customer: world.customer, region: world.region, buckets: ctx.state.buckets.map((b) => b.name) }),
      generate: history,
      normalize: (input) => normalizeInput(world, input as RecordInputBody),
      actorFor: (person) => {
        const u = world.users.find((x) => x.person?.id === person.id);
        return u && { userName: u.username, project: u.projects[0] };
      },
    };
  },
});
