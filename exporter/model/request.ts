import type { JobInput, JobParam, JobRequest } from './dvm-event.js';
import { detectEncryption } from './encryption.js';
import { isDocumentationExampleKey } from './generator-point-key.js';
import { hexIdFromTag } from './hex.js';
import type { NostrEvent } from './nostr-event.js';
import { firstValue, nonEmpty, parseDecimal, type Tags, uniqueValues } from './tags.js';

/** Reads a job request (5000-5999) the way real clients write it; every tag is optional. */
export function parseRequest(event: NostrEvent): JobRequest {
  const { tags } = event;
  const inputs = readInputs(tags);
  return {
    role: 'request',
    event,
    kind: event.kind,
    inputs,
    jobInputs: [...new Set(inputs.flatMap((input) => jobInputId(input) ?? []))],
    targets: uniqueValues(tags, 'p', hexIdFromTag),
    params: readParams(tags),
    output: firstValue(tags, 'output'),
    bidMsat: parseDecimal(firstValue(tags, 'bid') ?? undefined),
    relays: readRelays(tags),
    encryption: detectEncryption(tags, event.content),
    testKey: isDocumentationExampleKey(event.pubkey),
  };
}

/** `["i", <data>, <type?>, <relay?>, <marker?>]`; the type is missing in some real 5950/5988 requests. */
function readInputs(tags: Tags): JobInput[] {
  const inputs: JobInput[] = [];
  for (const tag of tags) {
    const data = tag[1];
    if (tag[0] !== 'i' || data === undefined) continue;
    inputs.push({ data, type: nonEmpty(tag[2]), relay: nonEmpty(tag[3]), marker: nonEmpty(tag[4]) });
  }
  return inputs;
}

/** A `job` input names an earlier request by id: a chain link. */
function jobInputId(input: JobInput): string | null {
  return input.type === 'job' ? hexIdFromTag(input.data) : null;
}

/** `["param", <name>, <value>, <value?>...]`. */
function readParams(tags: Tags): JobParam[] {
  const params: JobParam[] = [];
  for (const tag of tags) {
    const name = tag[1];
    if (tag[0] !== 'param' || !name) continue;
    params.push({ name, values: tag.slice(2) });
  }
  return params;
}

/**
 * `["relays", <url>, <url>...]`: one tag holding many URLs, sometimes split over several tags, and in
 * the wild also written without its name (the tag starts with the first URL).
 */
function readRelays(tags: Tags): string[] {
  const relays = new Set<string>();
  for (const tag of tags) {
    const head = tag[0] ?? '';
    const urls = head === 'relays' ? tag.slice(1) : isRelayUrl(head) ? tag : [];
    for (const url of urls) {
      const trimmed = url.trim();
      if (trimmed !== '') relays.add(trimmed);
    }
  }
  return [...relays];
}

function isRelayUrl(text: string): boolean {
  return text.startsWith('wss://') || text.startsWith('ws://');
}
