/**
 * A bounded memo for pure functions of a string (parsed query strings, sealed tokens): pollers
 * repeat the same request shapes, and these results depend on nothing else. Oldest entries go first.
 */
export class Memo<V> {
  private map = new Map<string, V>();

  constructor(private readonly capacity = 2000) {}

  get(key: string, compute: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined || this.map.has(key)) return hit as V;
    const v = compute();
    if (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, v);
    return v;
  }
}
