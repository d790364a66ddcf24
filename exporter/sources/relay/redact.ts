/**
 * A relay URL as it may be shown (logs, metric labels, /api/relays, the cursor file): a password in the
 * user part and query values (tokens) are masked. Only the socket itself sees the URL as configured.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/\/\/([^:@/]+):([^@/]*)@/, '//$1:***@')
    .replace(/([?&][^=&#]+)=([^&#]*)/g, (_match, key: string) => `${key}=***`);
}
