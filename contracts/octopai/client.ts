import type { components, operations } from '../../openapi/generated/octopai.js';

export type UserEvent = components['schemas']['UserEvent'];
export type LoginResponse = components['schemas']['LoginResponse'];
export type LoginFailure = components['schemas']['LoginFailure'];
export type ValidationProblem = components['schemas']['ValidationProblem'];
export type UserEventsQuery = NonNullable<operations['getUserEvents']['parameters']['query']>;
export type UserEventsBody = components['schemas']['UserEventsRequest'];

export interface OctopaiClientOptions {
  baseUrl: string;
  userName: string;
  password: string;
  fetch?: typeof fetch;
  userAgent?: string;
}

export type EventsResult =
  { ok: true; status: 200; body: UserEvent[]; response: Response } | { ok: false; status: number; body: ValidationProblem | null; response: Response };

export type LoginResult =
  { ok: true; status: 200; body: LoginResponse; response: Response } | { ok: false; status: number; body: LoginFailure | null; response: Response };

async function readJson(res: Response): Promise<unknown> {
  const text = await res.clone().text();
  return text ? JSON.parse(text) : null;
}

/**
 * A typed client for Octopai's UserAccount API. It logs in on first use, and when a call is
 * refused with 401 it refreshes the token pair (logging in again if the refresh fails) and
 * retries that call once.
 */
export class OctopaiClient {
  private tokens: LoginResponse | null = null;
  /** Logins and refreshes done so far (for diagnostics and tests). */
  readonly stats = { logins: 0, refreshes: 0, retries: 0 };

  constructor(private readonly opts: OctopaiClientOptions) {}

  private get fetch(): typeof fetch {
    return this.opts.fetch ?? fetch;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Accept: 'application/json', ...(this.opts.userAgent ? { 'User-Agent': this.opts.userAgent } : {}), ...extra };
  }

  get accessToken(): string | null {
    return this.tokens?.accessToken ?? null;
  }

  /** POST /api/UserAccount/Login with the documented PascalCase body. */
  async login(): Promise<LoginResult> {
    this.stats.logins++;
    const response = await this.fetch(`${this.opts.baseUrl}/api/UserAccount/Login`, {
      method: 'POST',
      headers: this.headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ Username: this.opts.userName, Password: this.opts.password }),
    });
    const body = (await readJson(response)) as LoginResponse | LoginFailure | null;
    // A 2xx can still carry a failure (octopai.loginFailureStatus = 200): check `error` as well.
    if (response.status === 200 && body && body.error === null) {
      this.tokens = body;
      return { ok: true, status: 200, body: body, response };
    }
    this.tokens = null;
    return { ok: false, status: response.status, body: body as LoginFailure | null, response };
  }

  /** POST /api/UserAccount/RefreshToken with the current pair; the refresh token rotates. */
  async refresh(): Promise<LoginResult> {
    if (!this.tokens) return this.login();
    this.stats.refreshes++;
    const response = await this.fetch(`${this.opts.baseUrl}/api/UserAccount/RefreshToken`, {
      method: 'POST',
      headers: this.headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ accessToken: this.tokens.accessToken, refreshToken: this.tokens.refreshToken.token }),
    });
    const body = (await readJson(response)) as LoginResponse | LoginFailure | null;
    if (response.status === 200 && body && body.error === null) {
      this.tokens = body;
      return { ok: true, status: 200, body: body, response };
    }
    return { ok: false, status: response.status, body: body as LoginFailure | null, response };
  }

  private async authorized(send: (token: string) => Promise<Response>): Promise<Response> {
    if (!this.tokens) {
      const l = await this.login();
      if (!l.ok) return l.response;
    }
    let res = await send(this.tokens!.accessToken);
    if (res.status === 401) {
      this.stats.retries++;
      const r = await this.refresh();
      if (!r.ok) {
        const l = await this.login();
        if (!l.ok) return res;
      }
      res = await send(this.tokens!.accessToken);
    }
    return res;
  }

  private async events(response: Response): Promise<EventsResult> {
    const body = await readJson(response);
    return response.status === 200
      ? { ok: true, status: 200, body: body as UserEvent[], response }
      : { ok: false, status: response.status, body: body as ValidationProblem | null, response };
  }

  /** GET /api/UserAccount/UserEvents with the parameters in the query string. */
  async getUserEvents(query: UserEventsQuery = {}): Promise<EventsResult> {
    const qs = new URLSearchParams(
      Object.entries(query)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    ).toString();
    const url = `${this.opts.baseUrl}/api/UserAccount/UserEvents${qs ? `?${qs}` : ''}`;
    return this.events(await this.authorized((token) => this.fetch(url, { headers: this.headers({ Authorization: `Bearer ${token}` }) })));
  }

  /** POST /api/UserAccount/UserEvents with the parameters in a JSON body. */
  async postUserEvents(body: UserEventsBody = {}): Promise<EventsResult> {
    const url = `${this.opts.baseUrl}/api/UserAccount/UserEvents`;
    return this.events(
      await this.authorized((token) =>
        this.fetch(url, {
          method: 'POST',
          headers: this.headers({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }),
          body: JSON.stringify(body),
        }),
      ),
    );
  }

  /** Every event of the query, page by page, until a page holds fewer than pageSize events. */
  async *allEvents(query: Omit<UserEventsBody, 'pageNumber'> = {}): AsyncGenerator<UserEvent> {
    const size = Number(query.pageSize ?? 100);
    for (let page = 1; ; page++) {
      const r = await this.postUserEvents({ ...query, pageNumber: page });
      if (!r.ok) throw new Error(`octopai ${r.status}: ${JSON.stringify(r.body)}`);
      yield* r.body;
      if (r.body.length < size) return;
    }
  }
}
