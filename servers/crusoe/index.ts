import { defineProvider } from '../core/provider.js';
import { iso } from '../core/time.js';
import { crusoeStatusError } from './errors.js';
import { buildWorld, generateDay, type LogEntry } from './events.js';
import { crusoeRoutes } from './routes.js';
import { crusoeClient } from './client.js';

export const crusoe = defineProvider<LogEntry>({
  id: 'crusoe',
  title: 'Crusoe Cloud audit logs',
  portOffset: 2,
  hooks: crusoeClient,
  retentionDays: 90,
  specFile: 'openapi/crusoe.yaml',
  recordSchema: 'LogEntryInput',
  timeOf: (e) => Date.parse(e.start_time),
  summarize: (e) => ({
    actor: e.actor_email || e.actor_id,
    action: e.action_detail ? `${e.action} (${e.action_detail})` : e.action,
    outcome: e.result === 'OK' ? 'success' : 'failure',
    target: e.target_type ? `${e.target_type} ${e.target_names.join(', ')}`.trim() : undefined,
    sourceIp: e.client_ip.replace(/:\d+$/, ''),
  }),
  create(ctx) {
    const overrides = (ctx.config.credentials as Record<string, unknown>) ?? {};
    const world = buildWorld(ctx.seed, ctx.company, ctx.rng('world'), overrides);
    const admin = world.members.find((m) => m.admin)!;
    const member = world.members.find((m) => !m.admin)!;
    return {
      app: crusoeRoutes(ctx, world),
      credentials: {
        accessKeyId: admin.accessKeyId,
        secretKey: admin.secretKey,
        organizationId: world.organizationId,
        email: admin.person.email,
        nonAdmin: { accessKeyId: member.accessKeyId, secretKey: member.secretKey, email: member.person.email },
      },
      generate: (from, to, bucket) => generateDay(ctx.seed, ctx.company, world, from, to, bucket),
      normalize: (r) => ({
        action_detail: '',
        error_message: '',
        locations: [],
        organization_id: world.organizationId,
        organization_name: world.organizationName,
        project_id: '',
        project_name: '',
        target_ids: [],
        target_names: [],
        target_type: '',
        ...(r as Partial<LogEntry>),
        start_time: iso(Date.parse(r.start_time as string)),
        end_time: iso(Date.parse(r.end_time as string)),
      }) as LogEntry,
      error: (status, message) => crusoeStatusError(status, message),
      actorFor: (person) => ({ actor_id: person.id, actor_email: person.email }),
    };
  },
});
