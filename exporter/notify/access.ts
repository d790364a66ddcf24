import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/**
 * Who may post to an endpoint that makes the exporter sign and send: with a token configured, only
 * requests bearing it (`Authorization: Bearer <token>`, what Alertmanager's `http_config.authorization`
 * sends); without one, only clients on the loopback interface.
 */

export type Access = { ok: true } | { ok: false; status: 401 | 403; error: string };

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

export function checkAccess(req: Request, token: string | undefined): Access {
  if (token === undefined) {
    return isLoopback(req.socket.remoteAddress)
      ? { ok: true }
      : { ok: false, status: 403, error: 'only loopback clients may post here unless a token is configured' };
  }
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return { ok: false, status: 401, error: 'missing bearer token' };
  const given = Buffer.from(match[1] as string);
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, status: 401, error: 'wrong bearer token' };
  return { ok: true };
}
