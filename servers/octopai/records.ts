/** Events that are not generated: Login attempts recorded as they happen, and events injected through the control API. */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { parseTime } from '../core/time.js';
import type { components } from '../../openapi/generated/octopai.js';
import { DEFAULT_TENANT, RECORDED_ID_OFFSET, eventId, netIso, type OctopaiEvent, type OctopaiWorld, type Tenant } from './events.js';
import type { OctopaiContext, OctopaiState } from './state.js';

type UserEventInput = components['schemas']['UserEventInput'];

const DAY = 86_400_000;

/** The next id of a recorded or injected event: they share the upper half of each day's slots, counted in state. */
function nextId(state: OctopaiState, tenant: string, ts: number, volume: number): number {
  const counters = (state.recorded[tenant] ??= {});
  const day = String(Math.floor(ts / DAY));
  return eventId(ts, RECORDED_ID_OFFSET * volume + (counters[day] = (counters[day] ?? 0) + 1), volume);
}

// An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d; the address is a.b.c.d.
const unmapIpv4 = (addr: string) => addr.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

function clientIp(c: Context, trustForwardedFor: boolean): string {
  if (trustForwardedFor) {
    const first = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (first && /^[0-9a-fA-F:.]+$/.test(first)) return unmapIpv4(first);
  }
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return unmapIpv4(incoming?.socket?.remoteAddress ?? '127.0.0.1');
}

/** Record a Login attempt as a UserEvent at the emulator's now, visible at once. */
export function recordAttempt(
  ctx: OctopaiContext,
  c: Context,
  t: Tenant,
  eventType: 'Login' | 'LoginFailed',
  userName: string | null,
  details: string | null,
): void {
  const now = ctx.clock.now();
  const known = userName ? t.byName.get(userName.toLowerCase()) : undefined;
  const ev: OctopaiEvent = {
    id: nextId(ctx.state, t.name, now, ctx.settings.volume ?? 1),
    userName,
    userEmail: known ? known.userName : null,
    eventType,
    eventDate: netIso(now),
    ipAddress: clientIp(c, ctx.settings.trustForwardedFor),
    userAgent: c.req.header('user-agent') ?? null,
    details,
  };
  if (t.name !== DEFAULT_TENANT) ev.tenant = t.name;
  ctx.store.insert(ev);
}

/** An injected record (it passed the UserEventInput schema) with its defaults: an id, nulls, the .NET time format. */
export function normalizeInput(ctx: OctopaiContext, world: OctopaiWorld, r: UserEventInput): OctopaiEvent {
  const ts = parseTime(r.eventDate)!;
  const tenant = r.tenant !== undefined && world.tenants.has(r.tenant) ? r.tenant : DEFAULT_TENANT;
  const ev: OctopaiEvent = {
    id: r.id ?? nextId(ctx.state, tenant, ts, ctx.settings.volume ?? 1),
    userName: r.userName ?? null,
    userEmail: r.userEmail ?? null,
    eventType: r.eventType,
    eventDate: netIso(ts),
    ipAddress: r.ipAddress,
    userAgent: r.userAgent ?? null,
    details: r.details ?? null,
  };
  if (tenant !== DEFAULT_TENANT) ev.tenant = tenant;
  return ev;
}
