// Account lock (5 failures → 10 minutes) and per-address login throttling
// (10 failures in 15 minutes → 429). A fresh server and database of its own,
// and other loopback source addresses, keep these from disturbing other tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fq } from '../lib/server.mjs';
import { Client, loginAs } from '../lib/client.mjs';
import { who, assertError, loginFrom, restartAt, stopAndCheck } from './helpers.mjs';

let srv;
let admin;

before(async () => {
  srv = await startServer({ demo: true });
  admin = await loginAs(srv, who(srv, 'admin'));
});

after(async () => {
  if (srv) await srv.cleanup();
});

async function userByName(name) {
  const r = await admin.get(`/api/v1/users?q=${name}`);
  assert.equal(r.status, 200, r.text);
  return r.json.items.find((u) => u.username === name);
}

test('five failed logins lock the account: then even the right password fails', async () => {
  const op = who(srv, 'operator');
  let wrong;
  for (let i = 0; i < 5; i++) {
    const r = await loginFrom(srv.url, '127.0.0.1', op.username, `Bad-Guess-${i}-xyz`);
    assert.equal(r.status, 401, r.text);
    wrong = wrong || r.text;
  }
  const u = await userByName(op.username);
  assert.ok(u.locked_until, 'locked_until is set after five failures');
  const until = Date.parse(u.locked_until);
  assert.ok(until > Date.now() + 9 * 60 * 1000 && until <= Date.now() + 10 * 60 * 1000 + 5000, `locked_until ${u.locked_until}`);
  const r = await loginFrom(srv.url, '127.0.0.1', op.username, op.password);
  assert.equal(r.status, 401, 'a locked account must refuse the right password');
  assert.equal(r.text, wrong, 'a locked account answers exactly like a wrong password');
  assert.equal(r.headers['set-cookie'], undefined);
  // Other accounts are not affected.
  assert.equal((await new Client(srv.url).login(who(srv, 'chief').username, who(srv, 'chief').password)).status, 200);
});

test('a disabled account answers exactly like a wrong password', async () => {
  const vol = who(srv, 'volunteer');
  const wrong = await loginFrom(srv.url, '127.0.0.6', 'gridworker', 'Bad-Guess-abc-1');
  await fq(['user', 'disable', '--db', srv.db, '--username', vol.username]);
  const r = await loginFrom(srv.url, '127.0.0.6', vol.username, vol.password);
  assert.equal(r.status, 401);
  assert.equal(r.text, wrong.text);
  await fq(['user', 'enable', '--db', srv.db, '--username', vol.username]);
  assert.equal((await loginFrom(srv.url, '127.0.0.6', vol.username, vol.password)).status, 200);
});

test('ten failures from one address → 429 with Retry-After, for that address only', async () => {
  for (let i = 0; i < 10; i++) {
    const r = await loginFrom(srv.url, '127.0.0.2', `nobody${i}`, 'Whatever-password-1');
    assert.equal(r.status, 401, `attempt ${i + 1}: ${r.text}`);
  }
  const r = await loginFrom(srv.url, '127.0.0.2', 'nobody', 'Whatever-password-1');
  assertError(r, 429, 'too_many_attempts');
  const ra = Number(r.headers['retry-after']);
  assert.ok(Number.isInteger(ra) && ra > 850 && ra <= 900, `Retry-After: ${r.headers['retry-after']}`);
  // Even the right password is refused from this address …
  const chief = who(srv, 'chief');
  const r2 = await loginFrom(srv.url, '127.0.0.2', chief.username, chief.password);
  assertError(r2, 429, 'too_many_attempts');
  assert.equal(r2.headers['set-cookie'], undefined);
  // … while another address still logs in.
  const r3 = await loginFrom(srv.url, '127.0.0.4', chief.username, chief.password);
  assert.equal(r3.status, 200, r3.text);
});

test('a successful login does not reset the address\'s failure count', async () => {
  // Otherwise an attacker with one account of their own can log in between
  // guesses and try other people's passwords without end.
  const analyst = who(srv, 'analyst');
  for (let i = 0; i < 9; i++) {
    const r = await loginFrom(srv.url, '127.0.0.5', `target${i}`, 'Guess-password-' + i);
    assert.equal(r.status, 401);
  }
  const ok = await loginFrom(srv.url, '127.0.0.5', analyst.username, analyst.password);
  assert.equal(ok.status, 200, ok.text);
  const tenth = await loginFrom(srv.url, '127.0.0.5', 'target9', 'Guess-password-9');
  assert.equal(tenth.status, 401);
  const r = await loginFrom(srv.url, '127.0.0.5', 'target10', 'Guess-password-10');
  assertError(r, 429, 'too_many_attempts');
});

test('the lock ends after 10 minutes', async () => {
  const op = who(srv, 'operator');
  await restartAt(srv, 11 * 60 * 1000, admin);
  const r = await loginFrom(srv.url, '127.0.0.1', op.username, op.password);
  assert.equal(r.status, 200, r.text);
  const u = await userByName(op.username);
  assert.equal(u.locked_until, null);
});

test('the audit log records the failed logins with their reason', async () => {
  const aud = await loginAs(srv, who(srv, 'auditor'));
  const r = await aud.get('/api/v1/audit?user=operator&action=session.login&per_page=50');
  assert.equal(r.status, 200, r.text);
  const why = r.json.items.filter((e) => e.outcome === 'failed').map((e) => e.detail && e.detail.why);
  assert.equal(why.filter((w) => w === 'bad_password').length, 5, JSON.stringify(why));
  assert.equal(why.filter((w) => w === 'locked').length, 1, JSON.stringify(why));
  assert.ok(r.json.items.some((e) => e.outcome === 'ok'));
  const dis = await aud.get('/api/v1/audit?user=volunteer&action=session.login');
  assert.ok(dis.json.items.some((e) => e.outcome === 'failed' && e.detail.why === 'disabled'), dis.text);
  const unk = await aud.get('/api/v1/audit?user=nobody3&action=session.login');
  assert.equal(unk.json.total, 1);
  assert.equal(unk.json.items[0].detail.why, 'unknown_user');
  assert.equal(unk.json.items[0].client, '127.0.0.2');
  assert.equal(unk.json.items[0].user_id, null);
});

test('the server stops cleanly: exit 0, no sanitizer report', () => stopAndCheck(srv));
