import type { Authorizer, ClientTarget } from '../servers/core/hooks.js';
import type { Provider } from '../servers/core/provider.js';
import { providers } from '../servers/registry.js';

export type { Authorizer, OutgoingRequest } from '../servers/core/hooks.js';

/** A registered vendor by id, or the provider itself (a vendor registered elsewhere, e.g. in a test). */
export function providerOf(vendor: string | Provider): Provider {
  if (typeof vendor !== 'string') return vendor;
  const p = providers.find((x) => x.id === vendor);
  if (!p) throw new Error(`unknown vendor '${vendor}' (${providers.map((x) => x.id).join(', ')})`);
  return p;
}

/**
 * Headers that authenticate a request as each vendor's real client would, from the manifest's
 * base URL and credentials (the fuzzer and the soak use it; so can users' own harnesses). Each
 * vendor's signer is its `hooks.authorizer`, in its own client.ts.
 */
export async function authorizerFor(vendor: string | Provider, target: ClientTarget): Promise<Authorizer> {
  const p = providerOf(vendor);
  if (!p.hooks) throw new Error(`no authorizer for ${p.id}: its provider has no hooks`);
  return p.hooks.authorizer(target);
}
