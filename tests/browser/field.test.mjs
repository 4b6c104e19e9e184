// Community field work in the browser: a community officer makes a contact
// card, the printed card's QR code decodes to the card's public page, a
// resident opens it on a phone-sized screen (390×844) and books a
// door-to-door service, and the officer turns the booking into a service
// request and completes it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { startServer } from '../lib/server.mjs';

const execFileP = promisify(execFile);
const CHROMIUM = process.env.FQ_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TIMEOUT_MS = 15000;
const TEST_OPTIONS = { timeout: 240000 };
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

let srv;
let browser;
let dir;

before(async () => {
  srv = await startServer({ demo: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  dir = await mkdtemp(path.join(os.tmpdir(), 'fq-field-'));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function openPage(viewport, options = {}) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
  context.setDefaultTimeout(TIMEOUT_MS);
  const origin = new URL(srv.url).origin;
  const problems = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    problems.push(`external request: ${url}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { context, page, problems };
}

function input(page, name) {
  return page.locator(`input[data-test=${name}], textarea[data-test=${name}], [data-test=${name}] input, [data-test=${name}] textarea`).first();
}

async function signIn(page, username, target) {
  const { password } = srv.logins.find((l) => l.username === username);
  await page.goto(`${srv.url}/login?redirect=${encodeURIComponent(target)}`);
  await input(page, 'login-username').fill(username);
  await input(page, 'login-password').fill(password);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL((url) => url.pathname === target);
}

async function pick(page, selectTest, optionText) {
  await page.locator(`[data-test=${selectTest}]`).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first().click();
}

test('a contact card is made and printed; its QR code opens the public page, where a resident books a visit; the officer serves it', TEST_OPTIONS, async () => {
  // 1. The community officer makes a card for a grid and previews it.
  const officer = await openPage(DESKTOP);
  const { page } = officer;
  await signIn(page, 'community', '/community/cards');
  await page.locator('[data-test=card-table]').waitFor();
  await page.locator('[data-test=card-create]').click();
  await page.locator('[data-test=card-save]').click();
  await page.locator('[data-test=card-dialog] .el-form-item__error', { hasText: '请选择网格' }).waitFor();
  await pick(page, 'card-unit', '桃埠社区');
  await input(page, 'card-phone').fill('0575-8700 1234');
  await input(page, 'card-motto').fill('有事找我，服务到家');
  await page.locator('[data-test=card-save]').click();
  const img = page.locator('[data-test=card-image]');
  await img.waitFor();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-test=card-image]');
    return el && el.complete && el.naturalWidth > 0;
  });
  assert.equal(await img.evaluate((el) => el.naturalWidth), 1063, 'the card is drawn at 300 dpi');

  // 2. The printed PNG's QR code decodes to this server's page of the card.
  const pngHref = await page.locator('[data-test=card-download-png]').getAttribute('href');
  const png = await page.request.get(`${srv.url}${pngHref}`);
  assert.equal(png.status(), 200);
  const file = path.join(dir, 'card.png');
  await writeFile(file, await png.body());
  const { stdout } = await execFileP('zbarimg', ['--raw', '-q', '--nodbus', file]);
  const pageUrl = stdout.trim();
  assert.match(pageUrl, new RegExp(`^${srv.url.replace(/[.]/g, '\\.')}/c/[A-Za-z0-9_-]{22}$`));
  const pdfHref = await page.locator('[data-test=card-download-pdf]').getAttribute('href');
  const pdf = await page.request.get(`${srv.url}${pdfHref}`);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');

  // 3. A resident opens it on a phone, without signing in, and books a visit.
  const resident = await openPage(PHONE, { isMobile: true, hasTouch: true });
  await resident.page.goto(pageUrl);
  await resident.page.locator('[data-test=card-officer]').waitFor();
  assert.equal((await resident.page.locator('[data-test=card-officer]').innerText()).trim(), '王志强');
  await resident.page.locator('.el-segmented__item', { hasText: '预约上门服务' }).click();
  await resident.page.locator('[data-test=card-submit]').click();
  await resident.page.locator('.el-form-item__error', { hasText: '请填写姓名' }).waitFor();
  await pick(resident.page, 'card-service', '身份证送证上门');
  await input(resident.page, 'card-text').fill('奶奶腿脚不便，想请民警把新身份证送上门');
  await input(resident.page, 'card-name').fill('李奶奶');
  await input(resident.page, 'card-phone').fill('139 0000 1111');
  await input(resident.page, 'card-address').fill('桃埠社区3幢201');
  await resident.page.locator('[data-test=card-submit]').click();
  await resident.page.locator('[data-test=card-sent]').waitFor();
  const number = (await resident.page.locator('[data-test=card-number]').innerText()).trim();
  assert.match(number, /^LY-339902100001-\d{8}-\d{4}$/);
  // The page fits the phone: no horizontal scrolling.
  assert.ok(await resident.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
  assert.deepEqual(resident.problems, []);
  await resident.context.close();

  // 4. The officer finds the booking, turns it into a service request, schedules and completes it.
  await page.goto(`${srv.url}/community/messages`);
  const row = page.locator('[data-test=message-table] tr', { hasText: '李奶奶' });
  await row.waitFor();
  assert.match(await row.innerText(), /13900001111|139 0000 1111/, 'the officer who calls back sees the phone');
  await row.locator('[data-test=message-handle]').click();
  await input(page, 'message-note').fill('已电话联系，约定明天上午送达');
  await page.locator('[data-test=message-save]').click();
  await page.locator('[data-test=message-table] tr', { hasText: '李奶奶' }).waitFor({ state: 'detached' });

  await page.goto(`${srv.url}/community/services`);
  const srow = page.locator('[data-test=service-table] tr', { hasText: '李奶奶' });
  await srow.waitFor();
  assert.match(await srow.innerText(), /待安排/);
  await srow.locator('[data-test=service-schedule]').click();
  await input(page, 'service-time').fill('2026-12-01 09:30:00');
  await page.keyboard.press('Enter');
  await page.locator('[data-test=service-save]').click();
  await page.locator('[data-test=service-table] tr', { hasText: '已安排' }).waitFor();
  await page.locator('[data-test=service-table] tr', { hasText: '李奶奶' }).locator('[data-test=service-complete]').click();
  await input(page, 'service-proof').fill('身份证已本人签收');
  await page.locator('[data-test=service-save]').click();
  await page.locator('[data-test=service-table] tr', { hasText: '已办结' }).waitFor();
  await page.locator('[data-test=service-kpi]', { hasText: '已办结' }).waitFor();
  assert.deepEqual(officer.problems, []);
  await officer.context.close();
});
