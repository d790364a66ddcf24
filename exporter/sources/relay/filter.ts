/** NIP-01 filters: the shape sent in REQ, and a local matcher to attribute received events to filters. */

/** What to ask for, without the time window: kinds plus optional tag constraints (`#k`, `#p`). */
export interface FilterSpec {
  readonly kinds: readonly number[];
  readonly tags?: Readonly<Record<string, readonly string[]>>;
}

/** A filter as sent on the wire. */
export type WireFilter = {
  kinds?: number[];
  since?: number;
  until?: number;
  limit?: number;
} & { [tag: `#${string}`]: string[] };

export interface Window {
  readonly since?: number;
  readonly until?: number;
  readonly limit?: number;
}

export function toWireFilter(spec: FilterSpec, window: Window): WireFilter {
  const filter: WireFilter = { kinds: [...spec.kinds] };
  for (const [name, values] of Object.entries(spec.tags ?? {})) filter[`#${name}`] = [...values];
  if (window.since !== undefined) filter.since = window.since;
  if (window.until !== undefined) filter.until = window.until;
  if (window.limit !== undefined) filter.limit = window.limit;
  return filter;
}

/**
 * Tests whether an event received from a relay matches a filter spec (kinds and tags; the time window is
 * checked by the caller). The event is unvalidated relay input, so every field is read defensively.
 */
export class FilterMatcher {
  private readonly kinds: ReadonlySet<number>;
  private readonly tags: readonly (readonly [string, ReadonlySet<string>])[];

  constructor(readonly spec: FilterSpec) {
    this.kinds = new Set(spec.kinds);
    this.tags = Object.entries(spec.tags ?? {}).map(([name, values]) => [name, new Set(values)] as const);
  }

  matches(event: unknown): boolean {
    if (typeof event !== 'object' || event === null) return false;
    const { kind, tags } = event as { kind?: unknown; tags?: unknown };
    if (typeof kind !== 'number' || !this.kinds.has(kind)) return false;
    if (this.tags.length === 0) return true;
    if (!Array.isArray(tags)) return false;
    return this.tags.every(([name, values]) =>
      tags.some((tag: unknown) => Array.isArray(tag) && tag[0] === name && values.has(tag[1] as string)),
    );
  }
}
