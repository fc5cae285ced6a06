/** JSON in and out as ASP.NET Core model binding and its JSON output do it. */
import type { Context } from 'hono';
import { readJsonBody } from '../core/body.js';

export type JsonObject = Record<string, unknown>;
export type BodyResult = { ok: true; body: JsonObject | null } | { ok: false; why: 'too_large' | 'content_type' | 'not_json' | 'not_object' };

function isJsonType(ct: string | undefined): boolean {
  if (!ct) return true;
  const media = ct.split(';')[0].trim().toLowerCase();
  return media === 'application/json' || media === 'text/json' || /^application\/[a-z0-9.+-]+\+json$/.test(media);
}

/** A JSON object body; `null` for an empty body. */
export async function jsonBody(c: Context, limit: number): Promise<BodyResult> {
  const r = await readJsonBody(c.req.raw, limit);
  if (!r.ok && r.why === 'too_large') return { ok: false, why: 'too_large' };
  if (!isJsonType(c.req.header('content-type')) && !(r.ok && r.empty)) return { ok: false, why: 'content_type' };
  if (!r.ok) return { ok: false, why: 'not_json' };
  if (r.empty) return { ok: true, body: null };
  const v = r.value;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { ok: false, why: 'not_object' };
  return { ok: true, body: v as JsonObject };
}

/** A field matched case-insensitively (ASP.NET model binding); the last spelling wins. */
export function field(o: JsonObject, name: string): unknown {
  let out: unknown;
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === name) out = v;
  return out;
}

/** A 200 with a JSON body: an object, or JSON text or bytes made ready by the store. */
export function json(body: object | string | Uint8Array<ArrayBuffer>): Response {
  const data = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  return new Response(data, { headers: { 'content-type': 'application/json; charset=utf-8' } });
}
