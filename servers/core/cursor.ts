import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Opaque page tokens: unpadded base64url of a JSON payload plus an HMAC made with the emulator's
 * secret, so a client can neither forge nor edit one. Vendors put the keyset position, the
 * resolved window and a hash of the filters in the payload.
 */
export function sealToken(secret: Buffer, payload: object): string {
  const body = Buffer.from(JSON.stringify(payload));
  const mac = createHmac('sha256', secret).update(body).digest().subarray(0, 16);
  return Buffer.concat([mac, body]).toString('base64url');
}

export function openToken<T = Record<string, unknown>>(secret: Buffer, token: string): T | null {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length < 17) return null;
  const mac = raw.subarray(0, 16);
  const body = raw.subarray(16);
  const want = createHmac('sha256', secret).update(body).digest().subarray(0, 16);
  if (!timingSafeEqual(mac, want)) return null;
  try {
    const v = JSON.parse(body.toString('utf8'));
    return v && typeof v === 'object' ? (v as T) : null;
  } catch {
    return null;
  }
}

/** Stable short hash of request parameters, independent of key order. */
export function hashParams(params: Record<string, unknown>): string {
  const keys = Object.keys(params).sort();
  const canon = JSON.stringify(keys.map((k) => [k, params[k]]));
  return createHash('sha256').update(canon).digest('base64url').slice(0, 22);
}
