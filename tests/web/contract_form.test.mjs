// A new contract from the browser and from the API (DOMAIN.md section 4).
// The admin fills in the form with two mistakes, sees each beside its
// field with what was typed, fixes them and lands on the new contract,
// whose terms are what was typed; a terms document file does the same.
// POST /api/v1/contracts answers 201, 400 naming the field, 409 for a
// number taken; nothing is written on an error.  Finance sees no form and
// is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { demoDatabase, startServer, session, token, cli, bin, asOf, launchChromium } from './lib.mjs';

let demo, srv, browser, page;

before(async () => {
  demo = demoDatabase();
  srv = await startServer(demo.db);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${srv.url}/login`);
  await page.getByLabel('E-mail').fill(demo.users.admin.email);
  await page.getByLabel('Password').fill(demo.users.admin.password);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
});
after(async () => { await browser?.close(); await srv?.stop(); });

// The contract as `coopledger contract show --json` gives it, or null when
// there is none.
function shown(number) {
  try {
    return JSON.parse(execFileSync(bin, ['--db', demo.db, '--as-of', asOf, 'contract', 'show', number, '--json'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    assert.match(e.stderr, /no contract has the number/);
    return null;
  }
}

// The terms part of a contract as the CLI and the API give it.
const terms = (c) => Object.fromEntries(Object.entries(c).filter(([k]) =>
  !['lead_agency_name', 'vendor_name', 'live_lines', 'list_total', 'net_sales', 'participants',
    'in_force_on', 'award', 'amendments'].includes(k)));

const audited = () => cli(demo.db, 'verify');

test('the form: two mistakes shown beside their fields, kept as typed; fixed, the contract is created as typed', async () => {
  const N = 'KS-SHELF-2026';
  await page.goto(`${srv.url}/contracts`);
  await page.click('#new-contract');
  assert.match(page.url(), /\/contracts\/new$/);
  await page.fill('#f-number', N);
  await page.fill('#f-title', 'Library Shelving');
  await page.fill('#f-category', 'shelving');
  assert.equal(await page.inputValue('#f-lead_agency'), '', 'no lead agency chosen at first');
  await page.selectOption('#f-lead_agency', 'USD259');
  await page.selectOption('#f-vendor', 'V-SUNFLOWER');
  await page.fill('#f-start', '2026-07-01');
  await page.fill('#f-end', '2026-06-30'); // mistake: before the start
  await page.fill('#f-solicitation', 'RFP 26-0042');
  await page.selectOption('#f-fee_year', 'calendar');
  await page.selectOption('#f-fee_mode', 'graduated');
  await page.fill('#f-fee_rate_0', '2%');
  await page.fill('#f-fee_from_1', '50000');
  await page.fill('#f-fee_rate_1', 'abc'); // mistake: no rate
  // a sixth band, added by the page's script
  await page.click('button:text("Add a fee band")');
  assert.equal(await page.locator('#rows-fee tbody tr').count(), 6);
  await page.fill('#f-fee_from_5', '100000');
  await page.fill('#f-fee_rate_5', '1%');
  await page.fill('#f-disc_from_0', '0');
  await page.fill('#f-disc_rate_0', '60%');
  await page.fill('#f-disc_from_1', '30000.01');
  await page.fill('#f-disc_rate_1', '63%');
  await page.fill('#f-reb_from_0', '500000');
  await page.fill('#f-reb_rate_0', '1%');
  await page.fill('#f-reb_from_1', '1000000');
  await page.fill('#f-reb_rate_1', '2%');
  await page.fill('#f-due_days', '30');
  await page.fill('#f-late_min', '200');
  await page.fill('#f-late_rate', '25%');
  await page.fill('#f-price_tolerance', '0.50');
  await page.click('button:text("Create contract")');
  await page.waitForLoadState('load');

  assert.match(await page.textContent('#form-error'), /Contract not created\. Fix the 2 fields marked below\./);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'form-error');
  assert.match(await page.textContent('#e-end'), /2026-06-30 is before start 2026-07-01/);
  assert.match(await page.textContent('#e-fee_rate_1'), /rate "abc" needs a % sign/);
  for (const id of ['#f-end', '#f-fee_rate_1']) {
    assert.equal(await page.getAttribute(id, 'aria-invalid'), 'true', id);
    assert.equal(await page.getAttribute(id, 'aria-describedby'), id.replace('#f-', 'e-'), id);
  }
  assert.equal(await page.locator('.field-error').count(), 2);
  // what was typed is still there, the added row too
  const kept = { '#f-number': N, '#f-title': 'Library Shelving', '#f-lead_agency': 'USD259',
    '#f-vendor': 'V-SUNFLOWER', '#f-end': '2026-06-30', '#f-fee_year': 'calendar', '#f-fee_rate_1': 'abc',
    '#f-fee_from_5': '100000', '#f-disc_from_1': '30000.01', '#f-reb_rate_1': '2%', '#f-due_days': '30',
    '#f-late_min': '200', '#f-price_tolerance': '0.50' };
  for (const [sel, v] of Object.entries(kept)) assert.equal(await page.inputValue(sel), v, sel);
  assert.equal(shown(N), null, 'nothing written');

  await page.fill('#f-end', '2027-06-30');
  await page.fill('#f-fee_rate_1', '1.5%');
  await page.click('button:text("Create contract")');
  await page.waitForLoadState('load');
  assert.match(page.url(), new RegExp(`/contracts/${N}$`));
  assert.match(await page.textContent('#notice'), new RegExp(`Contract ${N} created\\.`));
  const main = await page.textContent('main');
  assert.match(main, /Library Shelving/);
  assert.match(main, /counted per calendar year, due 30 days after each quarter ends/);
  assert.match(main, /greater of \$200\.00 or 25% of the amount unpaid/);
  const table = async (nth) => (await page.locator('main table').nth(nth).locator('tr').allTextContents()).slice(1);
  assert.deepEqual(await table(0), ['$0.002%', '$50,000.001.5%', '$100,000.001%']);
  assert.deepEqual(await table(1), ['$0.0060%', '$30,000.0163%']);
  assert.deepEqual(await table(2), ['$500,000.001%', '$1,000,000.002%']);

  assert.deepEqual(terms(shown(N)), {
    number: N, title: 'Library Shelving', category: 'shelving', lead_agency: 'USD259', vendor: 'V-SUNFLOWER',
    start: '2026-07-01', end: '2027-06-30', solicitation: 'RFP 26-0042', status: 'active',
    fee: { year: 'calendar', mode: 'graduated', bands: [{ from: '0.00', rate: '2%' },
      { from: '50000.00', rate: '1.5%' }, { from: '100000.00', rate: '1%' }] },
    discounts: { tiers: [{ from: '0.00', rate: '60%' }, { from: '30000.01', rate: '63%' }] },
    rebates: { year: 'contract', mode: 'volume', tiers: [{ from: '500000.00', rate: '1%' },
      { from: '1000000.00', rate: '2%' }] },
    due_days: 30, late_fee: { min: '200.00', rate: '25%' }, price_tolerance: '0.50',
  });
  assert.match(audited(), /the chains are intact/);
  assert.deepEqual(page.errors, []);
});

test('a terms document file: its problems beside the fields it fills in; fixed, it creates the contract', async () => {
  const N = 'KS-DESK-2026';
  const doc = { number: N, title: 'Standing Desks', lead_agency: 'USD259', vendor: 'V-PRAIRIE',
    start: '2026-01-01', end: '2028-12-31', fee: { bands: [{ from: 0, rate: '1%' }] }, due_days: 45 };
  const upload = async (d) => {
    await page.goto(`${srv.url}/contracts/new`);
    await page.setInputFiles('input[name=terms]', { name: 'desks.json', mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(d)) });
    await page.click('button:text("Upload and create")');
    await page.waitForLoadState('load');
  };
  await upload(doc);
  assert.match(await page.textContent('#form-error'), /Contract not created from desks\.json\. Fix the field marked below\./);
  assert.match(await page.textContent('#e-fee_from_0'), /must be a money string such as "30000\.00", not a JSON number/);
  assert.equal(await page.inputValue('#f-number'), N);
  assert.equal(await page.inputValue('#f-fee_rate_0'), '1%');
  assert.equal(shown(N), null, 'nothing written');
  doc.fee.bands[0].from = '0';
  await upload(doc);
  assert.match(page.url(), new RegExp(`/contracts/${N}$`));
  assert.match(await page.textContent('#notice'), new RegExp(`Contract ${N} created`));
  assert.equal(shown(N).title, 'Standing Desks');
});

test('without scripts, "Add more rows" shows five more rows in each table and keeps what was typed', async () => {
  const s = await session(srv.url, demo.users.admin);
  const res = await fetch(`${srv.url}/contracts`, { method: 'POST', redirect: 'manual',
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: s.csrf, action: 'more', number: 'KS-MORE-1', fee_from_0: '0', fee_rate_0: '2%',
      fee_from_1: '', fee_rate_1: '', disc_from_0: '', disc_rate_0: '' }).toString() });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.equal((html.match(/name="fee_from_\d+"/g) || []).length, 7);
  assert.equal((html.match(/name="disc_rate_\d+"/g) || []).length, 6);
  assert.match(html, /name="fee_rate_0" value="2%"/);
  assert.match(html, /name="number" type="text" value="KS-MORE-1"/);
  assert.doesNotMatch(html, /role="alert"/);
  assert.equal(shown('KS-MORE-1'), null);
});

test('POST /api/v1/contracts: 400 naming the field, 201 with the contract, 409 for a number taken', async () => {
  const admin = await token(srv.url, demo.users.admin);
  const post = (body, tok = admin) => fetch(`${srv.url}/api/v1/contracts`, { method: 'POST',
    headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body) });
  const list = async () => (await (await fetch(`${srv.url}/api/v1/contracts`,
    { headers: { authorization: `Bearer ${admin}` } })).json()).map((c) => c.number).sort();
  const before = await list();
  const doc = { number: 'KS-API-2026', title: 'Lab Furniture', category: 'furniture', lead_agency: 'USD259',
    vendor: 'V-PRAIRIE', start: '2026-07-01', end: '2029-06-30', solicitation: 'RFP 26-0101',
    fee: { year: 'contract', mode: 'volume', bands: [{ from: '0', rate: '1%' }, { from: 30000000, rate: '0.5%' }] },
    price_tolerance: '0' };
  let res = await post(doc);
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /^fee\.bands\[1\]\.from: must be a money string such as "30000\.00", not a JSON number$/);
  const fee = { bands: [{ from: '0', rate: '1%' }] };
  for (const [bad, why] of [[{ ...doc, fee, lead_agency: 'NO-SUCH' }, /^lead_agency: unknown agency "NO-SUCH"/],
    [{ ...doc, fee, end: '2020-01-01' }, /^end: 2020-01-01 is before start/],
    ['{"number": ', /^terms: not valid JSON/]]) {
    res = await post(bad);
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, why);
  }
  assert.deepEqual(await list(), before, 'nothing written');
  assert.equal(shown(doc.number), null);

  doc.fee.bands[1].from = '30000000';
  res = await post(doc);
  assert.equal(res.status, 201);
  const made = await res.json();
  const got = await (await fetch(`${srv.url}/api/v1/contracts/${doc.number}`,
    { headers: { authorization: `Bearer ${admin}` } })).json();
  assert.deepEqual(made, got);
  assert.deepEqual(made, shown(doc.number));
  assert.equal(made.fee.bands[1].from, '30000000.00');
  assert.equal(made.due_days, 45);
  assert.equal(made.participants, 1);

  res = await post(doc);
  assert.equal(res.status, 409);
  assert.match((await res.json()).error, /contract KS-API-2026 already exists/);
  assert.deepEqual(await list(), [...before, doc.number].sort());
});

test('finance, members and vendors see no form; their posts are refused and write nothing', async () => {
  const doc = JSON.stringify({ number: 'KS-NOT-1', title: 'X', lead_agency: 'USD259', vendor: 'V-PRAIRIE',
    start: '2026-01-01', end: '2026-12-31', fee: { bands: [{ from: '0', rate: '1%' }] } });
  for (const role of ['finance', 'member', 'vendor']) {
    const s = await session(srv.url, demo.users[role]);
    const get = (p) => fetch(srv.url + p, { headers: { cookie: s.cookie }, redirect: 'manual' });
    assert.doesNotMatch(await (await get('/contracts')).text(), /href="\/contracts\/new"/, role);
    assert.equal((await get('/contracts/new')).status, 404, role);
    const form = await fetch(`${srv.url}/contracts`, { method: 'POST', redirect: 'manual',
      headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: s.csrf, number: 'KS-NOT-1', title: 'X', lead_agency: 'USD259',
        vendor: 'V-PRAIRIE', start: '2026-01-01', end: '2026-12-31', fee_from_0: '0', fee_rate_0: '1%' }).toString() });
    assert.equal(form.status, 404, `${role} form`);
    const api = await fetch(`${srv.url}/api/v1/contracts`, { method: 'POST', body: doc,
      headers: { authorization: `Bearer ${await token(srv.url, demo.users[role])}`, 'content-type': 'application/json' } });
    assert.equal(api.status, 404, `${role} API`);
  }
  assert.equal(shown('KS-NOT-1'), null);
});
