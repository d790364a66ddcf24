import { FEEDBACK_STATUSES, type FeedbackStatus } from './dvm-event.js';

/** Values the exporter derives itself; a DVM writing one of them gets `other`, like any unknown value. */
const DERIVED: ReadonlySet<FeedbackStatus> = new Set(['encrypted', 'unknown', 'other']);
const WIRE_STATUSES: ReadonlySet<string> = new Set(
  FEEDBACK_STATUSES.filter((status) => !DERIVED.has(status)),
);

/** Spellings other clients use for a status in the list. */
const ALIASES: ReadonlyMap<string, FeedbackStatus> = new Map([['failure', 'error']]);

/**
 * Normalises a status tag value: lower case, `_` -> `-` (NDK writes `payment_required`), known aliases;
 * anything else is `other` so the label set stays bounded. Null for a missing or blank value.
 */
export function normaliseStatus(raw: string | undefined): FeedbackStatus | null {
  if (raw === undefined) return null;
  const value = raw.trim().toLowerCase().replaceAll('_', '-');
  if (value === '') return null;
  const alias = ALIASES.get(value);
  if (alias) return alias;
  return WIRE_STATUSES.has(value) ? (value as FeedbackStatus) : 'other';
}
