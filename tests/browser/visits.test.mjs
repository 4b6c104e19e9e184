// Logging a household visit on a phone-sized screen (390×844): a grid worker
// signs in on /m/visits, finds the house by part of its address, records
// whom they met, what they learned and a clue, and saves with the phone's
// position; the visit and the clue are then in the store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';

const CHROMIUM = process.env.FQ_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PHONE = { width: 390, height: 844 };
const HERE = { latitude: 29.7412, longitude: 120.2518 };

let srv;
let browser;

before(async () => {
  srv = await startServer({ demo: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.cleanup();
});

function input(page, name) {
  return page.locator(`input[data-test=${name}], textarea[data-test=${name}], [data-test=${name}] input, [data-test=${name}] textarea`).first();
}

test('a grid worker logs a visit on a phone, with the position and a clue', { timeout: 180000 }, async () => {
  const api = await loginAs(srv, srv.logins.find((l) => l.username === 'gridworker'));
  const houses = await api.get('/api/v1/houses?per_page=5');
  const house = houses.json.items[0];
  assert.ok(house, 'the grid worker has houses');

  const context = await browser.newContext({
    viewport: PHONE,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    geolocation: HERE,
    permissions: ['geolocation'],
  });
  context.setDefaultTimeout(15000);
  const origin = new URL(srv.url).origin;
  const problems = [];
  await context.route('**/*', (r) => (r.request().url().startsWith(origin) ? r.continue() : (problems.push(r.request().url()), r.abort())));
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  const { password } = srv.logins.find((l) => l.username === 'gridworker');
  await page.goto(`${srv.url}/login?redirect=${encodeURIComponent('/m/visits')}`);
  await input(page, 'login-username').fill('gridworker');
  await input(page, 'login-password').fill(password);
  // The sign-in page is laid out for desktops: submit with the keyboard.
  await input(page, 'login-password').press('Enter');
  await page.waitForURL((u) => u.pathname === '/m/visits');
  await page.locator('[data-test=visit-position]', { hasText: '已定位' }).waitFor().catch(async (e) => { throw new Error(`position: ${await page.locator('[data-test=visit-position]').innerText().catch(() => 'no element')}; url ${page.url()}; ${problems.join(' | ')}`); });

  // Nothing chosen: the page says so and saves nothing.
  await page.locator('[data-test=visit-save]').click();
  await page.locator('.el-form-item__error', { hasText: '请选择走访的房屋' }).waitFor();

  const part = house.address.slice(-6);
  await page.locator('[data-test=visit-house]').click();
  await page.keyboard.type(part);
  await page.locator('.el-select-dropdown__item:visible', { hasText: part }).first().click();
  await input(page, 'visit-people').fill('户主，老人');
  await input(page, 'visit-learned').fill('独居老人，子女在外地');
  await input(page, 'visit-clue').fill('楼道有人深夜收购电动车电池');
  await page.locator('[data-test=visit-save]').click();
  const saved = page.locator('[data-test=visit-saved]');
  await saved.waitFor();
  assert.match(await saved.innerText(), /ZF-\d+-\d{8}-\d{4}/);
  assert.match(await saved.innerText(), /线索 XS-/);
  await page.locator('[data-test=visit-recent] li', { hasText: house.address }).waitFor();
  // It fits the phone.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no horizontal scrolling');
  assert.deepEqual(problems, []);

  const mine = await api.get('/api/v1/visits?mine=1');
  assert.equal(mine.json.total, 1);
  const v = mine.json.items[0];
  assert.equal(v.house_id, house.id);
  assert.deepEqual(v.people_met, ['户主', '老人']);
  assert.ok(Math.abs(v.location.lat - HERE.latitude) < 1e-6 && Math.abs(v.location.lon - HERE.longitude) < 1e-6);
  assert.ok(v.clue_id);
  await context.close();
});
