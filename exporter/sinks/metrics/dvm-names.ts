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

/** One line, no control characters, bounded length; null when nothing is left. */
export function cleanName(raw: string | null): string | null {
  if (raw === null) return null;
  const flat = [...raw]
    .map((char) => (isControl(char) ? ' ' : char))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  if (flat === '') return null;
  const chars = [...flat];
  return chars.length > MAX_NAME_LENGTH ? `${chars.slice(0, MAX_NAME_LENGTH - 1).join('')}…` : flat;
}

function isControl(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code < 0xa0);
}
