import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { basicAuth } from './instaclustr/client.js';
import { signRequest } from '../servers/crusoe/signature.js';

export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Headers that authenticate a request as each vendor's real client would, from the manifest's
 * base URL and credentials (the fuzzer and the soak use it; so can users' own harnesses).
 */
export type Authorizer = (req: OutgoingRequest) => Promise<Record<string, string>>;

function decodePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

export async function authorizerFor(vendor: string, p: { baseUrl: string; credentials: Record<string, unknown> }): Promise<Authorizer> {
  const c = p.credentials as any;
  switch (vendor) {
    case 'crusoe':
      return async (req) => signRequest({ accessKeyId: c.accessKeyId, secretKey: c.secretKey, method: req.method, path: decodePath(req.url.pathname), query: req.url.search.slice(1) });
    case 'instaclustr':
      return async (req) => ({
        authorization: basicAuth(c.username, req.url.pathname.startsWith('/v1/organisations') ? c.organisationManagementApiKey : c.provisioningApiKey),
      });
    case 'octopai': {
      const r = await fetch(`${p.baseUrl}/api/UserAccount/Login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ UserName: c.userName, Password: c.password }) });
      const body = (await r.json()) as Record<string, any>;
      const token = body.accessToken ?? body.AccessToken ?? body.data?.accessToken ?? body.token;
      if (typeof token !== 'string') throw new Error(`octopai login gave no token: ${JSON.stringify(body).slice(0, 200)}`);
      return async () => ({ authorization: `Bearer ${token}` });
    }
    case 'opsera':
      return async () => ({ authorization: `Bearer ${c.tokens.api}` });
    case 'k2':
      return async (req) => {
        const service = req.method === 'POST' && req.url.pathname === '/' ? 'cloudtrail' : 's3';
        const signer = new SignatureV4({ service, region: c.region, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }, sha256: Sha256, uriEscapePath: service !== 's3' });
        const query: Record<string, string> = {};
        for (const [k, v] of req.url.searchParams) query[k] = v;
        const signed = await signer.sign({
          method: req.method, protocol: 'http:', hostname: req.url.hostname, port: Number(req.url.port), path: decodePath(req.url.pathname), query,
          headers: { host: req.url.host, ...req.headers, ...(service === 's3' ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {}) },
          body: req.body || undefined,
        });
        const h = { ...(signed.headers as Record<string, string>) };
        delete h.host;
        return h;
      };
    default:
      throw new Error(`no authorizer for ${vendor}`);
  }
}
