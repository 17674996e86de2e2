// Contract amendments (DOMAIN.md 4.6) through the API and in a real
// browser: an admin amends the fee from 2026-11-01; the quarter that ended
// before keeps its fee, a sale after it pays the new rate, and the command
// line reports the same figures.  Refusals name the field or rule and
// write nothing; only admins amend.  The contract page shows the history
// and the terms on any date; the amend form starts from the terms in
// force, keeps what was typed on an error and records only what changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { demoDatabase, startServer, cliJson, token, launchChromium } from './lib.mjs';

const C = 'KS-FURN-2025';
let demo, srv, browser;
const tok = {};

before(async () => {
  demo = demoDatabase();
  srv = await startServer(demo.db);
  for (const role of ['admin', 'finance', 'member', 'vendor']) tok[role] = await token(srv.url, demo.users[role]);
  browser = await launchChromium();
});
after(async () => { await browser?.close(); await srv?.stop(); });

const api = (role, path, body, type = 'application/json') => fetch(`${srv.url}/api/v1${path}`, {
  method: body === undefined ? 'GET' : 'POST',
  headers: { authorization: `Bearer ${tok[role]}`, 'content-type': type },
  body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
const sql = (q) => execFileSync('sqlite3', [demo.db, q], { encoding: 'utf8' }).trim();
const quarter = async (q) => (await (await api('admin', `/contracts/${C}/fees?period=${q}`)).json()).quarters[0];
const rate3 = { fee: { mode: 'graduated', bands: [{ from: '0', rate: '3%' }, { from: '30000000', rate: '1.5%' }] } };

test('the API amends the fee; an ended quarter keeps its fee, a later sale pays the new rate', async () => {
  const q3 = await quarter('2026-Q3');
  const rows = sql('SELECT count(*) FROM contract_amendment');
  for (const role of ['finance', 'member', 'vendor']) {
    const res = await api(role, `/contracts/${C}/amendments`, { effective: '2026-11-01', reference: 'x', changes: rate3 });
    assert.equal(res.status, 404, role);
  }
  const refusals = [
    [{ effective: '2026-11-01', reference: 'Calendar', changes: { fee: { year: 'calendar', bands: [{ from: '0', rate: '2%' }] } } },
      400, 'fee.year: a fee schedule\'s year cannot change'],
    [{ effective: '2025-11-15', reference: 'Backdated', changes: rate3 }, 409, 'falls in quarter 2025-Q4, which is closed'],
    [{ effective: '2026-11-01', reference: 'Typo', changes: { fees: {} } }, 400, 'unknown field "fees"'],
    [{ effective: '2026-11-01', reference: 'Number', changes: { price_tolerance: 5 } }, 400, 'price_tolerance: must be a money string'],
    [{ effective: '2026-11-01', reference: 'Renewal', changes: { renew: true } }, 409, 'no renewal option is left'],
    [{ effective: '2026-11-01', changes: rate3 }, 400, 'give "effective"'],
  ];
  for (const [body, status, words] of refusals) {
    const res = await api('admin', `/contracts/${C}/amendments`, body);
    assert.equal(res.status, status, JSON.stringify(body));
    assert.ok((await res.json()).error.includes(words), words);
  }
  assert.equal(sql('SELECT count(*) FROM contract_amendment'), rows, 'nothing written');

  const res = await api('admin', `/contracts/${C}/amendments`,
    { effective: '2026-11-01', reference: 'Amendment 1, board approval 2026-10-20', changes: rate3 });
  assert.equal(res.status, 201);
  const shown = await res.json();
  assert.equal(shown.in_force_on, '2026-11-25');
  assert.equal(shown.fee.bands[0].rate, '3%');
  assert.equal(shown.award.fee.bands[0].rate, '2%');
  assert.deepEqual(shown.amendments.map((a) => [a.seq, a.effective, a.reference]),
    [[1, '2026-11-01', 'Amendment 1, board approval 2026-10-20']]);

  // a sale of 2026-11-10, inside the first band either way: 400.00 x 3% = 12.00
  const csv = 'agency_code,po_number,invoice_number,line,invoice_date,list_amount,invoiced_amount\n' +
    'USD259,PO-AM1,INV-AM1,1,2026-11-10,1000.00,400.00\n';
  const imp = await api('admin', `/contracts/${C}/imports?period=2026-Q4`, csv, 'text/csv');
  assert.equal(imp.status, 201, await imp.text());
  assert.deepEqual(await quarter('2026-Q3'), q3, 'the quarter that ended before the amendment keeps its figures');
  const q4 = await quarter('2026-Q4');
  assert.equal(q4.net_sales, '400.00');
  assert.equal(q4.fee, '12.00');
  const cli = cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', '2026-Q4').quarters[0];
  assert.deepEqual(cli, q4, 'the command line reports the same quarter');
  assert.match(execFileSync(process.env.COOPLEDGER_BIN || `${process.cwd()}/../../build/rel/coopledger`,
    ['--db', demo.db, 'verify'], { encoding: 'utf8' }), /1 amendment rows/);
  assert.equal(sql("SELECT count(*) FROM audit_log WHERE action = 'contract.amend'"), '1');
  assert.throws(() => sql("UPDATE contract_amendment SET reference = 'rewritten'"), /append-only/);
  assert.throws(() => sql('DELETE FROM contract_amendment'), /append-only/);
});

// A signed-in page of role.
async function signIn(role) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${srv.url}/login`);
  await page.getByLabel('E-mail').fill(demo.users[role].email);
  await page.getByLabel('Password').fill(demo.users[role].password);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
  return page;
}

test('an admin amends from the form: a mistake kept and named, then only the change recorded', async () => {
  const page = await signIn('admin');
  await page.goto(`${srv.url}/contracts/${C}`);
  assert.match(await page.locator('#amendments').textContent(), /Amendment 1, Amendment 1, board approval 2026-10-20: fee graduated: 3% from \$0\.00, 1\.5% from \$30,000,000\.00/);
  await page.click('#amend-link');
  assert.equal(await page.inputValue('input[name=fee_rate_0]'), '3%', 'the form starts from the terms in force');
  await page.fill('input[name=effective]', '2026-12-01');
  await page.fill('input[name=reference]', 'Amendment 2, longer to pay');
  await page.fill('input[name=due_days]', '60');
  await page.fill('input[name=late_rate]', 'ten percent');
  await page.click('#amend-form button[type=submit]');
  await page.waitForLoadState('load');
  assert.match(await page.locator('#form-error').textContent(), /Amendment not recorded: late_fee\.rate/);
  assert.equal(await page.getAttribute('input[name=late_rate]', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('input[name=late_rate]'), 'ten percent', 'what was typed is kept');
  assert.equal(await page.inputValue('input[name=due_days]'), '60');
  assert.equal(sql('SELECT count(*) FROM contract_amendment'), '1', 'nothing written');
  await page.fill('input[name=late_rate]', '25%');
  await page.click('#amend-form button[type=submit]');
  await page.waitForLoadState('load');
  assert.match(await page.locator('[role=status]').first().textContent(), /Amendment 2 of KS-FURN-2025 recorded, effective 2026-12-01/);
  assert.equal(JSON.parse(sql('SELECT changes FROM contract_amendment WHERE seq = 2')).due_days, 60);
  assert.deepEqual(Object.keys(JSON.parse(sql('SELECT changes FROM contract_amendment WHERE seq = 2'))), ['due_days'],
    'only what was edited is recorded');
  assert.match(await page.locator('#amendments').textContent(), /Amendment 2, Amendment 2, longer to pay: fee due 60 days after the quarter/);

  await page.goto(`${srv.url}/contracts/${C}?on=2026-10-31`);
  assert.match(await page.locator('#terms-title').textContent(), /Terms in force on 2026-10-31/);
  assert.match(await page.locator('main').textContent(), /due 45 days after each quarter ends/);
  await page.goto(`${srv.url}/contracts/${C}?on=2026-12-02`);
  assert.match(await page.locator('main').textContent(), /due 60 days after each quarter ends/);
  await page.context().close();
});

test('finance reads the history but cannot amend', async () => {
  const page = await signIn('finance');
  await page.goto(`${srv.url}/contracts/${C}`);
  assert.equal(await page.locator('#amendments li').count(), 3);
  assert.equal(await page.locator('#amend-link, #terminate-form').count(), 0);
  const res = await page.goto(`${srv.url}/contracts/${C}/amend`);
  assert.equal(res.status(), 404);
  await page.context().close();
});
