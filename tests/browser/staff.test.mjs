// The staff picker: the chief opens a key dispute and assigns it to the
// community officer chosen by name from the staff directory (not only "me"),
// and the dispute page and the API show the officer as its handler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, TEST_OPTIONS } from './helpers.mjs';

const h = harness('fq-staff-');
before(h.setup);
after(h.teardown);

test('a key dispute assigned to another officer through the staff picker', TEST_OPTIONS, h.guarded(async (t) => {
  const chief = await h.api('chief');
  const community = await h.api('community');
  const me = (await community.get('/api/v1/session')).json.user;
  const now = Date.now();
  const created = await chief.post('/api/v1/disputes', {
    type: 'labour_wages',
    description: '工地拖欠十二名工人工资，工人扬言要去堵门',
    occurred_at: new Date(now - 3600e3).toISOString(),
    address: '桃园社区工地',
    parties: [{ name: '王建军' }, { name: '某建筑公司' }],
    people_involved: 12,
    amount_yuan: 180000,
  });
  assert.equal(created.status, 201, created.text);
  const d = created.json.dispute;
  assert.notEqual(d.grade, 'general', `grade ${d.grade}`);

  const { page, problems } = await h.openPage();
  await h.signIn(page, 'chief', `/cases/disputes/${d.id}`);
  await page.locator('[data-test=dispute-assign]').click();
  // The picker offers the officers who may handle disputes, the chief first.
  await page.locator('[data-test=dispute-assignee]').click();
  const options = page.locator('.el-select-dropdown__item:visible');
  await options.first().waitFor();
  assert.match(await options.first().innerText(), /（我）/);
  await page.locator('.el-select-dropdown__item:visible', { hasText: me.display_name }).first().click();
  if (d.grade === 'major') {
    await page.locator('.el-checkbox', { hasText: '司法所' }).first().click();
  }
  await page.locator('[data-test=step-save]').click();
  await page.locator('text=' + me.display_name).first().waitFor();
  await h.shot(t, page, 'assigned.png');

  const after = (await chief.get(`/api/v1/disputes/${d.id}`)).json.dispute;
  assert.equal(after.state, 'assigned');
  assert.equal(after.assigned_user_id, me.id);
  assert.equal(after.assigned_user_name, me.display_name);
  assert.deepEqual(problems, []);
}));
