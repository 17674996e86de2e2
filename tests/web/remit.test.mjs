// Remittances in a real browser: the same payment keyed twice is refused
// with the first one named, the form keeps what was typed and offers to
// record it as a second payment; a wrong one is reversed from the
// reconciliation page and the quarter's balance comes back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { demoDatabase, startServer, cliJson, token, root, launchChromium } from './lib.mjs';

const artifacts = join(root, 'tests', 'artifacts');
const C = 'KS-FURN-2025';
const Q = '2026-Q2';
const REF = 'ACH-771201';
let demo, srv, browser;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  demo = demoDatabase();
  srv = await startServer(demo.db);
  browser = await launchChromium();
});
after(async () => { await browser?.close(); await srv?.stop(); });

// A signed-in page of role; javaScriptEnabled false: the page as a
// browser without scripts gets it.
async function signIn(role, javaScriptEnabled = true) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${srv.url}/login`);
  await page.getByLabel('E-mail').fill(demo.users[role].email);
  await page.getByLabel('Password').fill(demo.users[role].password);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
  return page;
}

const fees = () => cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', Q).quarters[0];

// The quarter's row of the reconciliation grid: {balance, status}.
async function gridRow(page) {
  const row = page.locator(`#grid tr[data-contract="${C}"][data-quarter="${Q}"]`);
  return { balance: (await row.locator('td').nth(6).textContent()).trim(),
    status: (await row.locator('td').nth(7).textContent()).trim() };
}

// Fill the reconciliation page's form for ACH-771201 and send it.
async function recordForm(page, amount) {
  await page.selectOption('#remit select[name=contract]', C);
  await page.fill('#remit input[name=period]', Q);
  await page.fill('#remit input[name=amount]', amount);
  await page.fill('#remit input[name=received]', '2026-11-24');
  await page.fill('#remit input[name=reference]', REF);
  await page.click('#remit button[type=submit]');
  await page.waitForLoadState('load');
}

const human = (cents) => (cents < 0 ? '-$' : '$') +
  (Math.abs(cents) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });

test('a remittance keyed twice is refused, confirmed as a second payment, then reversed', async () => {
  const due = fees();
  assert.equal(due.status, 'overdue');
  const amount = due.balance; // what settles the quarter, late fee included
  const cents = Math.round(Number(amount) * 100);

  // without scripts: record it, then the same again
  const page = await signIn('finance', false);
  await page.goto(`${srv.url}/reconciliation`);
  await recordForm(page, amount);
  assert.match(await page.textContent('.notice'), /Recorded/);
  assert.deepEqual(await gridRow(page), { balance: '$0.00', status: 'paid' });
  const first = cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', Q).quarters[0];
  assert.equal(first.balance, '0.00');

  await recordForm(page, amount);
  const refusal = await page.textContent('main');
  assert.match(await page.textContent('h1'), /not recorded/i);
  assert.match(refusal, new RegExp(`remittance \\d+ \\(reference ${REF}\\) is already recorded for ${C} ${Q}`));
  assert.ok(refusal.includes(`${human(cents)} received 2026-11-24`), refusal);
  const existing = page.locator('#existing');
  assert.match(await existing.textContent(), new RegExp(REF));
  // what was typed is still there
  const form = page.locator('#remit-again');
  assert.equal(await form.getByLabel('Quarter').inputValue(), Q);
  assert.equal(await form.getByLabel('Amount').inputValue(), amount);
  assert.equal(await form.getByLabel('Received').inputValue(), '2026-11-24');
  assert.equal(await form.getByLabel('Reference (cheque or ACH)').inputValue(), REF);
  assert.equal(await form.getByLabel('Contract').inputValue(), C);
  await page.screenshot({ path: join(artifacts, 'remittance-refused.png') });
  assert.equal(fees().remitted, first.remitted, 'the refused one counts nowhere');

  // sent again unconfirmed: still refused
  await form.getByRole('button', { name: 'Record' }).click();
  await page.waitForLoadState('load');
  assert.match(await page.textContent('h1'), /not recorded/i);
  // confirmed as a second payment: recorded, the quarter overpaid by it
  await page.getByLabel('Record as a second payment').check();
  await page.locator('#remit-again').getByRole('button', { name: 'Record' }).click();
  await page.waitForLoadState('load');
  assert.match(await page.textContent('.notice'), /Recorded/);
  assert.deepEqual(await gridRow(page), { balance: human(-cents), status: 'overpaid' });
  assert.equal(fees().balance, (-cents / 100).toFixed(2));
  await page.context().close();

  // with scripts: reverse the second one from its row, confirming the dialog
  const staff = await signIn('finance');
  let asked = '';
  staff.on('dialog', async (d) => { asked = d.message(); await d.accept(); });
  await staff.goto(`${srv.url}/reconciliation?contract=${C}`);
  const rows = staff.locator('#remittances tr[data-reference="' + REF + '"]');
  assert.equal(await rows.count(), 2);
  const second = await rows.first().getAttribute('data-remittance');
  const row = staff.locator(`#remittances tr[data-remittance="${second}"]`);
  assert.match(await row.textContent(), /live/);
  await row.getByLabel('Reason').fill('keyed twice from the bank statement');
  await staff.locator('#remittances').screenshot({ path: join(artifacts, 'remittances.png') });
  await staff.getByRole('button', { name: `Reverse remittance ${REF} (id ${second})` }).click();
  await staff.waitForLoadState('load');
  assert.match(asked, new RegExp(REF));
  assert.match(await staff.textContent('.notice'), new RegExp(`Remittance ${second} reversed`));
  assert.match(staff.url(), /\/reconciliation/);
  // the balance is restored: paid, $0.00, on the grid, the contract page and the CLI
  assert.deepEqual(await gridRow(staff), { balance: '$0.00', status: 'paid' });
  const after = fees();
  assert.equal(after.balance, '0.00');
  assert.equal(after.remitted, first.remitted);
  assert.equal(after.status, 'paid');
  const reversed = staff.locator(`#remittances tr[data-remittance="${second}"]`);
  assert.match(await reversed.textContent(), /reversed: keyed twice from the bank statement/);
  assert.equal(await reversed.getByRole('button').count(), 0, 'a reversed one offers no Reverse');
  await staff.goto(`${srv.url}/contracts/${C}`);
  const fq = staff.locator(`table.fees tr[data-quarter="${Q}"] td`);
  assert.equal((await fq.nth(5).textContent()).trim(), '$0.00');
  assert.equal((await fq.nth(7).textContent()).trim(), 'paid');
  assert.deepEqual(staff.errors, []);
  await staff.context().close();
});

test('the API: a duplicate is 409 unless "again", a reversal is for finance and admin only', async () => {
  const tok = {};
  for (const role of ['finance', 'member', 'vendor']) tok[role] = await token(srv.url, demo.users[role]);
  const call = (role, path, body) => fetch(`${srv.url}/api/v1${path}`, { method: 'POST',
    headers: { authorization: `Bearer ${tok[role]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body) });
  const q3 = () => cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', '2026-Q3').quarters[0];
  const before = q3();
  const cheque = { period: '2026-Q3', amount: '10.00', received: '2026-11-20', reference: 'CHK-5001' };
  let res = await call('finance', `/contracts/${C}/remittances`, cheque);
  assert.equal(res.status, 201);
  const id = (await res.json()).remittance;
  res = await call('finance', `/contracts/${C}/remittances`, cheque);
  assert.equal(res.status, 409);
  assert.match((await res.json()).error, new RegExp(`remittance ${id} \\(reference CHK-5001\\) is already recorded.*"again": true`));
  res = await call('finance', `/contracts/${C}/remittances`, { ...cheque, again: true });
  assert.equal(res.status, 201);
  const extra = (await res.json()).remittance;
  // $10.00 twice: 2,000 cents more remitted than before
  assert.equal(Math.round(Number(q3().remitted) * 100), Math.round(Number(before.remitted) * 100) + 2000);

  for (const role of ['member', 'vendor']) {
    res = await call(role, `/remittances/${extra}/reversal`, { reason: 'not mine' });
    assert.equal(res.status, 404, role);
  }
  res = await call('finance', '/remittances/999999/reversal', { reason: 'typo' });
  assert.equal(res.status, 404);
  res = await call('finance', `/remittances/${extra}/reversal`, { reason: '' });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, new RegExp(`reversing remittance ${extra} needs a reason`));
  res = await call('finance', `/remittances/${extra}/reversal`, { reason: 'keyed twice' });
  assert.equal(res.status, 201);
  const body = await res.json();
  assert.equal(body.id, extra);
  assert.equal(body.state, 'reversed');
  assert.equal(body.reason, 'keyed twice');
  assert.equal(body.amount, '10.00');
  assert.equal(body.reference, 'CHK-5001');
  assert.ok(body.reversal_id > extra);
  res = await call('finance', `/remittances/${extra}/reversal`, { reason: 'keyed twice' });
  assert.equal(res.status, 409);
  // one $10.00 counts: 1,000 cents more than before
  assert.equal(Math.round(Number(q3().remitted) * 100), Math.round(Number(before.remitted) * 100) + 1000);
});

test('the reconciliation page\'s Reverse form is staff only', async () => {
  for (const role of ['member', 'vendor']) {
    const page = await signIn(role);
    const res = await page.request.post(`${srv.url}/remittances/1/reverse`, { form: { reason: 'not mine' } });
    assert.equal(res.status(), 404, role);
    await page.context().close();
  }
});
