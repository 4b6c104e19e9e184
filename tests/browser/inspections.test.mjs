// 安全检查 in the browser: a community officer inspects a venue against its
// checklist, one item fails and becomes a hazard with a deadline; the
// re-inspection closes it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';

const CHROMIUM = process.env.FQ_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

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

test('an inspection that finds a hazard, and its re-inspection', { timeout: 180000 }, async () => {
  const api = await loginAs(srv, srv.logins.find((l) => l.username === 'community'));
  const orgs = await api.get('/api/v1/organisations?per_page=20');
  const org = orgs.json.items[0];
  assert.ok(org, 'the demo registry has organisations');

  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  const problems = [];
  const origin = new URL(srv.url).origin;
  await context.route('**/*', (r) => (r.request().url().startsWith(origin) ? r.continue() : (problems.push(r.request().url()), r.abort())));
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  const { password } = srv.logins.find((l) => l.username === 'community');
  await page.goto(`${srv.url}/login?redirect=${encodeURIComponent('/community/inspections')}`);
  await input(page, 'login-username').fill('community');
  await input(page, 'login-password').fill(password);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL((u) => u.pathname === '/community/inspections');

  await page.locator('[data-test=inspection-new]').click();
  await page.locator('[data-test=inspection-save]').click();
  await page.locator('[data-test=inspection-error]', { hasText: '请选择' }).waitFor();
  await page.locator('[data-test=inspection-org]').click();
  await page.keyboard.type(org.name.slice(0, 4));
  await page.locator('.el-select-dropdown__item:visible', { hasText: org.name }).first().click();
  await page.locator('[data-test=check-fire_equipment]').waitFor();
  await page.locator('[data-test=check-fire_equipment-ok]').click();
  await page.locator('[data-test=inspection-save]').click();
  await page.locator('[data-test=check-fire_equipment]', { hasText: '请说明隐患情况' }).waitFor();
  await input(page, 'check-fire_equipment-note').fill('灭火器压力不足');
  await input(page, 'check-fire_equipment-deadline').fill('2099-12-31');
  await page.keyboard.press('Enter');
  await page.locator('[data-test=inspection-save]').click();
  const row = page.locator('[data-test=hazard-table] tbody tr', { hasText: '灭火器压力不足' });
  await row.waitFor();
  assert.match(await row.innerText(), /待整改/);
  assert.match(await row.innerText(), new RegExp(org.name));

  await row.locator('[data-test=hazard-reinspect]').click();
  await input(page, 'reinspect-note').fill('已更换新灭火器');
  await page.locator('[data-test=reinspect-save]').click();
  await row.waitFor({ state: 'detached' });
  await page.getByText('已整改', { exact: true }).first().click();
  await page.locator('[data-test=hazard-table] tbody tr', { hasText: '灭火器压力不足' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();

  const hazards = await api.get('/api/v1/hazards?state=rectified');
  assert.equal(hazards.json.total, 1);
  assert.equal(hazards.json.items[0].reinspection_note, '已更换新灭火器');
});
