/**
 * Reading request bodies with a size limit, for every vendor and the control API: the limit is
 * checked on Content-Length and again while reading, so a huge body is refused without being
 * held in memory. Each caller maps the failure to its own vendor's error.
 */
export async function readBodyText(req: Request, limit: number): Promise<string | null> {
  const len = Number(req.headers.get('content-length') ?? '0');
  if (len > limit) return null;
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type JsonBody = { ok: true; value: unknown; empty: boolean; text: string } | { ok: false; why: 'too_large' | 'not_json' };

/** The body parsed as JSON; an empty body is `{ ok: true, empty: true, value: undefined }`. */
export async function readJsonBody(req: Request, limit: number): Promise<JsonBody> {
  const text = await readBodyText(req, limit);
  if (text === null) return { ok: false, why: 'too_large' };
  if (text.trim() === '') return { ok: true, value: undefined, empty: true, text };
  try {
    return { ok: true, value: JSON.parse(text), empty: false, text };
  } catch {
    return { ok: false, why: 'not_json' };
  }
}
