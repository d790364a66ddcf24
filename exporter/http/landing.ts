export interface Endpoint {
  readonly path: string;
  readonly description: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The `/` page: what this is and where everything is. */
export function landingPage(version: string, endpoints: readonly Endpoint[]): string {
  const items = endpoints
    .map(
      (e) =>
        `<li><a href="${escapeHtml(e.path)}"><code>${escapeHtml(e.path)}</code></a>${e.description ? ` — ${escapeHtml(e.description)}` : ''}</li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>dvm-exporter</title></head>
<body>
<h1>dvm-exporter ${escapeHtml(version)}</h1>
<p>Watches Nostr Data Vending Machines (NIP-90) on relays and exports metrics, traces and history.</p>
<ul>
${items}
</ul>
</body>
</html>
`;
}
