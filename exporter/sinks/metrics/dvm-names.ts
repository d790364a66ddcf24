import { displayText } from '../../base/display-text.js';

/**
 * Display names of DVMs from their NIP-89 announcements (31990), newest announcement wins across a
 * DVM's `d` tags, so `dvm_info` has exactly one series per DVM (PromQL's `group_left` needs that).
 * Bounded: past `capacity` the least recently announced DVM is forgotten.
 */

const MAX_NAME_LENGTH = 64;

export class DvmNames {
  private readonly names = new Map<string, { name: string | null; createdAt: number }>();

  constructor(private readonly capacity: number) {}

  /** Records an announcement; an older one than already seen does not replace the name. */
  announce(dvm: string, name: string | null, createdAt: number): void {
    const known = this.names.get(dvm);
    if (known && known.createdAt > createdAt) return;
    this.names.delete(dvm);
    this.names.set(dvm, { name: cleanName(name), createdAt });
    if (this.names.size > this.capacity) this.names.delete(this.names.keys().next().value as string);
  }

  /** Whether the pubkey ever announced itself as a DVM. */
  has(dvm: string): boolean {
    return this.names.has(dvm);
  }

  /** The announced name, or a short form of the pubkey when it announced none. */
  nameOf(dvm: string): string {
    return this.names.get(dvm)?.name ?? fallbackName(dvm);
  }
}

/** What a DVM without a usable announced name is called: its pubkey's first 12 hex digits. */
export function fallbackName(dvm: string): string {
  return dvm.slice(0, 12);
}

/** The name as a label value may show it (see `displayText`); null when nothing is left. */
export function cleanName(raw: string | null): string | null {
  return raw === null ? null : displayText(raw, MAX_NAME_LENGTH);
}
