// Browser tests of the live-events client (web/src/live.js) against the
// contract of GET /api/v1/events (text/event-stream, id/event/data lines):
// (a) against this server, which has no such endpoint yet, the client
//     fails quietly: the header says 未连接, no script error, and it retries;
// (b) with the stream supplied by the browser's request routing (the
//     server-side stream is tested with the server), an incident.created
//     event makes the board refetch, and a reset event makes it reload. The
//     page's clock is paused (Playwright's fake timers) so that the board's
//     10 s polling cannot be what brings the new incidents in: only the
//     300 ms debounce of the event is run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_OPTIONS, harness } from './helpers.mjs';

const h = harness('fq-live-');
const { openPage, signIn, shot, guarded } = h;

before(h.setup);
after(h.teardown);

const alertBody = (description, lat) => ({
  received_at: new Date(Date.now() - 5000).toISOString(),
  source: 'phone_110',
  caller_name: '吴先生',
  caller_phone: `1390000${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`,
  location: { lat, lon: 120.30 },
  address: '枫溪镇实时测试路',
  category: 'help.missing_person',
  description,
});

test(
  '(a) without an events endpoint the client shows 未连接 and retries quietly',
  TEST_OPTIONS,
  guarded(async (t) => {
    const { context, page, problems } = await openPage();
    const attempts = [];
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/api/v1/events') attempts.push(Date.now());
    });
    try {
      await signIn(page, 'operator', '/command/board');
      await page.locator('[data-test=live-status][data-status=offline]').waitFor();
      assert.equal((await page.locator('[data-test=live-status]').innerText()).trim(), '未连接');
      // A retry after the 2 s backoff.
      const deadline = Date.now() + 8000;
      while (attempts.length < 2 && Date.now() < deadline) await page.waitForTimeout(200);
      assert.ok(attempts.length >= 2, `retried: ${attempts.length} attempts`);
      assert.ok(attempts[1] - attempts[0] >= 1500, 'with a backoff');
      await shot(t, page, 'live-offline-1366.png');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);

test(
  '(b) an incident.created event refetches the board at once; reset reloads it',
  TEST_OPTIONS,
  guarded(async (t) => {
    const operator = await h.api('operator');
    const { context, page, problems } = await openPage();
    // The stream: held until the test releases an event.
    let pending = null;
    let seq = 0;
    await context.route('**/api/v1/events', async (route) => {
      const body = await new Promise((resolve) => {
        pending = resolve;
      });
      await route.fulfill({ status: 200, headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' }, body });
    });
    const send = (event, data) => {
      seq++;
      const resolve = pending;
      pending = null;
      assert.ok(resolve, 'the client is connected to the stream');
      resolve(`retry: 200\nid: ${seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    await context.clock.install();
    try {
      await signIn(page, 'operator', '/command/board');
      await page.locator('[data-test=board-columns]').waitFor();
      const deadline = Date.now() + 5000;
      while (!pending && Date.now() < deadline) await page.waitForTimeout(50);
      // From here on no page timer runs unless the test runs the clock.
      await page.clock.pauseAt(Date.now() + 1000);

      const r = await operator.post('/api/v1/alerts', alertBody('老人走失，穿灰色外套', 29.71));
      assert.equal(r.status, 201, r.text);
      const card = page.locator(`[data-test=board-card][data-incident-id="${r.json.incident.id}"]`);
      await page.waitForTimeout(300);
      assert.equal(await card.count(), 0, 'not on the board before the event');
      send('incident.created', { id: r.json.incident.id, unit: r.json.incident.unit, number: r.json.incident.number, state: 'received' });
      await page.waitForTimeout(300);
      await page.clock.runFor(400);
      await card.waitFor({ timeout: 5000 });
      await shot(t, page, 'live-event-1366.png');

      // reset: the client reloads what it shows, at once.
      const again = Date.now() + 5000;
      while (!pending && Date.now() < again) await page.waitForTimeout(50);
      const r2 = await operator.post('/api/v1/alerts', alertBody('孩子走丢了，穿红色衣服', 29.70));
      assert.equal(r2.status, 201, r2.text);
      const card2 = page.locator(`[data-test=board-card][data-incident-id="${r2.json.incident.id}"]`);
      await page.waitForTimeout(300);
      assert.equal(await card2.count(), 0, 'not on the board before the reset');
      send('reset', {});
      await card2.waitFor({ timeout: 5000 });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);
