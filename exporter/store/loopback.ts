/** Loopback names and addresses: what the SQL endpoint accepts, and where the CLI can reach it. */

const LOOPBACK_ADDRESS = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** A peer address (as Node reports it) on the loopback interface. */
export function isLoopbackAddress(address: string): boolean {
  return LOOPBACK_ADDRESS.test(address);
}

/** `localhost`, an IPv4 loopback address or `[::1]`, with or without a port (a Host header). */
export function isLoopbackHost(host: string): boolean {
  const match = /^(\[[^\]]+\]|[^:]+)(:\d{1,5})?$/.exec(host.trim().toLowerCase());
  const name = match?.[1];
  if (!name) return false;
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}
