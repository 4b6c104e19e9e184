// Crash test of alert intake: 64 clients post alerts as fast as they are answered; the server
// is killed with SIGKILL mid-stream; after a restart every alert that was answered 201 is in
// the store with its incident, and the audit chain is intact. (The intake answers only after
// its group's COMMIT returned and the WAL holding it was synced: command/intake.h.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fq } from '../lib/server.mjs';
import { Client, loginAs } from '../lib/client.mjs';

let srv;

before(async () => {
  srv = await startServer({ demo: true, args: ['--threads', '16'] });
});

after(async () => {
  if (srv) await srv.cleanup();
});

const operator = () => srv.logins.find((l) => l.username === 'operator');

test('every alert answered 201 is in the store after kill -9 and restart', async () => {
  const c = await loginAs(srv, operator());
  const acked = [];
  let sent = 0;
  let killed = false;
  let reached;
  const enough = new Promise((res) => (reached = res));
  const cats = ['criminal.theft', 'public_order.fight', 'traffic.accident', 'dispute.neighbour', 'public_order.noise'];
  const clients = Array.from({ length: 64 }, async (_, k) => {
    // Each client has its own connection pool, as 64 separate callers would.
    const me = new Client(srv.url);
    me.cookie = c.cookie;
    me.csrf = c.csrf;
    for (let n = 0; ; n++) {
      const body = {
        received_at: new Date(Date.now() - 1000).toISOString(), source: 'phone_110',
        caller_phone: `139${String(k).padStart(4, '0')}${String(n % 10000).padStart(4, '0')}`,
        location: { lat: 29.67 + (k % 8) * 0.02 + (n % 5) * 0.001, lon: 120.16 + Math.floor(k / 8) * 0.02 },
        category: cats[(k + n) % cats.length], description: `客户端${k}第${n}次报警`,
      };
      const key = `crash-${k}-${n}`;
      sent++;
      let r;
      try {
        r = await me.post('/api/v1/alerts', body, { 'Idempotency-Key': key });
      } catch {
        return; // the server is gone: not acknowledged
      }
      if (r.status !== 201) {
        if (killed) return;
        assert.equal(r.status, 201, r.text);
      }
      acked.push({ key, id: r.json.alert.id, number: r.json.alert.number, incident: r.json.incident.id, description: body.description });
      if (acked.length === 600) reached();
    }
  });
  await enough;
  killed = true;
  const ex = await srv.kill9();
  assert.equal(ex.signal, 'SIGKILL');
  await Promise.all(clients);
  if (process.env.FQ_TEST_VERBOSE) console.log(`${acked.length} acknowledged of ${sent} sent before the kill`);
  assert.ok(acked.length >= 600);

  srv.env = {};
  await srv.restart();
  const after = await loginAs(srv, operator());
  for (const a of acked) {
    const r = await after.get(`/api/v1/alerts/${a.id}`);
    assert.equal(r.status, 200, `acknowledged alert ${a.number} (${a.key}) is missing after the crash`);
    assert.equal(r.json.alert.description, a.description);
    assert.equal(r.json.alert.incident_id, a.incident);
  }
  // A retry of an acknowledged request after the restart is answered with the stored alert.
  const last = acked.at(-1);
  const [k, n] = last.key.split('-').slice(1).map(Number);
  const retry = await after.post('/api/v1/alerts', {
    received_at: new Date().toISOString(), source: 'phone_110', caller_phone: `139${String(k).padStart(4, '0')}${String(n % 10000).padStart(4, '0')}`,
    location: { lat: 29.7, lon: 120.2 }, category: 'criminal.theft', description: 'retry',
  }, { 'Idempotency-Key': last.key });
  assert.equal(retry.status, 201, retry.text);
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  assert.equal(retry.json.alert.id, last.id);
  const v = await fq(['audit', 'verify', '--db', srv.db]);
  assert.match(v.stdout, /intact/);
});
