import { describe, expect, it } from 'vitest';
import { createLogger } from '../../exporter/base/logger.js';

const SECRETS = ['PW@gamma333', 'gamma333', 'TOKEN7u5er', 'Qtoken9x', 'hdrSecret1', 'Opaque42x'];

describe('the logger', () => {
  it('masks URL credentials, query tokens and configured secrets in every line, at every level', () => {
    const lines: string[] = [];
    const logger = createLogger('trace', {
      destination: { write: (line: string) => lines.push(line) },
      secrets: ['Opaque42x'],
    });
    const child = logger.child({ relay: 'ws://bob:PW@gamma333@relay.example' });
    child.trace({ url: 'ws://TOKEN7u5er@relay.example/' }, 'trace line');
    child.debug('connecting to wss://relay.example/?token=Qtoken9x&x=1');
    child.info({ headers: { authorization: 'Bearer hdrSecret1' } }, 'info line');
    child.warn({ detail: 'server said: Opaque42x is wrong' }, 'warn line');
    const err = new Error(
      'Request cannot be constructed from a URL that includes credentials: http://bob:PW@gamma333@h/',
    );
    child.error({ err }, 'error line');
    logger.fatal(err);
    expect(lines).toHaveLength(6);
    const all = lines.join('');
    for (const secret of SECRETS) expect(all.includes(secret), secret).toBe(false);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ relay: 'ws://bob:***@relay.example', url: 'ws://***@relay.example/' });
    expect(parsed[1]?.msg).toBe('connecting to wss://relay.example/?token=***&x=***');
    expect(parsed[2]?.headers).toEqual({ authorization: '***' });
    expect(parsed[3]?.detail).toBe('server said: *** is wrong');
  });
});
