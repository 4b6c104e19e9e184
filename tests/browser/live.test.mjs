// Browser tests of the live-events client (web/src/live.js) and of the live
// board against the real stream (GET /api/v1/events, server-sent events):
// (a) when the endpoint refuses (a server without it, or a proxy that
//     blocks it), the client fails quietly: the header says 未连接, no
//     script error, and it retries with a backoff;
// (b) with the stream supplied by the browser's request routing, so that
//     the test decides what arrives and when, an incident.created
//     event makes the board refetch, and a reset event makes it reload. The
//     page's clock is paused (Playwright's fake timers) so that the board's
//     10 s polling cannot be what brings the new incidents in: only the
//     300 ms debounce of the event is run;
// (c) with the server's own stream: an alert taken in one browser appears
//     on the board of a second browser without reloading.
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

const isEvents = (url) => url.pathname === '/api/v1/events';

test(
  '(a) when the events endpoint refuses, the client shows 未连接 and retries quietly',
  TEST_OPTIONS,
  guarded(async (t) => {
    const { context, page, problems } = await openPage();
    await context.route(isEvents, (route) =>
      route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"not_found","message":"不存在"}}' }),
    );
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
    await context.route(isEvents, async (route) => {
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

test(
  '(c) the server\'s stream: an alert taken in one browser appears on a second browser\'s board without reloading',
  TEST_OPTIONS,
  guarded(async (t) => {
    const watcher = await openPage();
    const taker = await openPage();
    await watcher.context.clock.install();
    try {
      await signIn(watcher.page, 'operator', '/command/board');
      await watcher.page.locator('[data-test=board-columns]').waitFor();
      await watcher.page.locator('[data-test=live-status][data-status=open]').waitFor();
      assert.equal((await watcher.page.locator('[data-test=live-status]').innerText()).trim(), '实时连接');
      let reloads = 0;
      watcher.page.on('framenavigated', (frame) => {
        if (frame === watcher.page.mainFrame()) reloads++;
      });
      // No page timer runs from here unless the test runs the clock: the
      // board's polling cannot bring the incident in.
      await watcher.page.clock.pauseAt(Date.now() + 1000);

      // The other browser takes the alert (the API with its own session).
      await signIn(taker.page, 'operator', '/command/board');
      const csrf = await taker.page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).csrf_token);
      const answer = await taker.page.request.post(`${h.srv.url}/api/v1/alerts`, {
        headers: { 'X-CSRF-Token': csrf },
        data: alertBody('商场门口有老人晕倒，需要帮助', 29.72),
      });
      assert.equal(answer.status(), 201, await answer.text());
      const incident = (await answer.json()).incident;

      const card = watcher.page.locator(`[data-test=board-card][data-incident-id="${incident.id}"]`);
      // The event arrives in real time; the 300 ms debounce needs the clock.
      const deadline = Date.now() + 5000;
      while ((await card.count()) === 0 && Date.now() < deadline) {
        await watcher.page.waitForTimeout(100);
        await watcher.page.clock.runFor(100);
      }
      await card.waitFor({ timeout: 1000 });
      assert.equal(reloads, 0, 'the page was not reloaded');
      await shot(t, watcher.page, 'live-second-browser-1366.png');
      assert.deepEqual(watcher.problems, []);
      assert.deepEqual(taker.problems, []);
    } finally {
      await watcher.context.close();
      await taker.context.close();
    }
  }),
);
