// Disputes in the browser: a community officer registers a neighbour dispute
// through the intake dialog (a refused phone is shown on its party's row),
// sees the grade and its reasons, opens the dispute, records a mediation
// session and the outcome "resolved by agreement" with its terms, opens the
// printable agreement in a new tab and finds the parties and the terms in it,
// records the first follow-up, and a second one that finds a flare-up, which
// reopens the dispute one grade higher.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../lib/server.mjs';

const CHROMIUM = process.env.FQ_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TIMEOUT_MS = 15000;
const TEST_OPTIONS = { timeout: 240000 };
const DESKTOP = { width: 1366, height: 768 };

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

test('a neighbour dispute from intake through mediation to a signed agreement and a follow-up', TEST_OPTIONS, async () => {
  const { context, page, problems } = await openPage(DESKTOP);
  await signIn(page, 'community', '/cases/disputes');

  // The register with the KPIs of the demo's year.
  await page.locator('[data-test=dispute-table] .el-table__row').first().waitFor();
  const found = Number((await page.locator('[data-test=kpi-found]').innerText()).trim());
  assert.ok(found >= 500, `KPI found ${found}`);
  assert.match(await page.locator('[data-test=kpi-resolution-rate]').innerText(), /^\d+\.\d%$/);

  // 1. Intake: the form's own checks, then the server's refusal on a party's phone.
  await page.locator('[data-test=dispute-create]').click();
  await page.locator('[data-test=dispute-save]').click();
  await page.locator('[data-test=dispute-dialog] .el-form-item__error', { hasText: '请选择纠纷类型' }).waitFor();
  await pick(page, 'dispute-type', '邻里纠纷');
  await input(page, 'dispute-description').fill('两户因楼道堆放杂物发生口角，一方扬言要动手');
  await input(page, 'dispute-address').fill('桃埠社区5幢1单元');
  await input(page, 'party-name-0').fill('陈秀英');
  await input(page, 'party-phone-0').fill('138 1234 5601');
  await input(page, 'party-name-1').fill('孙建华');
  await input(page, 'party-phone-1').fill('12');
  await input(page, 'dispute-amount').fill('20000');
  await page.locator('[data-test=dispute-save]').click();
  await page.locator('[data-test=dispute-party]').nth(1).locator('.party-error').waitFor();
  assert.equal(await page.locator('[data-test=dispute-party]').nth(0).locator('.party-error').count(), 0);
  await input(page, 'party-phone-1').fill('13812345602');
  // A third row added and removed again.
  await page.locator('[data-test=party-add]').click();
  assert.equal(await page.locator('[data-test=dispute-party]').count(), 3);
  await page.locator('[data-test=dispute-party]').nth(2).getByText('删除').click();
  assert.equal(await page.locator('[data-test=dispute-party]').count(), 2);
  await page.locator('[data-test=dispute-save]').click();

  // 2. The grade and its reasons: a threat word (+15) and 20,000 yuan (+10) make it key.
  await page.locator('[data-test=dispute-result]').waitFor();
  const number = (await page.locator('[data-test=dispute-result-number]').innerText()).trim();
  assert.match(number, /^TJ-\d{12}-\d{8}-0001$/);
  assert.equal((await page.locator('[data-test=dispute-result-grade]').innerText()).trim(), '重点');
  const reasons = await page.locator('[data-test=dispute-result-reasons] li').allInnerTexts();
  assert.equal(reasons.length, 3, reasons.join('\n'));
  assert.match(reasons[0], /动手.*（\+15分）/);
  assert.match(reasons[1], /20000元（\+10分）/);
  assert.match(reasons[2], /合计25分，定为重点纠纷/);

  // It is in the register, first when sorted by reporting time downwards.
  await page.locator('[data-test=dispute-dialog] .el-dialog__headerbtn').click();
  await page.locator('[data-test=dispute-table] th', { hasText: '登记时间' }).locator('.sort-caret.descending').click();
  const first = page.locator('[data-test=dispute-table] .el-table__row').first();
  await first.locator(`[data-test=dispute-number][title="${number}"]`).waitFor();
  assert.match(await first.innerText(), /重点[\s\S]*邻里纠纷[\s\S]*已分级[\s\S]*剩余 14天23小时/);

  // 3. The detail page: parties masked as the API gives them, the grade and its reasons.
  await first.click();
  await page.waitForURL((url) => /^\/cases\/disputes\/[0-9a-f-]{36}$/.test(url.pathname));
  await page.locator('[data-test=dispute-number]', { hasText: number }).waitFor();
  const parties = await page.locator('[data-test=dispute-parties]').innerText();
  assert.match(parties, /陈秀英[\s\S]*138\*\*\*\*5601/, 'a community officer sees masked phones');
  assert.doesNotMatch(parties, /13812345601/);
  assert.match(await page.locator('[data-test=dispute-reasons]').innerText(), /合计25分/);
  assert.equal((await page.locator('[data-test=dispute-grade]').innerText()).trim(), '重点');

  // The officer lowers the grade, with a reason; the computed grade stays visible.
  await page.locator('[data-test=dispute-regrade]').click();
  await page.locator('[data-test=step-grade] .el-radio', { hasText: '一般' }).click();
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=dispute-step-dialog] .el-form-item__error', { hasText: '请填写调整理由' }).waitFor();
  await input(page, 'step-reason').fill('经核实“动手”系气话，双方已冷静');
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=dispute-grade-card]', { hasText: '人工调整理由：经核实“动手”系气话' }).waitFor();
  assert.equal((await page.locator('[data-test=dispute-grade]').innerText()).trim(), '一般');
  assert.match(await page.locator('[data-test=dispute-grade-card]').innerText(), /系统评定：重点/);
  assert.match(await page.locator('[data-test=dispute-timeline]').innerText(), /调整等级/);

  // 4. A mediation session.
  await page.locator('[data-test=dispute-session]').click();
  assert.equal(await input(page, 'step-participants').inputValue(), '陈秀英、孙建华');
  await input(page, 'step-place').fill('桃埠社区调解室');
  await input(page, 'step-said').fill('双方陈述各自理由，同意清理楼道');
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=dispute-session-item]', { hasText: '同意清理楼道' }).waitFor();
  assert.equal((await page.locator('[data-test=dispute-state]').innerText()).trim(), '调解中');

  // 5. The outcome: resolved by agreement, the terms are required.
  await page.locator('[data-test=dispute-outcome]').click();
  await page.locator('[data-test=outcome-resolved_agreement]').click();
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=dispute-step-dialog] .el-form-item__error', { hasText: '请填写协议内容' }).waitFor();
  const terms = '一、孙建华于三日内清理楼道杂物；二、双方今后互谅互让，不再争吵。';
  await input(page, 'step-terms').fill(terms);
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=dispute-terms]', { hasText: '孙建华于三日内清理楼道杂物' }).waitFor();
  assert.equal((await page.locator('[data-test=dispute-state]').innerText()).trim(), '调解成功（达成协议）');
  assert.equal(await page.locator('[data-test=dispute-follow-ups] .el-table__row').count(), 3, 'follow-ups after 1, 7 and 30 days');

  // 6. The printable agreement opens in a new tab with the parties and the terms.
  const [agreement] = await Promise.all([context.waitForEvent('page'), page.locator('[data-test=dispute-agreement]').click()]);
  await agreement.waitForLoadState();
  const text = await agreement.locator('body').innerText();
  assert.match(text, /人民调解协议书/);
  assert.match(text, new RegExp(number));
  assert.match(text, /陈秀英/);
  assert.match(text, /孙建华/);
  assert.match(text, /13812345601/, 'the agreement carries full phones for signing');
  assert.ok(text.includes('孙建华于三日内清理楼道杂物') && text.includes('双方今后互谅互让'), text);
  await agreement.close();

  // 7. The first follow-up, without a flare-up.
  await page.locator('[data-test=dispute-follow-up]').click();
  await input(page, 'step-result').fill('电话回访，楼道已清理，双方满意');
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=dispute-follow-ups] .el-table__row', { hasText: '楼道已清理' }).waitFor();
  assert.equal((await page.locator('[data-test=dispute-state]').innerText()).trim(), '回访中');
  assert.match(await page.locator('[data-test=dispute-timeline]').innerText(), /登记[\s\S]*调解[\s\S]*调解结果[\s\S]*回访/);

  // 8. The next follow-up finds the quarrel flared up again: the dispute reopens one grade higher.
  await page.locator('[data-test=dispute-follow-up]').click();
  await input(page, 'step-result').fill('上门回访，双方又因杂物争吵');
  await page.locator('[data-test=step-flare-up]').click();
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=dispute-state]', { hasText: '已重新启动' }).waitFor();
  assert.equal((await page.locator('[data-test=dispute-grade]').innerText()).trim(), '重点', 'general + 1 = key');
  assert.equal(await page.locator('[data-test=dispute-agreement]').count(), 0, 'the outcome is cleared');
  assert.match(await page.locator('[data-test=dispute-follow-ups]').innerText(), /矛盾反复/);
  await page.locator('[data-test=dispute-session]').waitFor();

  assert.deepEqual(problems, []);
  await context.close();
});
