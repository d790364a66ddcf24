import { JOB_KIND_NAMES } from '../../../exporter/model/kinds.js';

/**
 * SQL fragments over the store's schema (docs/clickhouse.md), written once for every panel that
 * shows a DVM, a kind or an event. Variables are inserted with links.ts `sqlString` (percent-encoded,
 * decoded in SQL), so no value, typed or from the URL, can change a query's shape.
 */

/** A DVM's display name: its NIP-89 name, else the start of its pubkey. */
export function dvmName(pubkeyColumn: string, nameColumn: string): string {
  return `coalesce(nullIf(${nameColumn}, ''), ${shortKey(pubkeyColumn)})`;
}

/** The first 8 hex characters of a pubkey or id, for compact cells. */
export function shortKey(column: string): string {
  return `concat(substring(${column}, 1, 8), '…')`;
}

/** The human name of a request kind (the exporter's kind table), or '' for kinds without one. */
export function kindName(kindColumn: string): string {
  const kinds = [...JOB_KIND_NAMES.keys()];
  const names = kinds.map((k) => `'${JOB_KIND_NAMES.get(k)!.replace(/'/g, "''")}'`);
  return `transform(toUInt32(${kindColumn}), [${kinds.join(', ')}], [${names.join(', ')}], '')`;
}

/** `5300 · content discovery`. */
export function kindLabel(kindColumn: string): string {
  return `concat(toString(${kindColumn}), if(${kindName(kindColumn)} = '', '', concat(' · ', ${kindName(kindColumn)})))`;
}

/** Text over 200 characters keeps its first and last 50 (DVMDash's event table rule). */
function clip(text: string): string {
  return `if(lengthUTF8(${text}) > 200, concat(substringUTF8(${text}, 1, 50), ' … ', substringUTF8(${text}, lengthUTF8(${text}) - 49, 50)), ${text})`;
}

/** The value of the first tag named `name` in an `events` row, or ''. */
export function tagValue(name: string): string {
  return `arrayFirst(t -> t[1] = '${name}', tags)[2]`;
}

/**
 * A one-line summary of an `events` row, the first that applies: encrypted; a feedback status (with
 * its amount); an invoice's amount; the content; the first `i` input; the `alt` tag.
 */
export const EVENT_SUMMARY = `multiIf(
    encrypted = 1, concat('[encrypted ', toString(encryption), ']'),
    role = 'feedback', concat('status: ', toString(status),
        if(status_text != '', concat(' · ', ${clip('status_text')}), ''),
        if(coalesce(invoice_msat, amount_msat) IS NULL, '', concat(' · ', toString(intDiv(coalesce(invoice_msat, amount_msat), 1000)), ' sats'))),
    role = 'zap_receipt', concat('zap of ', toString(intDiv(coalesce(zap_msat, 0), 1000)), ' sats'),
    content != '', ${clip('content')},
    ${tagValue('i')} != '', concat('input: ', ${clip(tagValue('i'))}),
    ${tagValue('alt')})`;

/** An `events` row as the signed Nostr event it was (NIP-01 JSON), for inspecting it in a table cell. */
export const RAW_EVENT_JSON = `toJSONString(CAST(
    tuple(id, pubkey, toUInt32(created_at), kind, tags, content, sig),
    'Tuple(id String, pubkey String, created_at UInt32, kind UInt16, tags Array(Array(String)), content String, sig String)'))`;

/**
 * The job an `events` row belongs to: a request is its own job, responses name theirs, a cancellation
 * its first target; '' for the rest (zaps, announcements, heartbeats).
 */
export const EVENT_JOB = `multiIf(role = 'request', id, role = 'cancellation', target_ids[1], request_id)`;
