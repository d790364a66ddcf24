// The docker-compose stack's own Nostr relay: the demo simulator publishes to it and the exporter
// reads it, so the dashboards fill without internet. DVM developers can point test clients at it too.
//
//   node provisioning/demo/relay.mjs [--listen 0.0.0.0:7447] [--keep-hours 6] [--purge-interval-seconds 600]
//
// @nostr-relay/core over an in-memory SQLite store: it verifies ids and signatures (libsecp256k1 via
// nostr-wasm), keeps the newest replaceable and addressable events, stores and serves kind 5 (job
// cancellations) like any other event, and answers NIP-11 on plain HTTP (which the compose healthcheck
// uses). Events older than --keep-hours are
// purged every ten minutes (by created_at), so memory stays bounded however long the demo runs.

import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { EventUtils } from '@nostr-relay/common';
import { NostrRelay } from '@nostr-relay/core';
import { EventRepositorySqlite } from '@nostr-relay/event-repository-sqlite';
import { Validator } from '@nostr-relay/validator';
import { initNostrWasm } from 'nostr-wasm';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({
  options: {
    listen: { type: 'string', default: '0.0.0.0:7447' },
    'keep-hours': { type: 'string', default: '6' },
    'purge-interval-seconds': { type: 'string', default: '600' },
  },
});
const match = /^(.*):(\d{1,5})$/.exec(values.listen);
if (!match) {
  process.stderr.write(`relay: --listen must be HOST:PORT, got "${values.listen}"\n`);
  process.exit(2);
}
const [, host, port] = match;
const keepSeconds = Number(values['keep-hours']) * 3600;
const purgeEveryMs = Number(values['purge-interval-seconds']) * 1000;
if (!Number.isFinite(keepSeconds) || keepSeconds <= 0 || !Number.isFinite(purgeEveryMs) || purgeEveryMs <= 0) {
  process.stderr.write('relay: --keep-hours and --purge-interval-seconds must be positive numbers\n');
  process.exit(2);
}

// The core's pure-JS signature check would make the relay the demo's bottleneck.
const secp = await initNostrWasm();
EventUtils.isSigValid = (event) => {
  try {
    secp.verifyEvent(event);
    return true;
  } catch {
    return false;
  }
};

const quiet = { setLogLevel() {}, debug() {}, info() {}, warn() {}, error: (...args) => console.error(...args) };
const repository = new EventRepositorySqlite(':memory:');
await repository.init();
const relay = new NostrRelay(repository, { logger: quiet });
const validator = new Validator();

// @nostr-relay/core 0.0.40 (dist/services/event.service.js, handleRegularEvent) hands every kind 5 to
// handleDeletionEvent, which deletes the events it names and neither stores nor broadcasts the kind 5
// itself. Relays in the wild store and serve it (NIP-09, nostr-protocol/nips 09.md: "Relays SHOULD
// continue to publish/share the deletion request events indefinitely"), and for DVMs a kind 5 is a job
// cancellation: stored and broadcast here like a regular event. The cancelled request is kept (NIP-09
// deletion is a SHOULD), so the dashboards and an exporter's backfill after a restart see the whole job.
const events = relay.eventService;
if (typeof events?.handleDeletionEvent !== 'function' || typeof events.broadcast !== 'function') {
  throw new Error('relay: @nostr-relay/core changed: kind 5 handling needs a new look');
}
events.handleDeletionEvent = async (event) => {
  const { isDuplicate } = await repository.upsert(event);
  if (!isDuplicate) await events.broadcast(event);
  return { success: true, message: isDuplicate ? 'duplicate: the event already exists' : undefined };
};

const info = JSON.stringify({
  name: 'dvm-exporter stack relay',
  description: 'Local relay of the dvm-exporter docker-compose stack (demo traffic, test clients).',
  // Not 9: deletion requests are kept and served, but the events they name are not deleted.
  supported_nips: [1, 11, 40],
  software: 'https://github.com/CodyTseng/nostr-relay',
});

const http = createServer((req, res) => {
  res.writeHead(200, {
    'content-type': req.headers.accept?.includes('application/nostr+json') ? 'application/nostr+json' : 'application/json',
    'access-control-allow-origin': '*',
  });
  res.end(info);
});

const wss = new WebSocketServer({ server: http });
wss.on('connection', (socket, request) => {
  relay.handleConnection(socket, request.socket.remoteAddress);
  socket.on('message', async (data) => {
    try {
      const message = await validator.validateIncomingMessage(data);
      await relay.handleMessage(socket, message);
    } catch (err) {
      socket.send(JSON.stringify(['NOTICE', err instanceof Error ? err.message : String(err)]));
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => relay.handleDisconnect(socket));
});

const database = repository.getDatabase();
const purge = () => {
  const before = Math.floor(Date.now() / 1000) - keepSeconds;
  database.prepare('DELETE FROM generic_tags WHERE created_at < ?').run(before);
  database.prepare('DELETE FROM events_fts WHERE id IN (SELECT id FROM events WHERE created_at < ?)').run(before);
  database.prepare('DELETE FROM events WHERE created_at < ?').run(before);
};
const purger = setInterval(purge, purgeEveryMs);

http.listen(Number(port), host, () => {
  const address = http.address();
  process.stdout.write(`relay: listening on ws://${host}:${address.port}\n`);
});

const shutdown = () => {
  clearInterval(purger);
  for (const socket of wss.clients) socket.terminate();
  wss.close();
  http.close(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
