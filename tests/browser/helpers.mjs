// Shared helpers of the browser tests: Debian's Chromium through
// playwright-core against the real server with demo data
// (tests/lib/server.mjs). Each test file makes one harness:
//
//   const h = harness('fq-dispatch-');
//   before(h.setup); after(h.teardown);
//   test('…', TEST_OPTIONS, h.guarded(async (t) => { const { page } = await h.openPage(); … }));
//
// Screenshots go to a temporary directory, kept when a test failed or
// FQ_KEEP_SCREENSHOTS is set.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';

export const CHROMIUM = process.env.FQ_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const TIMEOUT_MS = 15000;
export const TEST_OPTIONS = { timeout: 180000 };
export const VIEWPORT = { width: 1366, height: 768 };

export function harness(prefix, serverOptions = { demo: true }) {
  const h = {
    srv: null,
    browser: null,
    shotDir: null,
    failed: false,

    async setup() {
      h.srv = await startServer(serverOptions);
      h.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      h.shotDir = await mkdtemp(path.join(os.tmpdir(), prefix));
    },

    async teardown() {
      if (h.browser) await h.browser.close();
      if (h.srv) await (h.srv.cleanup ? h.srv.cleanup() : h.srv.stop());
      if (h.shotDir) {
        if (h.failed || process.env.FQ_KEEP_SCREENSHOTS) console.log(`# screenshots kept in ${h.shotDir}`);
        else await rm(h.shotDir, { recursive: true, force: true });
      }
    },

    login(username) {
      const found = h.srv.logins.find((l) => l.username === username);
      assert.ok(found, `demo login ${username} missing`);
      return found;
    },

    // An API client logged in as a demo user (tests/lib/client.mjs).
    async api(username) {
      return loginAs(h.srv, h.login(username));
    },

    // A page that records uncaught script errors and any request leaving the
    // server under test (the UI must not load anything from the internet).
    async openPage(viewport = VIEWPORT) {
      const context = await h.browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      context.setDefaultTimeout(TIMEOUT_MS);
      const origin = new URL(h.srv.url).origin;
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
    },

    async signIn(page, username, target) {
      const { password } = h.login(username);
      await page.goto(`${h.srv.url}/login?redirect=${encodeURIComponent(target)}`);
      await field(page, 'login-username').fill(username);
      await field(page, 'login-password').fill(password);
      await page.locator('[data-test=login-submit]').click();
      await page.waitForURL((url) => url.pathname === target);
    },

    async shot(t, page, name) {
      const file = path.join(h.shotDir, name);
      await page.screenshot({ path: file });
      t.diagnostic(`screenshot: ${file}`);
    },

    guarded(fn) {
      return async (t) => {
        try {
          await fn(t);
        } catch (error) {
          h.failed = true;
          throw error;
        }
      };
    },
  };
  return h;
}

export function field(page, name) {
  return page.locator(`input[data-test=${name}], textarea[data-test=${name}], [data-test=${name}] input, [data-test=${name}] textarea`).first();
}

// The data-test attribute of the focused element or its nearest marked ancestor.
export async function focusedTest(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el && el !== document.body) {
      if (el.dataset && el.dataset.test) return el.dataset.test;
      el = el.parentElement;
    }
    return null;
  });
}

export async function expectFocus(page, name) {
  await page
    .waitForFunction(
      (wanted) => {
        let el = document.activeElement;
        while (el && el !== document.body) {
          if (el.dataset && el.dataset.test === wanted) return true;
          el = el.parentElement;
        }
        return false;
      },
      name,
      { timeout: 5000 },
    )
    .catch(async () => {
      assert.fail(`expected focus in ${name}, it is in ${await focusedTest(page)}`);
    });
}

// Page width beyond the viewport (0 when nothing scrolls sideways).
export async function sidewaysOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}
