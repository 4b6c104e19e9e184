// Browser tests of dispatching (调度派警): an alert taken by API inside the
// demo station; on the incident page the top-ranked unit is the nearest
// (by the ETA model of GET /ui-config, checked against every unit's
// position); it is dispatched and taken through acknowledge, en route and
// on scene with the buttons, and the response times appear. A second
// dispatch left unacknowledged is raised after the configured time
// (serve --dispatch-config sets it to 3 s here). Then the 调度派警 page:
// the units list, a status change, and the coverage shares and map.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_OPTIONS, harness, sidewaysOverflow } from './helpers.mjs';

const UNACK_S = 3;
const configDir = mkdtempSync(path.join(os.tmpdir(), 'fq-dispatch-cfg-'));
const configFile = path.join(configDir, 'dispatch.json');
writeFileSync(configFile, JSON.stringify({ unacknowledged_s: UNACK_S }));

const h = harness('fq-dispatch-', { demo: true, args: ['--dispatch-config', configFile] });
const { openPage, signIn, shot, guarded } = h;
const shared = { incident: null, nearest: null, second: null };

before(h.setup);
after(h.teardown);

const rad = Math.PI / 180;
function haversine(a, b) {
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const x = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(x)));
}

test(
  'dispatching the nearest unit: ranked first, dispatched, acknowledged, en route, on scene, response times shown',
  TEST_OPTIONS,
  guarded(async (t) => {
    const operator = await h.api('operator');
    const config = (await operator.get('/api/v1/ui-config')).json;
    assert.equal(config.dispatch.unacknowledged_s, UNACK_S, 'serve --dispatch-config reaches ui-config');
    const eta = config.dispatch.eta;
    assert.equal(eta.speed_kmh.car, 40);

    // The place: 120 m north of the first available car of the demo station.
    const units = (await operator.get('/api/v1/response-units?per_page=200')).json.items;
    const car = units.find((u) => u.type === 'car' && u.status === 'available' && u.position);
    assert.ok(car, 'the demo station has an available car with a position');
    const place = { lat: car.position.lat + 120 / 111195, lon: car.position.lon };
    // The expected ranking by the model, over every available unit.
    const model = (u) => eta.turnout_s[u.type] + (haversine(place, u.position) * eta.road_factor) / (eta.speed_kmh[u.type] / 3.6);
    const ranked = units.filter((u) => u.status === 'available' && u.position).sort((a, b) => model(a) - model(b));
    assert.equal(ranked[0].id, car.id, 'precondition: the car is the nearest by ETA');
    shared.nearest = car;
    shared.second = ranked[1];

    const r = await operator.post('/api/v1/alerts', {
      received_at: new Date(Date.now() - 30000).toISOString(),
      source: 'phone_110',
      caller_name: '周先生',
      caller_phone: '13512345678',
      location: place,
      address: '枫溪镇测试路 12 号',
      category: 'public_order.fight',
      description: '两人在路边扭打，需要民警到场',
    });
    assert.equal(r.status, 201, r.text);
    shared.incident = r.json.incident;

    const { context, page, problems } = await openPage();
    try {
      await signIn(page, 'operator', `/command/incidents/${shared.incident.id}`);
      await page.locator('[data-test=incident-number]').waitFor();
      const first = page.locator('[data-test=dispatch-candidate][data-rank="1"]');
      await first.waitFor();
      assert.equal(await first.getAttribute('data-unit-id'), car.id, 'the top-ranked unit is the nearest');
      assert.equal((await first.locator('[data-test=dispatch-candidate-sign]').innerText()).trim(), car.call_sign);
      // Distances are shown for every candidate; the first is the shortest here.
      const metres = (await page.locator('[data-test=dispatch-candidate-distance]').evaluateAll((els) => els.map((e) => Number(e.dataset.metres))));
      assert.equal(metres.length, ranked.length);
      assert.equal(Math.min(...metres), metres[0]);
      assert.ok(Math.abs(metres[0] - 120) <= 2, `distance ${metres[0]} m`);
      // ETA 30 s + 156 m ÷ 11.1 m/s = 44 s: the 1-minute band.
      const expected = Math.ceil(model(car));
      assert.equal((await first.locator('[data-test=dispatch-candidate-eta]').innerText()).trim(), `${expected}秒`);
      assert.equal(await first.getAttribute('data-band'), '1');
      assert.match(await first.locator('[data-test=dispatch-candidate-band]').innerText(), /≤1分/);
      assert.equal(await page.locator('[data-test=dispatch-warning]').count(), 0, 'a unit is within 5 minutes: no warning');
      await page.locator('[data-test=dispatch-panel] [data-test=ops-map].leaflet-container').waitFor();
      assert.equal(await page.locator('[data-test=dispatch-panel] path.ops-ring').count(), 3, 'the 1/3/5-minute rings');
      await shot(t, page, 'incident-dispatch-candidates-1366.png');

      await page.locator('[data-test=dispatch-nearest]').click();
      const row = page.locator(`[data-test=dispatch-row][data-unit-id="${car.id}"]`);
      await row.and(page.locator('[data-state=dispatched]')).waitFor();
      await page.locator('[data-test=incident-state][data-state=dispatched]').waitFor();
      // It is no longer offered.
      await page.waitForFunction((id) => !document.querySelector(`[data-test=dispatch-candidate][data-unit-id="${id}"]`), car.id);
      assert.notEqual((await page.locator('[data-test=response-dispatch]').innerText()).trim(), '—');
      assert.equal((await page.locator('[data-test=response-on-scene]').innerText()).trim(), '—');

      for (const [stepName, dispatchState, incidentState] of [
        ['acknowledge', 'acknowledged', 'dispatched'],
        ['en_route', 'en_route', 'en_route'],
        ['on_scene', 'on_scene', 'on_scene'],
      ]) {
        await row.locator(`[data-test=dispatch-step-${stepName}]`).click();
        await page.locator(`[data-test=dispatch-row][data-unit-id="${car.id}"][data-state=${dispatchState}]`).waitFor();
        await page.locator(`[data-test=incident-state][data-state=${incidentState}]`).waitFor();
      }
      await page.waitForFunction(() => document.querySelector('[data-test=response-on-scene]').textContent.trim() !== '—');
      const answer = (await operator.get(`/api/v1/incidents/${shared.incident.id}`)).json.incident;
      const shown = (await page.locator('[data-test=response-on-scene]').innerText()).trim();
      const s = Math.round(answer.response_times.on_scene_s);
      assert.equal(shown, s >= 60 ? `${Math.floor(s / 60)}分${String(s % 60).padStart(2, '0')}秒` : `${s}秒`);
      assert.ok(answer.response_times.on_scene_s >= 30, 'the alert was received 30 s before');
      const timeline = await page.locator('[data-test=incident-timeline]').innerText();
      assert.match(timeline, new RegExp(`派警.*${car.call_sign}`));
      await shot(t, page, 'incident-dispatch-on-scene-1366.png');

      // A second unit left unacknowledged is raised after the configured time.
      const second = page.locator('[data-test=dispatch-candidate][data-rank="1"]');
      const secondId = await second.getAttribute('data-unit-id');
      assert.equal(secondId, shared.second.id, 'the next nearest is now first');
      // By keyboard: Alt+1 picks the first unit, Alt+D dispatches it.
      await page.locator('[data-test=dispatch-panel] .dp-head').click();
      await page.keyboard.press('Alt+1');
      await page.waitForFunction((id) => document.querySelector(`[data-test=dispatch-candidate][data-unit-id="${id}"]`).classList.contains('chosen'), secondId);
      assert.match(await page.locator('[data-test=dispatch-selected]').innerText(), /（1）/);
      await page.keyboard.press('Alt+D');
      const secondRow = page.locator(`[data-test=dispatch-row][data-unit-id="${secondId}"][data-state=dispatched]`);
      await secondRow.waitFor();
      assert.equal(await page.locator('[data-test=dispatch-raised]').count(), 0, 'not raised at once');
      await page.locator('[data-test=dispatch-raised]').waitFor({ timeout: (UNACK_S + 5) * 1000 });
      assert.match(await page.locator('[data-test=dispatch-raised]').innerText(), new RegExp(`${shared.second.call_sign}.*未接令`));
      assert.match((await secondRow.getAttribute('class')) || '', /raised/);
      await page.locator('.fq-unack-notice').waitFor();
      await shot(t, page, 'incident-dispatch-raised-1366.png');
      // Cancelling it ends the alarm.
      await secondRow.locator('[data-test=dispatch-step-cancel]').click();
      await page.locator(`[data-test=dispatch-row][data-unit-id="${secondId}"][data-state=cancelled]`).waitFor();
      await page.locator('[data-test=dispatch-raised]').waitFor({ state: 'detached' });
      await page.locator('.fq-unack-notice').waitFor({ state: 'detached' });

      assert.ok((await sidewaysOverflow(page)) <= 0, 'the incident page does not scroll sideways');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);

test(
  '调度派警 page: units with status and position time, a status change, the coverage shares and map',
  TEST_OPTIONS,
  guarded(async (t) => {
    assert.ok(shared.nearest, 'the first test must run first');
    const operator = await h.api('operator');
    const coverage = (await operator.get('/api/v1/coverage')).json;
    const { context, page, problems } = await openPage();
    try {
      await signIn(page, 'operator', '/command/dispatch');
      const table = page.locator('[data-test=units-table]');
      await table.locator('[data-test=unit-call-sign]', { hasText: shared.nearest.call_sign }).waitFor();
      const nearestRow = table.locator('.el-table__row', { hasText: shared.nearest.call_sign });
      assert.equal(await nearestRow.locator('[data-test=unit-status]').getAttribute('data-status'), 'on_scene');
      assert.match(await nearestRow.innerText(), /前/, 'the position time is shown');

      // The shares are the server's, as percentages.
      const pct = (x) => `${(x * 100).toFixed(1)}%`;
      await page.waitForFunction(() => document.querySelector('[data-test=coverage-area-5]').textContent.trim() !== '—');
      for (const [i, k] of [[0, 1], [1, 3], [2, 5]]) {
        assert.equal((await page.locator(`[data-test=coverage-area-${k}]`).innerText()).trim(), pct(coverage.area.share[i]));
      }
      await page.locator('[data-test=dispatch-page] [data-test=ops-map].leaflet-container').waitFor();
      // Units on the map, one badge per located unit.
      const located = (await operator.get('/api/v1/response-units?per_page=200')).json.items.filter((u) => u.position).length;
      await page.waitForFunction((n) => document.querySelectorAll('[data-test=dispatch-page] .ops-unit').length === n, located);
      await shot(t, page, 'dispatch-page-1366.png');

      // Status by hand: an available unit goes off duty, and back.
      const idle = (await operator.get('/api/v1/response-units?status=available&per_page=1')).json.items[0];
      const idleRow = table.locator('.el-table__row', { hasText: idle.call_sign });
      await idleRow.locator('[data-test=unit-status]').click();
      await page.locator('[data-test=unit-set-off_duty]:visible').click();
      await idleRow.locator('[data-test=unit-status][data-status=off_duty]').waitFor();
      assert.equal((await operator.get(`/api/v1/response-units/${idle.id}`)).json.response_unit.status, 'off_duty');
      await idleRow.locator('[data-test=unit-status]').click();
      await page.locator('[data-test=unit-set-available]:visible').click();
      await idleRow.locator('[data-test=unit-status][data-status=available]').waitFor();

      // The status filter.
      await page.locator('[data-test=units-status-filter]').click();
      await page.locator('.el-select-dropdown__item:visible', { hasText: '到场' }).click();
      await page.waitForFunction(() => document.querySelectorAll('[data-test=units-table] [data-test=unit-call-sign]').length === 1);
      assert.equal((await table.locator('[data-test=unit-call-sign]').innerText()).trim(), shared.nearest.call_sign);
      assert.ok((await sidewaysOverflow(page)) <= 0, 'the dispatch page does not scroll sideways');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);

test(
  'the board\'s map view: jurisdiction and grids, open incidents by state, units by status, rings around the selected incident',
  TEST_OPTIONS,
  guarded(async (t) => {
    assert.ok(shared.incident, 'the first test must run first');
    const operator = await h.api('operator');
    const open = (await operator.get('/api/v1/incidents?state=open&per_page=200')).json.items.filter((i) => i.location);
    const located = (await operator.get('/api/v1/response-units?per_page=200')).json.items.filter((u) => u.position).length;
    const { context, page, problems } = await openPage();
    try {
      await signIn(page, 'operator', '/command/board');
      await page.locator('[data-test=board-columns]').waitFor();
      await page.locator('[data-test=board-view-map]').click();
      const map = page.locator('[data-test=board-map] [data-test=ops-map].leaflet-container');
      await map.waitFor();
      await page.waitForFunction(() => document.querySelector('[data-test=board-map] [data-test=ops-map]').dataset.status === 'ready');
      // Polygons: the station outline and its grids; one dot per located open incident.
      assert.ok((await page.locator('[data-test=board-map] path.leaflet-interactive, [data-test=board-map] .leaflet-overlay-pane path').count()) > 10);
      await page.waitForFunction((n) => document.querySelectorAll('[data-test=board-map] path.ops-incident').length === n, open.length);
      assert.equal(await page.locator('[data-test=board-map] path.ops-incident-on_scene').count(), open.filter((i) => i.state === 'on_scene').length);
      await page.waitForFunction((n) => document.querySelectorAll('[data-test=board-map] .ops-unit').length === n, located);
      assert.equal(await page.locator('[data-test=board-map] path.ops-ring').count(), 0, 'no rings before a selection');
      // Select the incident from the list: its rings appear; Enter opens it.
      const item = page.locator(`[data-test=board-map-item][data-incident-id="${shared.incident.id}"]`);
      await item.click();
      await page.waitForFunction(() => document.querySelectorAll('[data-test=board-map] path.ops-ring').length === 3);
      await shot(t, page, 'board-map-1366.png');
      await item.focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/command/incidents/${shared.incident.id}$`));
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);
