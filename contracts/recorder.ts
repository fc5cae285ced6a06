import { checkRequest, checkResponse, type RequestProblem } from '../servers/core/conformance.js';
import { loadSpec, type Spec } from '../servers/core/spec.js';
import { providers } from '../servers/registry.js';

/** The spec of a vendor by id (`crusoe`, `instaclustr`, `octopai`, `k2`, `opsera`). */
export function specFor(vendor: string): Spec {
  const p = providers.find((x) => x.id === vendor);
  if (!p) throw new Error(`unknown vendor '${vendor}' (${providers.map((x) => x.id).join(', ')})`);
  return loadSpec(p.specFile);
}

export interface RecordedCall {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  status: number;
  responseContentType: string | null;
  responseBody: string;
}

export interface CallProblem {
  call: RecordedCall;
  problems: string[];
}

/**
 * Record the HTTP calls a client makes during a test, then check that every request and every
 * response conformed to the vendor's spec. Give the client `recorder.fetch` instead of `fetch`.
 */
export class RequestRecorder {
  readonly calls: RecordedCall[] = [];

  constructor(private readonly inner: typeof fetch = globalThis.fetch) {}

  readonly fetch: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    const requestBody = ['GET', 'HEAD'].includes(req.method) ? '' : await req.clone().text();
    const res = await this.inner(req);
    const call: RecordedCall = {
      method: req.method,
      url: req.url,
      requestHeaders: Object.fromEntries(req.headers),
      requestBody,
      status: res.status,
      responseContentType: res.headers.get('content-type'),
      responseBody: await res.clone().text(),
    };
    this.calls.push(call);
    return res;
  };

  /** Every call that did not conform, with what was wrong. */
  problems(vendorOrSpec: string | Spec): CallProblem[] {
    const spec = typeof vendorOrSpec === 'string' ? specFor(vendorOrSpec) : vendorOrSpec;
    const out: CallProblem[] = [];
    for (const call of this.calls) {
      const problems: string[] = [];
      const rq = checkRequest(spec, { method: call.method, url: call.url, headers: call.requestHeaders, body: call.requestBody });
      problems.push(...rq.problems.map((p: RequestProblem) => `request ${p.where}: ${p.message}`));
      let body: unknown = call.responseBody;
      if (call.responseContentType && /json/.test(call.responseContentType)) {
        try {
          body = JSON.parse(call.responseBody);
        } catch {
          problems.push('response body is not valid JSON');
        }
      }
      const rs = checkResponse(spec, {
        method: call.method,
        path: new URL(call.url).pathname,
        status: call.status,
        contentType: call.responseContentType,
        body,
      });
      problems.push(...rs.errors.map((e) => `response ${call.status}: ${e}`));
      if (problems.length) out.push({ call, problems });
    }
    return out;
  }

  /** Throw listing every non-conforming call. */
  assertAllConform(vendorOrSpec: string | Spec): void {
    const bad = this.problems(vendorOrSpec);
    if (bad.length) {
      throw new Error(
        `${bad.length} of ${this.calls.length} calls did not conform:\n` +
          bad.map((b) => `  ${b.call.method} ${b.call.url}\n    ${b.problems.join('\n    ')}`).join('\n'),
      );
    }
  }
}
