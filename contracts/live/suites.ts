import type { ClientTarget, LiveStep } from '../../servers/core/hooks.js';
import type { Provider } from '../../servers/core/provider.js';
import { loadSpec } from '../../servers/core/spec.js';
import { providers } from '../../servers/registry.js';
import { authorizerFor } from '../auth.js';
import { RequestRecorder } from '../recorder.js';

/**
 * Read-only contract suites that run against any base URL: the emulator (in `npm test`) or the
 * real vendor when credentials are given (`npm run contract:live`). Every call goes through a
 * RequestRecorder, so each request and response is checked against the vendor's spec and every
 * difference is reported. This is how a user notices that a vendor changed its API. The calls,
 * environment names and the wrong credential are each vendor's `hooks.live`.
 */
export type LiveTarget = ClientTarget;

export interface CheckResult {
  name: string;
  problems: string[];
}

export interface LiveSuite {
  vendor: string;
  /** Environment variables: required ones, then optional ones with their defaults. */
  env: { required: string[]; optional: Record<string, string> };
  fromEnv(env: NodeJS.ProcessEnv): LiveTarget;
  run(target: LiveTarget): Promise<CheckResult[]>;
}

/** Run a vendor's calls through a recorder and report, per call, spec differences and unexpected statuses. */
async function runCalls(p: Provider, target: LiveTarget, calls: LiveStep[]): Promise<CheckResult[]> {
  const live = p.hooks!.live;
  const auth = await authorizerFor(p, target);
  const wrong = await live.wrongAuthorizer(target);
  const spec = loadSpec(p.specFile);
  const results: CheckResult[] = [];
  const bodies = new Map<string, any>();
  for (const make of calls) {
    const call = typeof make === 'function' ? make(bodies) : make;
    if (!call) continue;
    const recorder = new RequestRecorder();
    const url = new URL(call.path, target.baseUrl);
    const headers: Record<string, string> = { accept: 'application/json', ...(call.headers ?? {}) };
    Object.assign(headers, await (call.auth === 'wrong' ? wrong : auth)({ method: call.method, url, headers, body: call.body }));
    const problems: string[] = [];
    try {
      const res = await recorder.fetch(url, { method: call.method, headers, body: call.body });
      const text = await res.text();
      try {
        bodies.set(call.name, JSON.parse(text));
      } catch {
        bodies.set(call.name, text);
      }
      const want = call.expect ?? 200;
      if (res.status !== want) problems.push(`expected status ${want}, got ${res.status}: ${text.slice(0, 200)}`);
      // Calls that provoke an error break the request on purpose: only their response is checked.
      for (const x of recorder.problems(spec)) problems.push(...x.problems.filter((m) => want < 400 || !m.startsWith('request ')));
    } catch (err) {
      problems.push(`request failed: ${(err as Error).message}`);
    }
    results.push({ name: call.name, problems });
  }
  return results;
}

/** The live suite of any provider with hooks (a registered vendor or one made elsewhere, e.g. in a test). */
export function liveSuite(p: Provider): LiveSuite {
  if (!p.hooks) throw new Error(`no live suite for ${p.id}: its provider has no hooks`);
  const live = p.hooks.live;
  return { vendor: p.id, env: live.env, fromEnv: live.fromEnv, run: (t) => runCalls(p, t, live.calls(t)) };
}

export const liveSuites: LiveSuite[] = providers.filter((p) => p.hooks).map(liveSuite);
