// The audit log: entries for logins, logouts and user changes; only auditors
// read it (with filters); nobody changes it; `fengqiao audit verify` checks the
// hash chain and detects an entry edited in the database file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { startServer, fq } from '../lib/server.mjs';
import { Client, loginAs } from '../lib/client.mjs';
import { who, assertError, sleep, stopAndCheck } from './helpers.mjs';

const PW = 'Audit-Trail-Secret-55';
let srv;
let admin;
let auditor;
let created; // the user created, changed and disabled by the admin
let marker;

before(async () => {
  srv = await startServer({ demo: true });
  admin = await loginAs(srv, who(srv, 'admin'));
  auditor = await loginAs(srv, who(srv, 'auditor'));
});

after(async () => {
  if (srv) await srv.cleanup();
});

async function audit(query) {
  const r = await auditor.get(`/api/v1/audit?${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('a successful and a failed login are audited', async () => {
  const chief = await loginAs(srv, who(srv, 'chief'));
  const bad = await new Client(srv.url).login('analyst', 'Not-The-Right-One-1');
  assert.equal(bad.status, 401);
  const ok = await audit('user=chief&action=session.login');
  assert.ok(ok.total >= 1);
  const e = ok.items[0];
  assert.equal(e.outcome, 'ok');
  assert.equal(e.username, 'chief');
  assert.equal(e.user_id, chief.user.id);
  assert.equal(e.unit, '339902510000');
  assert.equal(e.object_type, 'user');
  assert.equal(e.object_id, chief.user.id);
  assert.equal(e.client, '127.0.0.1');
  assert.ok(Math.abs(Date.parse(e.at) - Date.now()) < 60000, e.at);
  assert.match(e.hash, /^[0-9a-f]{64}$/);
  const failed = await audit('user=analyst&action=session.login');
  assert.equal(failed.items[0].outcome, 'failed');
  assert.deepEqual(failed.items[0].detail, { why: 'bad_password' });
  assert.doesNotMatch(JSON.stringify(failed), /Not-The-Right-One/, 'the tried password must not be logged');
});

test('user create, update, disable and password reset are audited with before/after', async () => {
  const c = await admin.post('/api/v1/users', { username: 'audited', display_name: '审计对象', password: PW, roles: ['operator'], unit: '339902510000' });
  assert.equal(c.status, 201, c.text);
  created = c.json.user;
  marker = 'TamperMarkerQ';
  let r = await admin.patch(`/api/v1/users/${created.id}`, { display_name: marker, version: 1 });
  assert.equal(r.status, 200, r.text);
  r = await admin.post(`/api/v1/users/${created.id}/password`, { password: 'Second-Audit-Secret-66' });
  assert.equal(r.status, 200, r.text);
  r = await admin.patch(`/api/v1/users/${created.id}`, { disabled: true, version: 3 });
  assert.equal(r.status, 200, r.text);
  const log = await audit(`object_type=user&object_id=${created.id}`);
  assert.deepEqual(log.items.map((e) => e.action), ['user.disable', 'user.password_reset', 'user.update', 'user.create']);
  assert.equal(log.total, 4);
  for (const e of log.items) {
    assert.equal(e.username, 'admin');
    assert.equal(e.user_id, admin.user.id);
    assert.equal(e.role, 'admin');
    assert.equal(e.unit, '339902');
    assert.equal(e.outcome, 'ok');
    assert.equal(e.client, '127.0.0.1');
  }
  const seqs = log.items.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
  const [dis, reset, upd, cre] = log.items;
  assert.deepEqual(cre.detail, { username: 'audited', unit: '339902510000', roles: ['operator'] });
  assert.equal(upd.detail.before.display_name, '审计对象');
  assert.equal(upd.detail.after.display_name, marker);
  assert.equal(dis.detail.before.disabled, false);
  assert.equal(dis.detail.after.disabled, true);
  assert.doesNotMatch(JSON.stringify(reset), /Second-Audit-Secret/, 'passwords never reach the audit log');
});

test('logout and a password change are audited', async () => {
  const c = await loginAs(srv, who(srv, 'caseofficer'));
  const r = await c.del('/api/v1/session');
  assert.equal(r.status, 200);
  const log = await audit('user=caseofficer&action=session.logout');
  assert.equal(log.total, 1);
  assert.equal(log.items[0].object_id, c.user.id);
  assert.equal(log.items[0].role, 'case_officer');
  const u = await admin.post('/api/v1/users', { username: 'pwaudit', display_name: '改密码', password: PW, roles: ['analyst'], unit: '339902' });
  assert.equal(u.status, 201, u.text);
  const me = new Client(srv.url);
  assert.equal((await me.login('pwaudit', PW)).status, 200);
  const ch = await me.put('/api/v1/session/password', { current_password: PW, new_password: 'Changed-Audit-Secret-7' });
  assert.equal(ch.status, 200, ch.text);
  const pw = await audit(`user=pwaudit&action=user.password`);
  assert.equal(pw.total, 1);
  assert.equal(pw.items[0].object_id, u.json.user.id);
  assert.equal(pw.items[0].role, 'analyst');
  assert.doesNotMatch(JSON.stringify(pw), /Changed-Audit-Secret|Audit-Trail-Secret/);
});

test('CLI changes are audited too', async () => {
  await fq(['user', 'roles', '--db', srv.db, '--username', 'volunteer', '--roles', 'volunteer,grid_worker']);
  const vol = (await admin.get('/api/v1/users?q=volunteer')).json.items[0];
  const log = await audit(`object_id=${vol.id}&action=user.update`);
  assert.equal(log.total, 1);
  assert.match(log.items[0].username, /^cli:/);
  assert.equal(log.items[0].client, 'cli');
});

test('filters: user, object_type, action, from/to, pagination', async () => {
  const t1 = new Date(Date.now() - 5).toISOString();
  await sleep(20);
  const c = await loginAs(srv, who(srv, 'gridworker'));
  await c.del('/api/v1/session');
  await sleep(20);
  const t2 = new Date().toISOString();
  const win = await audit(`from=${t1}&to=${t2}`);
  assert.deepEqual(win.items.map((e) => e.action), ['session.logout', 'session.login']);
  assert.ok(win.items.every((e) => e.username === 'gridworker'));
  const later = await audit(`from=${encodeURIComponent(new Date(Date.now() + 3600e3).toISOString())}`);
  assert.equal(later.total, 0);
  const earlier = await audit(`to=${t1}&user=gridworker`);
  assert.equal(earlier.total, 0);
  const byType = await audit('object_type=user&per_page=200');
  assert.ok(byType.items.every((e) => e.object_type === 'user'));
  const none = await audit('object_type=nothing');
  assert.equal(none.total, 0);
  const all = await audit('per_page=200');
  const p = await audit('per_page=2&page=2');
  assert.deepEqual(p.items.map((e) => e.seq), all.items.slice(2, 4).map((e) => e.seq));
  assert.equal(p.total, all.total);
  const r = await auditor.get('/api/v1/audit?from=yesterday');
  assertError(r, 400, 'invalid_time', 'from');
  assertError(await auditor.get('/api/v1/audit?to=2026-13-01'), 400, 'invalid_time', 'to');
  assertError(await auditor.get('/api/v1/audit?per_page=1000'), 400, 'invalid_query', 'per_page');
});

test('no role but the auditor\'s can read the audit log', async () => {
  for (const l of srv.logins) {
    if (l.role === 'auditor') continue;
    const c = await loginAs(srv, l);
    assertError(await c.get('/api/v1/audit'), 403, 'forbidden');
    assertError(await c.get('/api/v1/audit?user=admin'), 403, 'forbidden');
  }
  assertError(await new Client(srv.url).get('/api/v1/audit'), 401, 'unauthenticated');
});

test('nobody can change or delete audit entries (403 audit_append_only)', async () => {
  const first = (await audit('per_page=200')).items.at(-1);
  for (const c of [auditor, admin]) {
    assertError(await c.put(`/api/v1/audit/${first.seq}`, { outcome: 'ok' }), 403, 'audit_append_only');
    assertError(await c.patch(`/api/v1/audit/${first.seq}`, { outcome: 'ok' }), 403, 'audit_append_only');
    assertError(await c.del(`/api/v1/audit/${first.seq}`), 403, 'audit_append_only');
    assertError(await c.del('/api/v1/audit'), 403, 'audit_append_only');
    assertError(await c.put('/api/v1/audit', { seq: first.seq }), 403, 'audit_append_only');
    assertError(await c.patch('/api/v1/audit', { outcome: 'ok' }), 403, 'audit_append_only');
    const post = await c.post('/api/v1/audit', { action: 'forged' });
    assertError(post, 405, 'method_not_allowed');
    assert.equal(post.headers.get('allow'), 'GET, PUT, PATCH, DELETE');
  }
  const still = (await audit('per_page=200')).items.at(-1);
  assert.deepEqual(still, first);
  assert.equal((await audit('action=forged')).total, 0);
});

test('fengqiao audit verify: intact while the server runs, with every entry counted', async () => {
  const total = (await audit('per_page=1')).total;
  const { stdout, code } = await fq(['audit', 'verify', '--db', srv.db]);
  assert.equal(code, 0);
  const m = /audit log intact: (\d+) entries/.exec(stdout);
  assert.ok(m, stdout);
  // The branch auditor sees every entry: the counts agree.
  assert.ok(Number(m[1]) >= total && Number(m[1]) <= total + 2, `verify counted ${m[1]}, API total ${total}`);
});

test('fengqiao audit verify detects an entry edited in the database file', async () => {
  const upd = (await audit(`object_id=${created.id}&action=user.update`)).items[0];
  await srv.stop();
  assert.ok(!existsSync(`${srv.db}-wal`) || readFileSync(`${srv.db}-wal`).length === 0, 'the WAL was checkpointed on shutdown');
  const intact = await fq(['audit', 'verify', '--db', srv.db]);
  assert.match(intact.stdout, /intact/);
  const buf = readFileSync(srv.db);
  const needle = Buffer.from(`"display_name":"${marker}"`);
  // The marker is in the update entry (after) and the disable entry (before
  // and after); edit every copy: the first entry found bad is the update.
  const spots = [];
  for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + 1)) spots.push(at + needle.length - 2);
  assert.ok(spots.length >= 2 && spots.length <= 3, `marker found ${spots.length} times`);
  for (const pos of spots) buf[pos] += 1; // the last letter: Q → R
  writeFileSync(srv.db, buf);
  let err;
  try {
    await fq(['audit', 'verify', '--db', srv.db]);
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'audit verify accepted an edited entry');
  assert.equal(err.code, 3);
  assert.match(err.stdout, /TAMPERED/);
  assert.match(err.stdout, new RegExp(`entry ${upd.seq}\\b`));
  // Putting the byte back makes it intact again: that byte was the only change.
  for (const pos of spots) buf[pos] -= 1;
  writeFileSync(srv.db, buf);
  const again = await fq(['audit', 'verify', '--db', srv.db]);
  assert.match(again.stdout, /intact/);
});

test('the server stops cleanly: exit 0, no sanitizer report', () => stopAndCheck(srv));
