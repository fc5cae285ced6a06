import type { components, operations } from '../../openapi/generated/instaclustr.js';

export type UserAction = components['schemas']['UserAction'];
export type UserActionsPage = components['schemas']['UserActionsPage'];
export type ActionKind = components['schemas']['ActionKind'];
export type ErrorResponseV2 = components['schemas']['ErrorResponseV2'];
export type ErrorListResponseV2 = components['schemas']['ErrorListResponseV2'];
export type AccountQuery = NonNullable<operations['getAccountUserActions']['parameters']['query']>;
export type OrganisationQuery = NonNullable<operations['getOrganisationUserActions']['parameters']['query']>;

export const ACCOUNT_USER_ACTIONS_PATH = '/cluster-management/v2/operations/user-actions/v2';
export const organisationUserActionsPath = (organisationId: string) => `/v1/organisations/${encodeURIComponent(organisationId)}/user-actions`;

export interface InstaclustrClientOptions {
  baseUrl: string;
  username: string;
  /** Provisioning or Read-Only Provisioning key for the account endpoint. */
  apiKey?: string;
  /** Organization Management key for the organisation endpoint. */
  organisationApiKey?: string;
  fetch?: typeof fetch;
}

export type InstaclustrResult =
  | { ok: true; status: 200; body: UserActionsPage; response: Response }
  | { ok: false; status: number; body: ErrorResponseV2 | ErrorListResponseV2 | Record<string, unknown>; response: Response };

/** Arrays as repeated keys (`actionKinds=A&actionKinds=B`), as OpenAPI form/explode describes. */
export function encodeQuery(q: AccountQuery | OrganisationQuery): string {
  const params = new URLSearchParams();
  for (const [key, v] of Object.entries(q)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) params.append(key, String(item));
  }
  return params.toString();
}

export function basicAuth(username: string, apiKey: string): string {
  return `Basic ${Buffer.from(`${username}:${apiKey}`, 'utf8').toString('base64')}`;
}

/** A typed client for Instaclustr's user-actions endpoints (HTTP Basic, username and API key). */
export class InstaclustrClient {
  constructor(private readonly opts: InstaclustrClientOptions) {}

  private async get(path: string, query: AccountQuery | OrganisationQuery, apiKey: string | undefined): Promise<InstaclustrResult> {
    const qs = encodeQuery(query);
    const response = await (this.opts.fetch ?? fetch)(`${this.opts.baseUrl}${path}${qs ? `?${qs}` : ''}`, {
      headers: { Authorization: basicAuth(this.opts.username, apiKey ?? ''), Accept: 'application/json' },
    });
    const body = await response.clone().json();
    return response.status === 200 ? { ok: true, status: 200, body, response } : { ok: false, status: response.status, body, response };
  }

  /** GET the account's user actions with the account key. */
  getAccountUserActions(query: AccountQuery = {}): Promise<InstaclustrResult> {
    return this.get(ACCOUNT_USER_ACTIONS_PATH, query, this.opts.apiKey);
  }

  /** GET the organisation's and its linked accounts' user actions with the organisation key. */
  getOrganisationUserActions(organisationId: string, query: OrganisationQuery = {}): Promise<InstaclustrResult> {
    return this.get(organisationUserActionsPath(organisationId), query, this.opts.organisationApiKey);
  }

  /** Every record of the filtered set, paging by startIndex; pin endTime for stable pages. */
  async *all(target: { organisationId?: string }, query: OrganisationQuery = {}): AsyncGenerator<UserAction> {
    const pageSize = query.pageSize ?? 1000;
    for (let start = query.startIndex ?? 0; ; start += pageSize) {
      const q = { ...query, pageSize, startIndex: start, getActionCounts: false };
      const r = target.organisationId ? await this.getOrganisationUserActions(target.organisationId, q) : await this.getAccountUserActions(q);
      if (!r.ok) throw new Error(`instaclustr ${r.status}: ${JSON.stringify(r.body)}`);
      yield* r.body.resources;
      if (r.body.resources.length < pageSize || start + pageSize >= r.body.totalResults) return;
    }
  }
}
