// Crash test: acknowledged writes survive kill -9. Also: SIGTERM drains a
// request in flight and closes the store cleanly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync, statSync } from 'node:fs';
import { startServer, fq } from '../lib/server.mjs';
import { Client, loginAs } from '../lib/client.mjs';

const PW = 'Crash-Proof-Secret-88';
let srv;

before(async () => {
  srv = await startServer({ demo: true });
});

after(async () => {
  if (srv) await srv.cleanup();
});

const admin = () => srv.logins.find((l) => l.username === 'admin');

test('every acknowledged write is present after kill -9 and restart', async () => {
  let c = await loginAs(srv, admin());
  // 1. Acknowledged user creations (argon2-hashed, ~50 ms each).
  const created = [];
  for (let i = 0; i < 20; i++) {
    const r = await c.post('/api/v1/users', { username: `crash${i}`, display_name: `崩溃${i}`, password: PW, roles: ['operator'], unit: '339902510000' });
    assert.equal(r.status, 201, r.text);
    created.push(r.json.user);
  }
  // 2. Four concurrent chains of PATCHes (one user each), 200 acknowledged in all;
  //    then the chains keep writing while the server is killed.
  const targets = created.slice(0, 4);
  const state = targets.map((u) => ({ id: u.id, ackVersion: u.version, ackName: u.display_name, inflight: null, acks: 0 }));
  let total = 0;
  let killed = false;
  let reached200;
  const at200 = new Promise((res) => (reached200 = res));
  const chains = state.map(async (s, k) => {
    for (let n = 0; ; n++) {
      const name = `名${k}-${n}`;
      s.inflight = { name, version: s.ackVersion + 1 };
      let r;
      try {
        r = await c.patch(`/api/v1/users/${s.id}`, { display_name: name, version: s.ackVersion });
      } catch {
        return; // the server is gone: this write was not acknowledged
      }
      if (killed && r.status !== 200) return;
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.user.display_name, name);
      s.ackVersion = r.json.user.version;
      s.ackName = name;
      s.acks++;
      if (++total === 200) reached200();
    }
  });
  // 3. More creations in flight at the moment of the kill.
  const lateCreated = [];
  const creator = (async () => {
    for (let i = 0; ; i++) {
      try {
        const r = await c.post('/api/v1/users', { username: `late${i}`, display_name: `迟${i}`, password: PW, roles: ['volunteer'], unit: '339902100001' });
        if (r.status !== 201) return;
        lateCreated.push(r.json.user);
        await new Promise((res) => setTimeout(res, 50));
      } catch {
        return;
      }
    }
  })();
  const t0 = Date.now();
  await at200;
  killed = true;
  if (process.env.FQ_TEST_VERBOSE) console.log(`200 PATCHes in ${Date.now() - t0} ms, ${lateCreated.length} users created meanwhile`);
  const ex = await srv.kill9();
  assert.equal(ex.signal, 'SIGKILL');
  await Promise.all([...chains, creator]);
  assert.ok(total >= 200, `only ${total} acknowledged PATCHes`);

  // 4. Restart on the same database and look for every acknowledged write.
  srv.env = {};
  await srv.restart();
  c = await loginAs(srv, admin());
  for (const u of [...created, ...lateCreated]) {
    const r = await c.get(`/api/v1/users/${u.id}`);
    assert.equal(r.status, 200, `acknowledged user ${u.username} is missing after the crash`);
    assert.equal(r.json.user.username, u.username);
  }
  for (const s of state) {
    const r = await c.get(`/api/v1/users/${s.id}`);
    const got = r.json.user;
    if (got.version === s.ackVersion) {
      assert.equal(got.display_name, s.ackName, 'last acknowledged display name lost');
    } else {
      // The write in flight at the kill may have committed without its answer.
      assert.equal(got.version, s.ackVersion + 1, `version ${got.version}, last acknowledged ${s.ackVersion}`);
      assert.equal(got.display_name, s.inflight.name);
    }
  }
  // A login with an acknowledged new user's password works.
  const late = lateCreated.at(-1) || created.at(-1);
  assert.equal((await new Client(srv.url).login(late.username, PW)).status, 200);

  // 5. The audit log has every acknowledged write and its chain is intact.
  const aud = await loginAs(srv, srv.logins.find((l) => l.username === 'auditor'));
  for (const s of state) {
    const r = await aud.get(`/api/v1/audit?object_id=${s.id}&action=user.update&per_page=1`);
    assert.ok(r.json.total >= s.acks, `audit has ${r.json.total} updates of ${s.id}, ${s.acks} acknowledged`);
    assert.ok(r.json.total <= s.acks + 1);
  }
  const v = await fq(['audit', 'verify', '--db', srv.db]);
  assert.match(v.stdout, /audit log intact/);
});

test('SIGTERM lets a request in flight finish, then closes the store cleanly', async () => {
  const chief = srv.logins.find((l) => l.username === 'chief');
  const body = Buffer.from(JSON.stringify({ username: chief.username, password: chief.password }));
  const half = Math.floor(body.length / 2);
  const s = net.connect(srv.port, '127.0.0.1');
  s.on('error', () => {});
  let answer = '';
  s.on('data', (d) => (answer += d));
  const closed = new Promise((res) => s.on('close', res));
  await new Promise((res) => s.on('connect', res));
  s.write(`POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
  s.write(body.subarray(0, half));
  await new Promise((r) => setTimeout(r, 300));
  srv.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(srv.proc.exitCode, null, 'the server exited with a request in flight');
  s.write(body.subarray(half));
  await closed;
  assert.match(answer, /^HTTP\/1\.1 200 /, `in-flight request: ${answer.slice(0, 200)}`);
  assert.match(answer, /"csrf_token"/);
  const ex = await srv.exited;
  assert.equal(ex.code, 0, `exit ${JSON.stringify(ex)}: ${srv.output.slice(-500)}`);
  assert.doesNotMatch(srv.output, /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:/, srv.output.slice(-3000));
  assert.ok(!existsSync(`${srv.db}-wal`) || statSync(`${srv.db}-wal`).size === 0, 'WAL not checkpointed on shutdown');
  const v = await fq(['audit', 'verify', '--db', srv.db]);
  assert.match(v.stdout, /intact/);
});
