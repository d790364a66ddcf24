/**
 * The exclusion policy, as data: kinds inside the job ranges that are known not to be jobs, and the tags
 * that make an unknown kind look like a job. classify.ts is the only reader; changing the policy means
 * changing this file and nothing else.
 */

export interface ExcludedKind {
  readonly kind: number;
  /** What the kind actually is; shown as the rejection detail. */
  readonly reason: string;
  /** Where that was established. */
  readonly source: string;
}

export const EXCLUDED_KINDS: readonly ExcludedKind[] = Object.freeze([
  {
    kind: 5128,
    reason: 'nsite manifest snapshot (NIP-5A), not a job',
    source: 'nostr-protocol/nips 5A.md',
  },
  {
    kind: 5129,
    reason: 'Napplet snapshot, not a job',
    source: 'registry-of-kinds schema.yaml',
  },
  {
    kind: 5651,
    reason: "nostrdvm's result for music job 5251, published in the request range; never a request",
    source: 'nostrdvm definitions.py',
  },
  {
    kind: 5666,
    reason: 'unrelated application traffic in the job range',
    source: 'data-vending-machines issue #28; DVMDash dvm_kinds.yaml',
  },
  {
    kind: 6666,
    reason: 'unrelated application traffic in the result range',
    source: 'data-vending-machines issue #28; DVMDash dvm_kinds.yaml',
  },
  {
    kind: 5969,
    reason: 'polls, not jobs',
    source: 'data-vending-machines issue #28; registry-of-kinds schema.yaml',
  },
  {
    kind: 6969,
    reason: 'zap polls, not job results',
    source: 'data-vending-machines issue #28; registry-of-kinds schema.yaml ("Zap Poll")',
  },
]);

const BY_KIND: ReadonlyMap<number, ExcludedKind> = new Map(
  EXCLUDED_KINDS.map((entry) => [entry.kind, entry]),
);

export function exclusionFor(kind: number): ExcludedKind | null {
  return BY_KIND.get(kind) ?? null;
}

/**
 * A request of an unknown kind is a job only when it carries one of these. Junk that borrows job kinds
 * (climbing logs, base64 blobs, HTML files seen under 5132, 5151, 5389, 5546, 5555...) carries none.
 */
export const JOB_LIKE_TAGS: ReadonlySet<string> = new Set([
  'i',
  'param',
  'output',
  'bid',
  'relays',
  'p',
  'encrypted',
]);

/**
 * The same rule for results: a result whose request kind (kind - 1000) is unknown is a job result only
 * when it carries one of these. Real results name their request (`e`), customer (`p`) or echo the
 * request; junk in 6000-6999 carries none, and is turned away like the junk requests of its kind.
 */
export const RESULT_JOB_LIKE_TAGS: ReadonlySet<string> = new Set([
  'e',
  'p',
  'request',
  'i',
  'amount',
  'encrypted',
]);
