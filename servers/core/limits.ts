/** Limits on injected records: deeper or larger ones cannot be rendered, stored or saved safely. */
export const MAX_RECORD_DEPTH = 32;
export const MAX_RECORD_BYTES = 1_048_576;

/** How deeply objects and arrays nest in a parsed JSON value (a scalar is 0); iterative, so any depth is safe. */
export function jsonDepth(value: unknown, stopAfter = Infinity): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > stopAfter) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth]);
  }
  return max;
}

/** Why a record cannot be injected, or null when it is within the limits. */
export function recordLimitProblem(rec: unknown): string | null {
  if (jsonDepth(rec, MAX_RECORD_DEPTH) > MAX_RECORD_DEPTH) return `the record nests deeper than ${MAX_RECORD_DEPTH} levels`;
  if (Buffer.byteLength(JSON.stringify(rec)) > MAX_RECORD_BYTES) return `the record is larger than ${MAX_RECORD_BYTES} bytes (1 MiB)`;
  return null;
}
