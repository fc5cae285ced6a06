import type { components } from '../../openapi/generated/opsera.js';
import { ACTION_GROUPS, AUTOMATION_TARGETS, type OpseraType } from '../../fixtures/catalogues/opsera.js';
import type { EventSummary } from '../core/provider.js';
import { daySessions, sessionTimes } from '../core/rhythm.js';
import { Rng, hashSeed } from '../core/rng.js';
import { iso } from '../core/time.js';
import { objectId, type OpseraUser, type OpseraWorld, type TokenMeta } from './world.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

type Schemas = components['schemas'];
/** A `/actions` record; `target_name` and `changeLog` only with `includeExtendedFields` (or when injected). */
export type ActionRecord = Schemas['ActionRecord'];
/** A `/tokens` record: one use of a personal access token. */
export type TokenRecord = Schemas['TokenRecord'];
/** What injection accepts: either log's record, told apart by `token_id`. */
export type RecordInput = Schemas['RecordInput'];

/** Both logs share one store; a token-usage record is the one that carries `token_id`. */
export type OpseraRecord = ActionRecord | TokenRecord;

export function isTokenRecord(r: OpseraRecord): r is TokenRecord {
  return 'token_id' in r;
}

function changeLogFor(action: string, name: string): unknown[] {
  // Deterministic from the record (no draws), so the switch does not change the rest of history.
  if (action === 'update' || action === 'update_runtime_settings') return [{ field: action === 'update' ? 'configuration' : 'runtimeSettings', target: name }];
  if (action === 'edit_access_roles') return [{ field: 'roles', target: name }];
  if (action === 'ownership_transfer') return [{ field: 'owner', target: name }];
  return [];
}

function actionRecord(
  t: number,
  user: OpseraUser,
  type: OpseraType,
  action: string,
  target: { id: string; name: string },
  rng: Rng,
  ext: boolean,
): ActionRecord {
  const at = iso(t);
  const rec: ActionRecord = {
    _id: objectId(t, rng.hex(16)),
    user_id: user._id,
    user_email: user.email,
    type,
    action,
    target_id: target.id,
    account: user.account,
    createdAt: at,
    updatedAt: at,
    __v: 0,
  };
  if (ext) {
    rec.target_name = target.name;
    rec.changeLog = changeLogFor(action, target.name);
  }
  return rec;
}

export function tokenRecord(_id: string, t: number, token: TokenMeta, target: string): TokenRecord {
  const at = iso(t);
  return { _id, token_id: token._id, scope: token.scope, target, user_id: token.user_id, account: token.account, createdAt: at, updatedAt: at, __v: 0 };
}

function weekday(dayStart: number): boolean {
  const d = new Date(dayStart).getUTCDay();
  return d !== 0 && d !== 6;
}

/** One day of both logs for every account, derived from (seed, day) only. */
export function generateDay(seed: number, world: OpseraWorld, from: number, to: number, bucket: number, ext: boolean): OpseraRecord[] {
  const rng = new Rng(hashSeed(seed, 'opsera', bucket));
  const out: OpseraRecord[] = [];
  const busy = weekday(from);
  for (const a of world.accounts) {
    const people = a.users.map((u) => u.person);
    for (const s of daySessions(rng, people, from, a.perDay)) {
      const user = a.byPerson.get(s.person.id)!;
      // A session: a login, then a few actions on one pipeline, tool or task (coherent ids).
      const times = sessionTimes(rng, s.start, 1 + rng.poisson(2.3), [5_000, 240_000]);
      const pipeline = rng.pick(a.pipelines);
      const tool = rng.pick(a.tools);
      const task = rng.pick(a.tasks);
      out.push(actionRecord(times[0], user, 'authentication', 'login', { id: user._id, name: user.email }, rng, ext));
      for (let i = 1; i < times.length; i++) {
        const group = rng.weighted(ACTION_GROUPS);
        const action = rng.weighted(group.actions).action;
        const target = group.type === 'pipeline' ? pipeline : group.type === 'registry' ? tool : task;
        out.push(actionRecord(times[i], user, group.type, action, target, rng, ext));
      }
    }
    // Webhook-triggered runs carry the pipeline owner's user.
    for (const p of a.pipelines) {
      if (!p.webhook) continue;
      const n = rng.poisson(busy ? 2.5 : 0.4);
      for (let i = 0; i < n; i++) out.push(actionRecord(from + rng.int(0, DAY - 1), p.owner, 'pipeline', 'webhook_start', p, rng, ext));
    }
    // The SIEM collector polls both routes every 5 to 15 minutes, day and night.
    for (let t = from + rng.int(0, 10 * MINUTE); t < to; t += rng.int(5 * MINUTE, 15 * MINUTE)) {
      out.push(tokenRecord(objectId(t, rng.hex(16)), t, a.collector, '/v1/logs/user/actions'));
      const t2 = t + rng.int(150, 2_500);
      out.push(tokenRecord(objectId(t2, rng.hex(16)), t2, a.collector, '/v1/logs/user/tokens'));
    }
    // Automation: CI and scripts calling the pipeline, registry and task APIs.
    const calls = rng.poisson((busy ? 30 : 6) * (a === world.main ? 1 : 0.3));
    for (let i = 0; i < calls; i++) {
      const t = from + rng.int(0, DAY - 1);
      const token = rng.pick(a.automation);
      const path = rng.weighted(AUTOMATION_TARGETS).path.replace('<id>', rng.pick(a.pipelines).id);
      out.push(tokenRecord(objectId(t, rng.hex(16)), t, token, path));
    }
  }
  return out;
}

/** An injected record as stored: `_id`, `account`, `updatedAt` and `__v` filled in, times as the log serves them. */
export function normalizeRecord(input: RecordInput, account: string, newId: (ms: number) => string): OpseraRecord {
  const at = iso(Date.parse(input.createdAt));
  const _id = newId(Date.parse(at));
  return { _id, account, __v: 0, ...input, createdAt: at, updatedAt: input.updatedAt ? iso(Date.parse(input.updatedAt)) : at };
}

/** The timeline's view of a record; token uses show the owner's id (the instance resolves it to an email). */
export function summarizeRecord(r: OpseraRecord): EventSummary {
  if (isTokenRecord(r)) return { actor: r.user_id, action: `token ${r.scope}`, outcome: 'success', target: r.target };
  return {
    actor: r.user_email || r.user_id,
    action: `${r.type}.${r.action}`,
    outcome: /fail/.test(r.action) ? 'failure' : 'success',
    target: r.target_name ?? `${r.type} ${r.target_id}`,
  };
}
