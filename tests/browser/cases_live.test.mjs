// Live updates of the case register: the chief has 民生小案 open when a case
// officer opens a case elsewhere; the new case appears in the chief's list
// without a reload, and the chief's open case page follows a state change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, TEST_OPTIONS } from './helpers.mjs';

const h = harness('fq-cases-live-');
before(h.setup);
after(h.teardown);

test('a new case and a state change reach an open register and case page', TEST_OPTIONS, h.guarded(async (t) => {
  const officer = await h.api('caseofficer');
  const { page, problems } = await h.openPage();
  await h.signIn(page, 'chief', '/cases/cases');
  await page.locator('[data-test=case-table] .el-table__row').first().waitFor();
  let reloads = 0;
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) reloads++;
  });

  const r = await officer.post('/api/v1/cases', {
    type: 'ebike_theft',
    title: '实时推送测试：电动车被盗',
    description: '事主停放的电动车夜间被盗',
    occurred_at: new Date(Date.now() - 6 * 3600e3).toISOString(),
    address: '枫溪镇桃园小区5幢',
    parties: [{ role: 'victim', name: '王秀兰' }],
    lost: [{ description: '电动车一辆', value_yuan: 2600 }],
  });
  assert.equal(r.status, 201, r.text);
  const kase = r.json.case;
  await page.locator('[data-test=case-table] .el-table__row', { hasText: kase.number.slice(-8) }).first().waitFor();

  // The chief opens it; the officer starts the investigation; the page follows.
  await page.goto(`${h.srv.url}/cases/cases/${kase.id}`);
  await page.locator('text=' + kase.number).first().waitFor();
  reloads = 0;
  const before = await page.locator('[data-test=case-state]').innerText();
  const inv = await officer.post(`/api/v1/cases/${kase.id}/investigate`, {});
  assert.equal(inv.status, 200, inv.text);
  await page.locator('[data-test=case-state]', { hasText: '办理中' }).waitFor();
  assert.notEqual(before.trim(), '办理中');
  await h.shot(t, page, 'case-live.png');
  assert.equal(reloads, 0, 'no page reload');
  assert.deepEqual(problems, []);
}));
