import type { components, operations } from '../../openapi/generated/opsera.js';

export type ActionRecord = components['schemas']['ActionRecord'];
export type TokenRecord = components['schemas']['TokenRecord'];
export type ActionsResponse = components['schemas']['ActionsResponse'];
export type TokensResponse = components['schemas']['TokensResponse'];
export type ErrorBody = components['schemas']['ErrorBody'];
export type ActionsQuery = NonNullable<operations['getUserActions']['parameters']['query']>;
export type TokensQuery = NonNullable<operations['getTokenUsage']['parameters']['query']>;

export interface OpseraClientOptions {
  /** `https://app.opsera.io`, a tenant URL, or the emulator's base URL. */
  baseUrl: string;
  /** A personal access token (JWT). */
  token: string;
  fetch?: typeof fetch;
}

export type OpseraResult<T> =
  | { ok: true; status: 200; body: T; response: Response }
  /** Error bodies are `{message}` JSON, or a bare string with `opsera.errorBodyFormat = "text"`. */
  | { ok: false; status: number; body: ErrorBody | string; response: Response };

/** A typed client for Opsera's two v1 audit-log routes. */
export class OpseraClient {
  constructor(private readonly opts: OpseraClientOptions) {}

  getUserActions(query: ActionsQuery = {}): Promise<OpseraResult<ActionsResponse>> {
    return this.get('/api/v1/logs/user/actions', query);
  }

  getTokenUsage(query: TokensQuery = {}): Promise<OpseraResult<TokensResponse>> {
    return this.get('/api/v1/logs/user/tokens', query);
  }

  private async get<T>(path: string, query: Record<string, string | undefined>): Promise<OpseraResult<T>> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, v);
    const qs = params.toString();
    const response = await (this.opts.fetch ?? fetch)(`${this.opts.baseUrl}${path}${qs ? `?${qs}` : ''}`, {
      headers: { Authorization: `Bearer ${this.opts.token}`, Accept: 'application/json' },
    });
    const text = await response.clone().text();
    const json = /json/.test(response.headers.get('content-type') ?? '');
    const body = json ? JSON.parse(text) : text;
    return response.status === 200 ? { ok: true, status: 200, body: body as T, response } : { ok: false, status: response.status, body, response };
  }
}
