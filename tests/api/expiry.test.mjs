// Session expiry: 30 minutes idle, 12 hours in all. The server's clock is
// shifted with FQ_NOW_OFFSET_MS across restarts on the same database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, restartAt, stopAndCheck } from './helpers.mjs';

const MIN = 60 * 1000;
let srv;
let offset = 0;

before(async () => {
  srv = await startServer({ demo: true });
});

after(async () => {
  if (srv) await srv.cleanup();
});

test('a session idle for more than 30 minutes is refused with session_expired', async () => {
  const idle = await loginAs(srv, who(srv, 'chief'));
  const active = await loginAs(srv, who(srv, 'operator'));
  assert.equal((await idle.get('/api/v1/session')).status, 200);
  // 29 minutes later: still valid (and this use counts as activity).
  offset += 29 * MIN;
  await restartAt(srv, offset, idle, active);
  assert.equal((await active.get('/api/v1/session')).status, 200, 'a session used 29 min ago must still be valid');
  // 31 minutes after chief's last use (1 900 000 ms in all): expired.
  offset = 1900000;
  await restartAt(srv, offset, idle, active);
  assertError(await idle.get('/api/v1/session'), 401, 'session_expired');
  // Once refused, the session is gone for good.
  assertError(await idle.get('/api/v1/session'), 401, 'unauthenticated');
  // operator was last seen at +29 min, i.e. 2 min 40 s ago: still valid.
  assert.equal((await active.get('/api/v1/session')).status, 200);
});

test('a session in constant use still ends 12 hours after login', async () => {
  const c = await loginAs(srv, who(srv, 'community'));
  const start = offset;
  // Keep the session busy: one request every 29 minutes of server time.
  for (let t = 29; t < 12 * 60; t += 29) {
    await restartAt(srv, start + t * MIN, c);
    const r = await c.get('/api/v1/session');
    assert.equal(r.status, 200, `session refused after ${t} min of activity: ${r.text}`);
  }
  // 12 h 01 min after login and 25 min after the last request (696 min).
  await restartAt(srv, start + (12 * 60 + 1) * MIN, c);
  assertError(await c.get('/api/v1/session'), 401, 'session_expired');
  offset = start + (12 * 60 + 1) * MIN;
});

test('an expired session cannot log out or write either', async () => {
  const c = await loginAs(srv, who(srv, 'admin'));
  await restartAt(srv, offset + 31 * MIN, c);
  assertError(await c.del('/api/v1/session'), 401, 'session_expired');
  assertError(await c.post('/api/v1/users', { username: 'ghost' }), 401, 'unauthenticated');
});

test('the server stops cleanly: exit 0, no sanitizer report', () => stopAndCheck(srv));
