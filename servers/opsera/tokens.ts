import type { JwtIssuer } from '../core/auth.js';
import type { Clock } from '../core/clock.js';
import { tokenRecord } from './events.js';
import type { OpseraContext } from './state.js';
import { MANIFEST_TOKENS, objectId, type ManifestTokenName, type OpseraWorld, type TokenMeta } from './world.js';

const DAY = 86_400_000;

/**
 * The manifest's tokens, anchored to the start of the emulator clock's current UTC day: the same seed
 * and day give the same tokens, valid ones are valid whatever instant the clock is set to, and
 * `expired` expired the day before. Advancing the clock past `exp` expires them.
 */
export function manifestTokens(world: OpseraWorld, jwt: JwtIssuer, clock: Clock): () => Record<ManifestTokenName, string> {
  let cached: { anchor: number; tokens: Record<ManifestTokenName, string> } | undefined;
  return () => {
    const anchor = Math.floor(clock.now() / DAY) * DAY;
    if (cached?.anchor === anchor) return cached.tokens;
    const tokens = {} as Record<ManifestTokenName, string>;
    for (const name of MANIFEST_TOKENS) {
      const t = world.manifest[name];
      const exp = t.expired ? anchor - DAY : anchor + t.lifetimeDays * DAY;
      tokens[name] = jwt.signSync({
        token_id: t._id,
        user_id: t.user_id,
        scope: t.scope,
        account: t.account,
        iat: Math.floor((exp - t.lifetimeDays * DAY) / 1000),
        exp: Math.floor(exp / 1000),
      });
    }
    cached = { anchor, tokens };
    return tokens;
  };
}

/** The manifest's `credentials`: the account, the tokens' owners, and the JWTs of the current emulator day. */
export function opseraCredentials(world: OpseraWorld, tokensNow: () => Record<ManifestTokenName, string>): Record<string, unknown> {
  const admin = world.users.get(world.manifest.api.user_id)!;
  const plain = world.users.get(world.manifest.notAdmin.user_id)!;
  return {
    account: world.main.key,
    email: admin.email,
    userId: admin._id,
    notAdminEmail: plain.email,
    tokenIds: Object.fromEntries(MANIFEST_TOKENS.map((n) => [n, world.manifest[n]._id])),
    get tokens() {
      return tokensNow();
    },
  };
}

/** Live ObjectIds: seconds, the emulator's machine part, then a counter, so equal instants sort by arrival. */
export function liveId(ctx: OpseraContext, world: OpseraWorld, ms: number): string {
  // A hand-edited state file is not checked by the core: a counter that is not a count starts again at 0.
  const n = Number.isSafeInteger(ctx.state.counter) ? ctx.state.counter : 0;
  ctx.state.counter = n + 1;
  return objectId(ms, world.machine + (n & 0xffffff).toString(16).padStart(6, '0'));
}

/** `target` of a usage record: the path without `/api`, with the query only when `tokenTargetIncludesQuery`. */
function targetOf(url: string, withQuery: boolean): string {
  const u = new URL(url);
  const path = u.pathname.replace(/^\/api(?=\/)/, '');
  return withQuery ? path + u.search : path;
}

/** Append a token-usage record for this call at the emulator's now. */
export function recordUse(ctx: OpseraContext, world: OpseraWorld, token: TokenMeta, url: string): void {
  const now = ctx.clock.now();
  ctx.store.insert(tokenRecord(liveId(ctx, world, now), now, token, targetOf(url, ctx.settings.tokenTargetIncludesQuery)));
}
