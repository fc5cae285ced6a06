import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Opaque page tokens: the JSON payload and an HMAC made with the emulator's secret, so a client
 * can neither forge nor edit one. Vendors put the keyset position, the resolved window and a hash
 * of the filters in the payload. Two spellings: 'joined' is one unpadded base64url string (MAC
 * then payload); 'dotted' is `<payload>.<mac>`, each base64url (K2's documented shape).
 */
export type TokenStyle = 'joined' | 'dotted';

function macOf(secret: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(body).digest().subarray(0, 16);
}

export function sealToken(secret: Buffer, payload: object, style: TokenStyle = 'joined'): string {
  const body = Buffer.from(JSON.stringify(payload));
  const mac = macOf(secret, body);
  return style === 'dotted' ? `${body.toString('base64url')}.${mac.toString('base64url')}` : Buffer.concat([mac, body]).toString('base64url');
}

export function openToken<T = Record<string, unknown>>(secret: Buffer, token: string, style: TokenStyle = 'joined'): T | null {
  let mac: Buffer;
  let body: Buffer;
  if (style === 'dotted') {
    const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
    if (!m) return null;
    body = Buffer.from(m[1], 'base64url');
    mac = Buffer.from(m[2], 'base64url');
  } else {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
    const raw = Buffer.from(token, 'base64url');
    mac = raw.subarray(0, 16);
    body = raw.subarray(16);
  }
  if (mac.length !== 16 || body.length === 0 || !timingSafeEqual(mac, macOf(secret, body))) return null;
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
