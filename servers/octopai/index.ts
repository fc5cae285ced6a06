import { defineProvider } from '../core/provider.js';
import { listSwitch, numberSwitch, stringSwitch } from '../core/config.js';
import { parseTime } from '../core/time.js';
import { OctopaiTokens, emptyState, type OctopaiSettings, type OctopaiState } from './auth.js';
import { octopaiStatusError } from './errors.js';
import {
  DEFAULT_TENANT, RECORDED_ID_OFFSET, adminOf, buildWorld, eventId, generateDay, netIso, nonAdminOf, type OctopaiEvent, type UserEvent,
} from './events.js';
import { octopaiRoutes } from './routes.js';
import { octopaiClient } from './client.js';

const DAY = 86_400_000;
const RETENTION_DAYS = 90;

const num = (v: unknown, dflt: number, min = 0) => numberSwitch(v, dflt, { min });
const str = stringSwitch;

export const octopai = defineProvider<OctopaiEvent>({
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
    id: e.id, userName: e.userName, userEmail: e.userEmail, eventType: e.eventType, eventDate: e.eventDate,
    ipAddress: e.ipAddress, userAgent: e.userAgent, details: e.details,
  }),
  idOf: (e) => `${e.tenant ?? DEFAULT_TENANT}:${e.id}`,
  summarize: (e) => ({
    actor: e.userEmail ?? e.userName ?? '(unknown)',
    action: e.eventType,
    outcome: e.eventType === 'LoginFailed' ? 'failure' : 'success',
    target: e.details ?? undefined,
    sourceIp: e.ipAddress,
  }),
  create(ctx) {
    const cfg = ctx.config;
    const settings: OctopaiSettings = {
      issuer: str(cfg.jwtIssuer, 'DemoIssuer'),
      audience: str(cfg.jwtAudience, 'DemoAudience'),
      accessTokenSeconds: num(cfg.accessTokenSeconds, 7200, 1),
      refreshTokenDays: num(cfg.refreshTokenDays, 30, 0),
      clockSkewSeconds: num(cfg.clockSkewSeconds, 0),
      loginFailureStatus: cfg.loginFailureStatus === 200 ? 200 : 401,
      lockoutAfterFailures: Math.floor(num(cfg.lockoutAfterFailures, 0)),
    };
    const tenantNames = listSwitch(cfg.tenants).filter((t) => /^[a-z0-9-]+$/i.test(t)).map((t) => t.toLowerCase());
    const overrides = (cfg.credentials as Record<string, unknown>) ?? {};
    const world = buildWorld(ctx.company, ctx.secret, (n) => ctx.rng(n), tenantNames, overrides);
    // Users an administrator has disabled: their logins fail (and are recorded) and they make no history.
    const disabled = new Set(listSwitch(cfg.disabledUsers).map((n) => n.toLowerCase()));
    for (const t of world.tenants.values()) for (const u of t.users) if (disabled.has(u.userName.toLowerCase())) u.enabled = false;
    const state: OctopaiState = emptyState();
    const tokens = new OctopaiTokens(world, ctx.clock, settings, state);
    const creds = (name: string) => {
      const t = world.tenants.get(name)!;
      const a = adminOf(t);
      const n = nonAdminOf(t);
      return { userName: a.userName, password: a.password, nonAdmin: { userName: n.userName, password: n.password } };
    };
    const tenantList = [...world.tenants.keys()];
    return {
      app: octopaiRoutes(ctx, {
        world,
        tokens,
        settings,
        retentionDays: Math.min(RETENTION_DAYS, num(cfg.retentionDays, RETENTION_DAYS, 1)),
        trustForwardedFor: cfg.trustForwardedFor === true,
        maxBodyBytes: num(cfg.maxBodyBytes, 1_048_576, 1),
      }),
      credentials: creds(DEFAULT_TENANT),
      manifest: () =>
        tenantList.length > 1
          ? { tenants: Object.fromEntries(tenantList.filter((n) => n !== DEFAULT_TENANT).map((n) => [n, { host: `${n}.localhost`, credentials: creds(n) }])) }
          : {},
      generate: (from, to, bucket) => tenantList.flatMap((n) => generateDay(ctx.seed, world.tenants.get(n)!, from, to, bucket)),
      normalize: (r) => {
        const ts = parseTime(r.eventDate as string)!;
        const tenant = typeof r.tenant === 'string' && world.tenants.has(r.tenant) ? r.tenant : DEFAULT_TENANT;
        let id = r.id as number | undefined;
        if (id === undefined) {
          // Injected events share the id slots of recorded ones.
          const counters = (state.recorded[tenant] ??= {});
          const day = String(Math.floor(ts / DAY));
          id = eventId(ts, RECORDED_ID_OFFSET + (counters[day] = (counters[day] ?? 0) + 1));
        }
        const ev: OctopaiEvent = {
          id,
          userName: (r.userName as string | null | undefined) ?? null,
          userEmail: (r.userEmail as string | null | undefined) ?? null,
          eventType: r.eventType as string,
          eventDate: netIso(ts),
          ipAddress: r.ipAddress as string,
          userAgent: (r.userAgent as string | null | undefined) ?? null,
          details: (r.details as string | null | undefined) ?? null,
        };
        if (tenant !== DEFAULT_TENANT) ev.tenant = tenant;
        return ev;
      },
      error: (status, message) => octopaiStatusError(status, message),
      persist: {
        save: () => structuredClone(state),
        load: (data) => {
          const d = (data ?? {}) as Partial<OctopaiState>;
          // The tokens service holds this very object, so it is refilled in place.
          Object.assign(state, { refresh: d.refresh ?? {}, failures: d.failures ?? {}, recorded: d.recorded ?? {} });
        },
      },
    };
  },
});
