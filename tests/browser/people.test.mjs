// 人口信息 in the browser: a community officer finds a person by part of a
// Chinese name, sees the ID number masked, reveals it with a reason, and
// the reveal is in the audit log with that reason; an operator, who may not
// reveal, is not offered the button.
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

async function openAs(username, target) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  const problems = [];
  const origin = new URL(srv.url).origin;
  await context.route('**/*', (r) => (r.request().url().startsWith(origin) ? r.continue() : (problems.push(r.request().url()), r.abort())));
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  const { password } = srv.logins.find((l) => l.username === username);
  await page.goto(`${srv.url}/login?redirect=${encodeURIComponent(target)}`);
  await input(page, 'login-username').fill(username);
  await input(page, 'login-password').fill(password);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL((u) => u.pathname === target);
  return { context, page, problems };
}

test('find a person by part of the name, masked ID, revealed with a reason and audited', { timeout: 180000 }, async () => {
  const api = await loginAs(srv, srv.logins.find((l) => l.username === 'community'));
  const list = await api.get('/api/v1/people?per_page=50');
  const person = list.json.items.find((p) => [...p.name].length >= 3);
  assert.ok(person, 'a person with a name of three characters or more');
  const part = [...person.name].slice(1).join(''); // the given name: part of the full name

  const { context, page, problems } = await openAs('community', '/community/people');
  await input(page, 'people-search').fill(part);
  await page.locator('[data-test=people-search-button]').click();
  const row = page.locator('[data-test=people-table] tbody tr', { hasText: person.name }).first();
  await row.waitFor();
  const rowText = await row.innerText();
  assert.match(rowText, /\d{6}\*{8}[\dX]{4}/, `masked in the list: ${rowText}`);
  await row.click();
  const idCell = page.locator('[data-test=person-id-number]');
  await idCell.waitFor();
  assert.match(await idCell.innerText(), /^\d{6}\*{8}[\dX]{4}$/);

  await page.locator('[data-test=person-reveal]').click();
  await input(page, 'reveal-reason').fill('核实');
  await page.locator('[data-test=reveal-confirm]').click();
  await page.locator('[data-test=reveal-dialog] .el-form-item__error').waitFor();
  await input(page, 'reveal-reason').fill('核实纠纷当事人身份');
  await page.locator('[data-test=reveal-confirm]').click();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-test=person-id-number]');
    return el && /^\d{17}[\dX]$/.test(el.textContent.trim());
  });
  const full = (await idCell.innerText()).trim();
  assert.equal(full.slice(-4), person.id_number.slice(-4), 'the revealed number is the masked one');
  assert.deepEqual(problems, []);
  await context.close();

  const auditor = await loginAs(srv, srv.logins.find((l) => l.username === 'auditor'));
  const audit = await auditor.get('/api/v1/audit?action=person.reveal&per_page=50');
  const entry = audit.json.items.find((e) => e.object_id === person.id);
  assert.ok(entry, 'the reveal is audited');
  assert.equal(entry.username, 'community');
  assert.equal(entry.reason, '核实纠纷当事人身份');

  // The operator reads the registry masked and is not offered the reveal.
  const op = await openAs('operator', '/community/people');
  await input(op.page, 'people-search').fill(part);
  await op.page.locator('[data-test=people-search-button]').click();
  await op.page.locator('[data-test=people-table] tbody tr', { hasText: person.name }).first().click();
  await op.page.locator('[data-test=person-id-number]').waitFor();
  assert.equal(await op.page.locator('[data-test=person-reveal]').count(), 0);
  await op.context.close();
});
