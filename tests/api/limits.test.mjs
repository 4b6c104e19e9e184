// Request limits: bodies ≤ 1 MiB (413), one header ≤ 8 KiB and all headers
// ≤ 32 KiB (431), a client that has not sent its headers within 15 s is
// dropped, a cap on connections. Raw sockets control exactly what is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, rawRequest, accessLog, sleep, stopAndCheck } from './helpers.mjs';

const MIB = 1024 * 1024;
let srv;
let slow; // the slow clients start first and are checked by the last test

/** Open a socket that sends `chunks` at the given delays and report when the server closes it. */
function slowClient(port, chunks) {
  const t0 = Date.now();
  const s = net.connect(port, '127.0.0.1');
  let data = '';
  s.on('data', (d) => (data += d));
  s.on('error', () => {});
  const closed = new Promise((res) => s.on('close', () => res({ ms: Date.now() - t0, data })));
  (async () => {
    for (const [delay, chunk] of chunks) {
      await sleep(delay);
      if (s.destroyed) return;
      s.write(chunk);
    }
  })();
  return { socket: s, closed };
}

before(async () => {
  srv = await startServer({ demo: true });
  slow = {
    // Part of a request line and a header, then nothing.
    silent: slowClient(srv.port, [[0, 'GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow']]),
    // Slowloris: one more header line every 2 s, never finishing.
    trickle: slowClient(srv.port, [[0, 'GET /api/v1/health HTTP/1.1\r\n'], ...Array.from({ length: 12 }, (_, i) => [2000, `X-T${i}: ${i}\r\n`])]),
  };
});

after(async () => {
  for (const s of Object.values(slow || {})) s.socket.destroy();
  if (srv) await srv.cleanup();
});

function jsonPost(path, body, extra = '') {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return Buffer.concat([
    Buffer.from(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\n${extra}Connection: close\r\n\r\n`),
    b,
  ]);
}

function chunked(path, total, piece = 64 * 1024) {
  const parts = [Buffer.from(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`)];
  let left = total;
  while (left > 0) {
    const n = Math.min(piece, left);
    parts.push(Buffer.from(`${n.toString(16)}\r\n`), Buffer.alloc(n, 0x20), Buffer.from('\r\n'));
    left -= n;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

test('413 for a chunked body over 1 MiB', async () => {
  const r = await rawRequest(srv.port, chunked('/api/v1/session', MIB + 1));
  assertError(r, 413, 'body_too_large');
});

test('a body of exactly 1 MiB is read (not 413)', async () => {
  // 1 MiB of JSON whose only problem is an over-long username.
  const head = '{"password":"x","username":"';
  const tail = '"}';
  const body = head + 'u'.repeat(MIB - head.length - tail.length) + tail;
  assert.equal(body.length, MIB);
  const r = await rawRequest(srv.port, jsonPost('/api/v1/session', body));
  assertError(r, 400, 'too_long', 'username');
});

test('413 for a body over 1 MiB sent with Content-Length', async () => {
  const body = Buffer.alloc(MIB + 100, 0x20);
  const r = await rawRequest(srv.port, jsonPost('/api/v1/session', body), { timeout: 5000 });
  assert.ok(r.status, `no HTTP answer at all (connection closed: ${r.closed}); got ${JSON.stringify(r.raw.slice(0, 80))}`);
  assertError(r, 413, 'body_too_large');
});

test('413 before the body for Content-Length over 1 MiB with Expect: 100-continue', async () => {
  const head = `POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${2 * MIB}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`;
  const r = await rawRequest(srv.port, head, { timeout: 2000 });
  assert.notEqual(r.interim, 100, 'the server invited a 2 MiB body with 100 Continue');
  assertError(r, 413, 'body_too_large');
});

test('431 for one header over 8 KiB', async () => {
  const r = await rawRequest(srv.port, `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(8200)}\r\nConnection: close\r\n\r\n`);
  assertError(r, 431, 'header_too_large');
  // Just under the limit is fine (name + value + 4 ≤ 8192).
  const ok = await rawRequest(srv.port, `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(8192 - 9)}\r\nConnection: close\r\n\r\n`);
  assert.equal(ok.status, 200, ok.raw.slice(0, 200));
});

test('431 for headers over 32 KiB in all, each under 8 KiB', async () => {
  const hs = Array.from({ length: 5 }, (_, i) => `X-H${i}: ${'b'.repeat(7000)}\r\n`).join('');
  const r = await rawRequest(srv.port, `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n${hs}Connection: close\r\n\r\n`);
  assertError(r, 431, 'header_too_large');
  // Four of them (28 KiB) pass.
  const hs4 = Array.from({ length: 4 }, (_, i) => `X-H${i}: ${'b'.repeat(7000)}\r\n`).join('');
  const ok = await rawRequest(srv.port, `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n${hs4}Connection: close\r\n\r\n`);
  assert.equal(ok.status, 200);
  // A huge header (beyond the connection's memory) is still refused with 431.
  const huge = await rawRequest(srv.port, `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ${'c'.repeat(200 * 1024)}\r\n\r\n`);
  assert.equal(huge.status, 431);
});

test('431 also for a request that carries a body', async () => {
  const r = await rawRequest(srv.port, jsonPost('/api/v1/session', '{}', `X-Big: ${'a'.repeat(9000)}\r\n`));
  assert.ok(r.status, `no HTTP answer at all (connection closed: ${r.closed})`);
  assertError(r, 431, 'header_too_large');
});

test('refused requests with a body still get their error answer (path, UTF-8)', async () => {
  const a = await rawRequest(srv.port, jsonPost('/../api/v1/session', '{}'));
  assert.ok(a.status, `no HTTP answer for a bad path with a body (connection closed: ${a.closed})`);
  assertError(a, 400, 'invalid_path');
  const b = await rawRequest(srv.port, jsonPost('/api/v1/session?x=%ff', '{}'));
  assert.ok(b.status, `no HTTP answer for bad UTF-8 with a body (connection closed: ${b.closed})`);
  assertError(b, 400, 'invalid_utf8');
});

test('one access-log line per request, also for refused ones', async () => {
  const tag = `probe${Date.now()}`;
  await rawRequest(srv.port, `GET /api/v1/${tag} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  await sleep(100);
  const lines = accessLog(srv).filter((l) => l.path === `/api/v1/${tag}`);
  assert.equal(lines.length, 1);
  const l = lines[0];
  assert.equal(l.method, 'GET');
  assert.equal(l.status, 404);
  assert.equal(l.client, '127.0.0.1');
  assert.equal(typeof l.ms, 'number');
  assert.ok(l.bytes > 0);
  assert.ok(!Number.isNaN(Date.parse(l.ts)));
  // A path that is not UTF-8 is refused — and still logged.
  const before = accessLog(srv).filter((x) => x.status === 400).length;
  const r = await rawRequest(srv.port, `GET /api/v1/units/${tag}%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  assertError(r, 400, 'invalid_utf8');
  await sleep(100);
  const after = accessLog(srv).filter((x) => x.status === 400);
  assert.equal(after.length, before + 1, 'no access-log line for the request with an invalid UTF-8 path');
  assert.ok(after[after.length - 1].path.includes(tag));
});

test('a cap on connections: the connection over the limit gets no service, the server recovers', async () => {
  const capped = await startServer({ demo: false, args: ['--threads', '1', '--max-connections', '3'] });
  try {
    const idle = [];
    for (let i = 0; i < 3; i++) {
      const s = net.connect(capped.port, '127.0.0.1');
      s.on('error', () => {});
      await new Promise((res) => s.on('connect', res));
      idle.push(s);
    }
    await sleep(200);
    const r = await rawRequest(capped.port, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeout: 2000 });
    assert.notEqual(r.status, 200, 'a fourth connection was served despite --max-connections 3');
    for (const s of idle) s.destroy();
    await sleep(300);
    const ok = await rawRequest(capped.port, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(ok.status, 200);
  } finally {
    await capped.cleanup();
  }
});

test('a client that has not sent its headers within 15 s is dropped', async () => {
  const [silent, trickle] = await Promise.all([slow.silent.closed, slow.trickle.closed]);
  assert.equal(silent.data, '', 'no answer is sent to a half-sent request');
  assert.ok(silent.ms >= 14000 && silent.ms <= 20000, `silent client closed after ${silent.ms} ms`);
  assert.ok(trickle.ms >= 14000 && trickle.ms <= 20000, `trickling client closed after ${trickle.ms} ms`);
  // The server is still healthy.
  const c = await loginAs(srv, who(srv, 'chief'));
  assert.equal((await c.get('/api/v1/session')).status, 200);
});

test('the server stops cleanly: exit 0, no sanitizer report', () => stopAndCheck(srv));
