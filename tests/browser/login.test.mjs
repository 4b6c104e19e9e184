// Browser test of the login flow and the application frame, driven through
// Debian's Chromium with playwright-core against the real server started by
// tests/lib/server.mjs (demo data). Run: cd tests && node --test browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../lib/server.mjs';

const CHROMIUM = process.env.FQ_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SECTIONS = ['指挥室', '社区警务', '案件与纠纷', '研判', '系统管理'];
const TIMEOUT_MS = 15000;
const TEST_OPTIONS = { timeout: 120000 };

let srv;
let browser;
let shotDir;
let failed = false;

before(async () => {
  srv = await startServer({ demo: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  shotDir = await mkdtemp(path.join(os.tmpdir(), 'fq-browser-'));
});

after(async () => {
  if (browser) await browser.close();
  // cleanup() also removes the throw-away database; stop() is the minimum.
  if (srv) await (srv.cleanup ? srv.cleanup() : srv.stop());
  if (shotDir) {
    if (failed || process.env.FQ_KEEP_SCREENSHOTS) console.log(`# screenshots kept in ${shotDir}`);
    else await rm(shotDir, { recursive: true, force: true });
  }
});

// A page at the given size that fails the test on uncaught script errors
// and on any request that leaves the server under test (the UI must not
// load anything from the internet).
async function openPage(viewport) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
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

// Element Plus puts extra attributes of <el-input> on the <input> itself;
// the second form keeps the test working if they land on the wrapper.
function field(page, name) {
  return page.locator(`input[data-test=${name}], [data-test=${name}] input`);
}

async function fillLogin(page, username, password) {
  await field(page, 'login-username').fill(username);
  await field(page, 'login-password').fill(password);
}

// Marks the run as failed so that the screenshots are kept for a look.
function guarded(fn) {
  return async (t) => {
    try {
      await fn(t);
    } catch (error) {
      failed = true;
      throw error;
    }
  };
}

test(
  'station chief logs in, sees the frame and the map, logs out',
  TEST_OPTIONS,
  guarded(async (t) => {
    const chief = srv.logins[0];
    const { context, page, problems } = await openPage({ width: 1366, height: 768 });
    try {
      // Signed out: any page leads to the login form.
      await page.goto(`${srv.url}/`);
      await page.waitForURL(/\/login/);
      await page.locator('[data-test=login-form]').waitFor();
      assert.match(await page.locator('body').innerText(), /枫桥 · 基层派出所综合平台/);
      await page.screenshot({ path: path.join(shotDir, 'login-1366.png') });

      // Enter in the password field submits the form.
      await fillLogin(page, chief.username, chief.password);
      await field(page, 'login-password').press('Enter');
      await page.locator('[data-test=app-frame]').waitFor();
      assert.doesNotMatch(new URL(page.url()).pathname, /^\/login/);

      // The frame: every nav section and the user's display name.
      const nav = page.locator('[data-test=nav]');
      for (const title of SECTIONS) {
        await nav.getByText(title, { exact: true }).waitFor({ state: 'visible' });
      }
      const answer = await page.request.get(`${srv.url}/api/v1/session`);
      assert.equal(answer.status(), 200);
      const me = (await answer.json()).user;
      assert.ok(me.roles.includes('chief'), `logins[0] should be the chief, got roles ${me.roles}`);
      const shownName = page.locator('[data-test=user-display-name]');
      await shownName.waitFor();
      assert.equal((await shownName.innerText()).trim(), me.display_name);
      // The chief is neither admin nor auditor: those pages are not offered.
      assert.equal(await page.locator('[data-test=nav-system-users]').count(), 0);
      assert.equal(await page.locator('[data-test=nav-system-audit]').count(), 0);

      // 概览: the unit and the Leaflet map of its jurisdiction.
      await page.locator('[data-test=nav-home]').click();
      await page.locator('[data-test=home]').waitFor();
      const unitInfo = page.locator('[data-test=unit-info]');
      await unitInfo.waitFor();
      assert.match(await unitInfo.innerText(), new RegExp(me.unit.code));
      const map = page.locator('[data-test=unit-map]');
      await map.waitFor({ state: 'visible' });
      assert.match((await map.getAttribute('class')) || '', /leaflet-container/);
      const box = await map.boundingBox();
      assert.ok(box && box.width > 300 && box.height > 300, `map too small: ${JSON.stringify(box)}`);
      await page.waitForTimeout(300);
      const shot = path.join(shotDir, 'home-1366.png');
      await page.screenshot({ path: shot });
      t.diagnostic(`screenshot: ${shot}`);

      // A section that is not built yet shows its placeholder.
      await nav.getByText('指挥室', { exact: true }).click();
      await page.locator('[data-test=nav-command-alerts]').click();
      await page.waitForURL(/\/command\/alerts$/);
      await page.locator('[data-test=under-construction]').getByText('功能建设中').waitFor();

      // Log out through the user menu: back at the login page, session gone.
      await page.locator('[data-test=user-menu]').click();
      await page.locator('[data-test=logout]').click();
      await page.waitForURL(/\/login/);
      await page.locator('[data-test=login-form]').waitFor();
      assert.equal(await page.locator('[data-test=app-frame]').count(), 0);
      const gone = await page.request.get(`${srv.url}/api/v1/session`);
      assert.equal(gone.status(), 401);

      // Coming back to an inner page still requires logging in.
      await page.goto(`${srv.url}/command/alerts`);
      await page.waitForURL(/\/login/);

      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);

test(
  'wrong password shows the server message and stays on the login page',
  TEST_OPTIONS,
  guarded(async () => {
    const chief = srv.logins[0];
    const { context, page, problems } = await openPage({ width: 1366, height: 768 });
    try {
      await page.goto(`${srv.url}/login`);
      await fillLogin(page, chief.username, `${chief.password}-wrong`);
      await page.locator('[data-test=login-submit]').click();
      const message = page.locator('[data-test=login-error]');
      await message.waitFor();
      assert.match(await message.innerText(), /用户名或密码错误/);
      assert.match(new URL(page.url()).pathname, /^\/login/);
      assert.equal(await page.locator('[data-test=app-frame]').count(), 0);
      // The button is usable again for another try.
      assert.equal(await page.locator('[data-test=login-submit]').isEnabled(), true);
      await page.screenshot({ path: path.join(shotDir, 'login-error-1366.png') });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);

test(
  'the frame fits a 1920×1080 screen',
  TEST_OPTIONS,
  guarded(async () => {
    const chief = srv.logins[0];
    const { context, page, problems } = await openPage({ width: 1920, height: 1080 });
    try {
      await page.goto(`${srv.url}/login`);
      await fillLogin(page, chief.username, chief.password);
      await page.locator('[data-test=login-submit]').click();
      await page.locator('[data-test=unit-map]').waitFor({ state: 'visible' });
      // No horizontal scrolling of the whole page at this size.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
      await page.screenshot({ path: path.join(shotDir, 'home-1920.png') });
      await page.locator('[data-test=user-menu]').click();
      await page.locator('[data-test=logout]').click();
      await page.waitForURL(/\/login/);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);
