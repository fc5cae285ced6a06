import { DEFAULT_ALLOWED_ROLES } from '../../fixtures/catalogues/opsera.js';
import { listSwitch, numberSwitch } from '../core/config.js';
import { JwtIssuer } from '../core/auth.js';
import { defineProvider, type EventSummary } from '../core/provider.js';
import { iso } from '../core/time.js';
import { opseraStatusError, type ErrorFormat } from './errors.js';
import {
  MANIFEST_TOKENS, buildWorld, generateDay, isTokenRecord, objectId, tokenRecord, type ManifestTokenName, type OpseraRecord, type TokenMeta,
} from './events.js';
import { opseraRoutes } from './routes.js';
import { opseraClient } from './client.js';

const DAY = 86_400_000;

/** Mutable state: tokens deactivated after the seed's world was built, and the live ObjectId counter. */
interface OpseraState {
  deactivated: string[];
  counter: number;
}

export const opsera = defineProvider<OpseraRecord>({
  id: 'opsera',
  title: 'Opsera audit logs',
  portOffset: 5,
  hooks: opseraClient,
  retentionDays: 365,
  specFile: 'openapi/opsera.yaml',
  recordSchema: 'RecordInput',
  timeOf: (r) => Date.parse(r.createdAt),
  idOf: (r) => r._id,
  summarize: (r) => summarizeRecord(r),
  create(ctx) {
    const cfg = ctx.config;
    const world = buildWorld(ctx.company, ctx.rng('world'));
    // Users deactivated in the account: every token they own is refused (step 5 of the ladder).
    const inactive = new Set(listSwitch(cfg.inactiveUsers).map((e) => e.toLowerCase()));
    for (const u of world.users.values()) if (inactive.has(u.email.toLowerCase())) u.active = false;
    const format: ErrorFormat = cfg.errorBodyFormat === 'text' ? 'text' : 'json';
    const ext = cfg.includeExtendedFields === true;
    const state: OpseraState = { deactivated: [], counter: 0 };
    const jwt = new JwtIssuer(ctx.secret.toString('hex'), () => ctx.clock.now());

    /**
     * Manifest tokens are anchored to the start of the emulator clock's current UTC day: the same
     * seed and day give the same tokens, valid ones are valid whatever instant the clock is set to,
     * and `expired` expired the day before. Advancing the clock past `exp` expires them.
     */
    let cached: { anchor: number; tokens: Record<ManifestTokenName, string> } | undefined;
    const tokensNow = (): Record<ManifestTokenName, string> => {
      const anchor = Math.floor(ctx.clock.now() / DAY) * DAY;
      if (cached?.anchor === anchor) return cached.tokens;
      const tokens = {} as Record<ManifestTokenName, string>;
      for (const name of MANIFEST_TOKENS) {
        const t = world.manifest[name];
        const exp = t.expired ? anchor - DAY : anchor + t.lifetimeDays * DAY;
        tokens[name] = jwt.signSync({
          token_id: t._id, user_id: t.user_id, scope: t.scope, account: t.account,
          iat: Math.floor((exp - t.lifetimeDays * DAY) / 1000), exp: Math.floor(exp / 1000),
        });
      }
      cached = { anchor, tokens };
      return tokens;
    };

    // Live ObjectIds: seconds, the emulator's machine part, then a counter, so equal instants sort by arrival.
    const liveId = (ms: number) => objectId(ms, world.machine + (state.counter++ & 0xffffff).toString(16).padStart(6, '0'));
    const recordUse = (token: TokenMeta, target: string) => {
      const now = ctx.clock.now();
      ctx.store.insert(tokenRecord(liveId(now), now, token, target));
    };

    const admin = world.users.get(world.manifest.api.user_id)!;
    const plain = world.users.get(world.manifest.notAdmin.user_id)!;
    const credentials = {
      account: world.main.key,
      email: admin.email,
      userId: admin._id,
      notAdminEmail: plain.email,
      tokenIds: Object.fromEntries(MANIFEST_TOKENS.map((n) => [n, world.manifest[n]._id])),
      /** JWTs for the current emulator day (see tokensNow). */
      get tokens() {
        return tokensNow();
      },
    };

    return {
      app: opseraRoutes(ctx, {
        world,
        jwt,
        isActive: (t) => t.active && !state.deactivated.includes(t._id),
        allowedRoles: listSwitch(cfg.allowedRoles, DEFAULT_ALLOWED_ROLES),
        format,
        dateMode: cfg.dateMode === 'day' ? 'day' : 'from',
        logRefusedTokenCalls: cfg.logRefusedTokenCalls !== false,
        tokenTargetIncludesQuery: cfg.tokenTargetIncludesQuery === true,
        retentionDays: numberSwitch(cfg.retentionDays, 365, { min: Number.MIN_VALUE }),
        recordUse,
      }),
      credentials,
      manifest: () => ({ accounts: world.accounts.map((a) => a.key) }),
      generate: (from, to, bucket) => generateDay(ctx.seed, world, from, to, bucket, ext),
      normalize: (input) => {
        const r = input as Partial<OpseraRecord> & { createdAt: string };
        const at = iso(Date.parse(r.createdAt));
        return { _id: liveId(Date.parse(at)), account: world.main.key, __v: 0, ...r, createdAt: at, updatedAt: r.updatedAt ? iso(Date.parse(r.updatedAt)) : at } as OpseraRecord;
      },
      error: (status, message) => opseraStatusError(status, message, format),
      // Token-usage records carry only the owner's id: show the owner's email on the timeline.
      summarize: (r): EventSummary => {
        const base = summarizeRecord(r);
        return isTokenRecord(r) ? { ...base, actor: world.users.get(r.user_id)?.email ?? r.user_id } : base;
      },
      actorFor: (person) => {
        const u = world.main.byPerson.get(person.id);
        return u && { user_id: u._id, user_email: u.email };
      },
      persist: {
        save: () => ({ deactivated: [...state.deactivated], counter: state.counter }),
        load: (data) => {
          const d = data as Partial<OpseraState> | null;
          state.deactivated = Array.isArray(d?.deactivated) ? d!.deactivated.filter((x): x is string => typeof x === 'string') : [];
          state.counter = typeof d?.counter === 'number' && Number.isInteger(d.counter) ? d.counter : 0;
        },
      },
    };
  },
});

function summarizeRecord(r: OpseraRecord): EventSummary {
  return isTokenRecord(r)
    ? { actor: r.user_id, action: `token ${r.scope}`, outcome: 'success', target: r.target }
    : {
        actor: r.user_email || r.user_id,
          action: `${r.type}.${r.action}`,
          outcome: /fail/.test(r.action) ? 'failure' : 'success',
          target: r.target_name ?? `${r.type} ${r.target_id}`,
        };
}
