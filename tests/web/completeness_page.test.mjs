// The Completeness page of a contract (staff), its CSV, and what members
// and vendors get, on a small database of its own, served as of
// 2026-11-25 (lib.mjs's date).
//
// KS-CPL-2025 runs 2025-07-01 to 2027-06-30, due_days 45, one fee band: 2%
// from $0, so every fee at risk is 2% of its gap.  Participants: USD259
// (the lead agency), USD233 and USD497.  Sales reports, one a quarter
// (invoice dates):
//   2025-Q3 USD233 P-A1 2025-08-05 1000.00   USD497 P-B1 2025-08-10 500.00
//   2025-Q4 USD233 P-A2 2025-11-05 1000.00   USD497 P-B2 2025-11-10 500.00
//   2026-Q1 USD233 P-A3 2026-02-05 1000.00   USD497 P-B3 2026-02-10 500.00
//   2026-Q2 USD233 P-A4 2026-05-05 1000.00   USD497 P-B4 2026-05-10 500.00
//   2026-Q3 USD233 P-A5 2026-08-05 1000.00   (USD497 nothing)
// Registers (PO dates):
//   USD233 P-A1 2025-08-01 1000.00  reported 1000.00 -> reported
//          P-A2 2025-11-01 1200.00  reported 1000.00; tolerance max(1.00,
//               round(1200.00 x 0.5%) = 6.00) = 6.00; 0 < 1000.00 < 1194.00
//               -> under_reported, gap 200.00, fee at risk 2% = 4.00
//          P-A9 2026-04-15  300.00  nothing reported; pending until the due
//               date of 2026-Q3 (2026-09-30 + 45 = 2026-11-14), passed ->
//               unreported, gap 300.00, fee at risk 6.00
//          P-A6 2026-08-20  400.00  pending until the due date of 2026-Q4,
//               2027-02-14
//   USD497 P-B1 2025-08-01  500.00  reported;  P-B4 2026-05-01 500.00 reported
// Quarters 2025-Q3 to 2026-Q4 (today's):
//   2025-Q3 2 POs 1500.00 (reported 2), reported amount 1000.00 + 500.00 = 1500.00
//   2025-Q4 1 PO  1200.00 (under 1), reported 1000.00, gap 200.00, fee 4.00
//   2026-Q1 none
//   2026-Q2 2 POs  800.00 (reported 1, unreported 1), reported 0 + 500.00 =
//           500.00, gap 300.00, fee 6.00
//   2026-Q3 1 PO   400.00 (pending 1), reported 0.00
//   2026-Q4 none
// Chart scale: the largest bar is 1500.00; steps of 250.00 reach only
// 1000.00 in four, 500.00 reach 2000.00 -> axis $0, $500, $1,000,
// $1,500, $2,000.
// Signals: 2026-Q3 is the one quarter due (2026-11-14) with four quarters
// before it inside the term.  USD497 has one line in each of 2025-Q3 to
// 2026-Q2 and none in 2026-Q3 -> member_silent; USD233 has lines in 2026-Q3.
// volume_drop: 8 x 1000.00 = 8000.00 is not below 4 x 1500.00 = 6000.00 ->
// none.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, token, cli, bin, launchChromium } from './lib.mjs';

const C = 'KS-CPL-2025';
const EMPTY = 'KS-CPL-EMPTY';
const MANY = 'KS-CPL-MANY';
const users = {
  finance: { email: 'finance@cpl.example', password: 'finance-pass-1', args: ['--role', 'finance'] },
  member233: { email: 'buyer@usd233.example', password: 'member-pass-233', args: ['--role', 'member', '--agency', 'USD233'] },
  member497: { email: 'buyer@usd497.example', password: 'member-pass-497', args: ['--role', 'member', '--agency', 'USD497'] },
  vendor: { email: 'ar@cpl-vendor.example', password: 'vendor-pass-123', args: ['--role', 'vendor', '--vendor', 'V-CPL'] },
};
let dir, db, srv, browser;
const tok = {};

const terms = (number) => JSON.stringify({
  number, title: 'Classroom furniture (completeness page)', category: 'furniture', lead_agency: 'USD259',
  vendor: 'V-CPL', start: '2025-07-01', end: '2027-06-30', solicitation: 'RFP 25-0777',
  fee: { year: 'contract', mode: 'graduated', bands: [{ from: '0', rate: '2%' }] }, due_days: 45,
});
const sales = {
  '2025-Q3': [['USD233', 'P-A1', 'INV-1', '2025-08-05', '1000.00'], ['USD497', 'P-B1', 'INV-2', '2025-08-10', '500.00']],
  '2025-Q4': [['USD233', 'P-A2', 'INV-3', '2025-11-05', '1000.00'], ['USD497', 'P-B2', 'INV-4', '2025-11-10', '500.00']],
  '2026-Q1': [['USD233', 'P-A3', 'INV-5', '2026-02-05', '1000.00'], ['USD497', 'P-B3', 'INV-6', '2026-02-10', '500.00']],
  '2026-Q2': [['USD233', 'P-A4', 'INV-7', '2026-05-05', '1000.00'], ['USD497', 'P-B4', 'INV-8', '2026-05-10', '500.00']],
  '2026-Q3': [['USD233', 'P-A5', 'INV-9', '2026-08-05', '1000.00']],
};

function file(name, text) {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'coopledger-cplpage-'));
  db = join(dir, 'c.db');
  cli(db, 'init');
  cli(db, 'agency', 'import', file('agencies.csv', 'code,name,kind,state\n' +
    'USD259,Wichita USD 259,school_district,KS\nUSD233,Olathe USD 233,school_district,KS\n' +
    'USD497,Lawrence USD 497,school_district,KS\n'));
  cli(db, 'vendor', 'add', '--code', 'V-CPL', '--name', 'Prairie Classroom Co');
  cli(db, 'contract', 'import', file('terms.json', terms(C)));
  cli(db, 'contract', 'import', file('empty.json', terms(EMPTY)));
  cli(db, 'contract', 'import', file('many.json', terms(MANY)));
  // 52 POs of USD259 (its lead agency) on KS-CPL-MANY, none reported:
  // P-001 to P-052, 2025-07-01 to 2025-08-21, 10.00 each
  cli(db, 'register', 'import', '--contract', MANY, '--agency', 'USD259', file('many.csv', 'po_number,po_date,amount\n' +
    Array.from({ length: 52 }, (_, i) => `P-${String(i + 1).padStart(3, '0')},` +
      new Date(Date.UTC(2025, 6, 1 + i)).toISOString().slice(0, 10) + ',10.00\n').join('')));
  cli(db, 'participant', 'import', '--contract', C, file('participants.csv', 'agency_code,joined\nUSD233,2025-07-01\nUSD497,2025-07-01\n'));
  for (const [q, rows] of Object.entries(sales))
    cli(db, 'import', '--contract', C, '--period', q, file(`sales-${q}.csv`,
      'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n' +
      rows.map(([a, p, i, d, m]) => `${a},${p},${i},${d},${m},${m}\n`).join('')));
  cli(db, 'register', 'import', '--contract', C, file('registers.csv', 'agency_code,po_number,po_date,amount\n' +
    'USD233,P-A1,2025-08-01,1000.00\nUSD233,P-A2,2025-11-01,1200.00\nUSD233,P-A9,2026-04-15,300.00\n' +
    'USD233,P-A6,2026-08-20,400.00\nUSD497,P-B1,2025-08-01,500.00\nUSD497,P-B4,2026-05-01,500.00\n'));
  for (const u of Object.values(users))
    execFileSync(bin, ['--db', db, 'user', 'add', '--email', u.email, ...u.args],
      { env: { ...process.env, COOPLEDGER_PASSWORD: u.password } });
  srv = await startServer(db);
  for (const [k, u] of Object.entries(users)) tok[k] = await token(srv.url, u);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function signedIn(who, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  await page.goto(`${srv.url}/login`);
  await page.fill('input[name=email]', users[who].email);
  await page.fill('input[name=password]', users[who].password);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
  return page;
}

// The cells of a table's rows, as text, header row left out.
const cells = (page, sel) => page.$$eval(`${sel} tr`, (trs) => trs.slice(1).map((tr) =>
  [...tr.children].map((c) => c.textContent.replace(/\s+/g, ' ').trim())));

test('finance reaches the page from the contract and reads the quarters', async () => {
  const page = await signedIn('finance');
  await page.goto(`${srv.url}/contracts/${C}`);
  await page.click('#completeness-link');
  assert.equal(new URL(page.url()).pathname, `/contracts/${C}/completeness`);
  assert.equal(await page.textContent('h1'), `Completeness of ${C}`);
  // the quarter cell's link carries words for screen readers
  const rows = (await cells(page, '#completeness-quarters')).map(([q, ...rest]) => [q.slice(0, 7), ...rest]);
  assert.deepEqual(rows, [
    ['2025-Q3', '2', '$1,500.00', '2', '0', '0', '0', '0', '$0.00', '$0.00'],
    ['2025-Q4', '1', '$1,200.00', '0', '1', '0', '0', '0', '$200.00', '$4.00'],
    ['2026-Q1', '0', '$0.00', '0', '0', '0', '0', '0', '$0.00', '$0.00'],
    ['2026-Q2', '2', '$800.00', '1', '0', '0', '1', '0', '$300.00', '$6.00'],
    ['2026-Q3', '1', '$400.00', '0', '0', '0', '0', '1', '$0.00', '$0.00'],
    ['2026-Q4', '0', '$0.00', '0', '0', '0', '0', '0', '$0.00', '$0.00'],
  ]);
  assert.match(await page.textContent('#completeness-quarters tr:first-child'), /Fee at risk \(estimate\)/);
  assert.match(await page.textContent('#estimate-note'), /the fee at risk is an estimate.*never booked/s);
  await page.context().close();
});

test('the POs to chase: not reported and under-reported by default, then filtered', async () => {
  const page = await signedIn('finance');
  await page.goto(`${srv.url}/contracts/${C}/completeness`);
  assert.deepEqual(await cells(page, '#completeness-pos'), [
    ['Olathe USD 233 (USD233)', 'P-A2', '2025-11-01', '$1,200.00', '$1,000.00', 'under-reported', '$200.00', '$4.00'],
    ['Olathe USD 233 (USD233)', 'P-A9', '2026-04-15', '$300.00', '$0.00', 'not reported', '$300.00', '$6.00'],
  ]);
  assert.equal(await page.textContent('#po-count'), '2 POs match.');
  // one quarter, from the form
  await page.selectOption('#po-filter select[name=period]', '2026-Q2');
  await page.click('#po-filter button[type=submit]');
  await page.waitForLoadState('load');
  assert.equal(new URL(page.url()).search, '?period=2026-Q2&status=all');
  assert.deepEqual((await cells(page, '#completeness-pos')).map((r) => r[1]), ['P-A9']);
  // another status: the pending PO of 2026-Q3 over every quarter
  await page.selectOption('#po-filter select[name=period]', '');
  await page.selectOption('#po-filter select[name=status]', 'pending');
  await page.click('#po-filter button[type=submit]');
  await page.waitForLoadState('load');
  assert.deepEqual(await cells(page, '#completeness-pos'), [
    ['Olathe USD 233 (USD233)', 'P-A6', '2026-08-20', '$400.00', '$0.00', 'pending', '$0.00', '$0.00'],
  ]);
  assert.equal(await page.getAttribute('#po-filter select[name=status] option[selected]', 'value'), 'pending');
  // reported POs of 2025-Q3: P-A1 and P-B1, by PO date then agency
  await page.goto(`${srv.url}/contracts/${C}/completeness?period=2025-Q3&status=reported`);
  assert.deepEqual((await cells(page, '#completeness-pos')).map((r) => r[0] + ' ' + r[1]),
    ['Olathe USD 233 (USD233) P-A1', 'Lawrence USD 497 (USD497) P-B1']);
  await page.goto(`${srv.url}/contracts/${C}/completeness?period=2026-Q1`);
  assert.equal(await page.textContent('#no-match'), 'No PO of the registers matches these filters.');
  await page.context().close();
});

test('the CSV (and its Excel twin) honour the filters', async () => {
  const get = (q) => fetch(`${srv.url}/contracts/${C}/completeness.csv${q}`, { headers: { authorization: `Bearer ${tok.finance}` } });
  const header = 'agency,agency_name,po_number,po_date,register_amount,reported_amount,status,gap,fee_at_risk';
  let res = await get('');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition'), /KS-CPL-2025-completeness\.csv/);
  assert.deepEqual((await res.text()).trim().split(/\r?\n/), [header,
    'USD233,Olathe USD 233,P-A2,2025-11-01,1200.00,1000.00,under_reported,200.00,4.00',
    'USD233,Olathe USD 233,P-A9,2026-04-15,300.00,0.00,unreported,300.00,6.00']);
  res = await get('?period=2025-Q4&status=all');
  assert.deepEqual((await res.text()).trim().split(/\r?\n/), [header,
    'USD233,Olathe USD 233,P-A2,2025-11-01,1200.00,1000.00,under_reported,200.00,4.00']);
  res = await get('?period=2026-Q2&status=reported');
  assert.deepEqual((await res.text()).trim().split(/\r?\n/), [header,
    'USD497,Lawrence USD 497,P-B4,2026-05-01,500.00,500.00,reported,0.00,0.00']);
  res = await get('?status=late');
  assert.equal(res.status, 400);
  assert.match(await res.text(), /The status filter is not right: &quot;late&quot;/);
  res = await fetch(`${srv.url}/contracts/${C}/completeness.xlsx?period=2025-Q4`, { headers: { authorization: `Bearer ${tok.finance}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /spreadsheetml/);
  const page = await signedIn('finance');
  await page.goto(`${srv.url}/contracts/${C}/completeness?period=2025-Q4&status=all`);
  assert.equal(await page.getAttribute('a[href*="completeness.csv"]', 'href'),
    `/contracts/${C}/completeness.csv?period=2025-Q4&status=all`);
  assert.equal(await page.getAttribute('a[href*="completeness.xlsx"]', 'href'),
    `/contracts/${C}/completeness.xlsx?period=2025-Q4&status=all`);
  await page.context().close();
});

test('the chart draws two bars a quarter, with a legend, a round-step axis and its figures as a table', async () => {
  const page = await signedIn('finance');
  await page.goto(`${srv.url}/contracts/${C}/completeness`);
  assert.equal(await page.locator('svg.chart .bars rect').count(), 12);
  assert.equal(await page.locator('svg.chart .bars rect.second').count(), 6);
  assert.deepEqual(await page.$$eval('svg.chart .y-axis text', (ts) => ts.map((t) => t.textContent)),
    ['$0', '$500', '$1,000', '$1,500', '$2,000']);
  assert.match(await page.textContent('figure.chart .legend'), /Register amount.*Reported amount/s);
  assert.deepEqual(await cells(page, '#chart-figures'), [
    ['2025-Q3', '$1,500.00', '$1,500.00'], ['2025-Q4', '$1,200.00', '$1,000.00'], ['2026-Q1', '$0.00', '$0.00'],
    ['2026-Q2', '$800.00', '$500.00'], ['2026-Q3', '$400.00', '$0.00'], ['2026-Q4', '$0.00', '$0.00']]);
  // the 2025-Q4 register bar: $1,200 of a $2,000 top is 160 x 1200 / 2000 =
  // 96 units high; the reported bar beside it 80
  assert.equal(await page.getAttribute('svg.chart .bars rect:nth-child(3)', 'height'), '96');
  assert.equal(await page.getAttribute('svg.chart .bars rect:nth-child(4)', 'height'), '80');
  await page.context().close();
});

test('signals in words, and the form that asks the vendor about a quarter', async () => {
  const page = await signedIn('finance');
  await page.goto(`${srv.url}/contracts/${C}/completeness`);
  const signals = await page.$$eval('#signals li', (lis) => lis.map((li) => li.textContent.replace(/\s+/g, ' ').trim()));
  assert.deepEqual(signals, ['Lawrence USD 497 (USD497) bought in each of the four quarters before 2026-Q3 and ' +
    'nothing is reported for 2026-Q3. USD497 bought in each of the four quarters before 2026-Q3 (2025-Q3: 1 line, ' +
    '2025-Q4: 1 line, 2026-Q1: 1 line, 2026-Q2: 1 line) and nothing is reported for 2026-Q3 on contract KS-CPL-2025.']);
  // the inquiry form: the quarter (by default the last with a gap, 2026-Q2) and the session's token
  const form = page.locator('form#inquiry');
  assert.equal(await form.getAttribute('method'), 'post');
  assert.equal(await form.getAttribute('action'), `/contracts/${C}/inquiries`);
  assert.equal(await form.locator('select[name=period]').inputValue(), '2026-Q2');
  assert.ok((await form.locator('input[name=csrf]').inputValue()).length > 10);
  assert.equal(await form.locator('button[type=submit]').textContent(), 'Ask the vendor about this quarter');
  // a filtered quarter is the one asked about
  await page.goto(`${srv.url}/contracts/${C}/completeness?period=2025-Q4&status=all`);
  assert.equal(await page.locator('form#inquiry select[name=period]').inputValue(), '2025-Q4');
  await page.context().close();
});

test('without JavaScript the filter form still works', async () => {
  const page = await signedIn('finance', { javaScriptEnabled: false });
  await page.goto(`${srv.url}/contracts/${C}/completeness`);
  await page.selectOption('#po-filter select[name=period]', '2025-Q4');
  await page.click('#po-filter button[type=submit]');
  await page.waitForLoadState('load');
  assert.deepEqual((await cells(page, '#completeness-pos')).map((r) => r[1]), ['P-A2']);
  await page.context().close();
});

test('with the keyboard alone: a quarter chosen and the list shown', async () => {
  const page = await signedIn('finance');
  await page.goto(`${srv.url}/contracts/${C}/completeness`);
  await page.focus('#po-filter select[name=period]');
  // All quarters, 2025-Q3, 2025-Q4: two steps down
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Show the POs');
  await page.keyboard.press('Enter');
  await page.waitForURL(/period=2025-Q4/);
  assert.deepEqual((await cells(page, '#completeness-pos')).map((r) => r[1]), ['P-A2']);
  await page.context().close();
});

test('a contract without registers says how members send them', async () => {
  const page = await signedIn('finance');
  await page.goto(`${srv.url}/contracts/${EMPTY}/completeness`);
  assert.match(await page.textContent('#no-registers'),
    /No purchase register has come in for KS-CPL-EMPTY yet\. Members send theirs as a CSV or Excel export/);
  assert.equal(await page.locator('svg.chart').count(), 0);
  assert.equal(await page.locator('#completeness-pos').count(), 0);
  assert.equal(await page.locator('form#inquiry').count(), 0);
  assert.equal(await page.getAttribute('#no-registers a', 'href'), `/contracts/${EMPTY}/registers`);
  await page.context().close();
});

test('the list is paged, 50 POs a page, and the pages keep the filters', async () => {
  const page = await signedIn('finance');
  await page.goto(`${srv.url}/contracts/${MANY}/completeness?period=2025-Q3&status=unreported`);
  assert.equal(await page.textContent('#po-count'), '52 POs match.');
  let pos = (await cells(page, '#completeness-pos')).map((r) => r[1]);
  assert.equal(pos.length, 50);
  assert.deepEqual([pos[0], pos[49]], ['P-001', 'P-050']);
  await page.click('nav.paging a[rel=next]');
  await page.waitForLoadState('load');
  assert.equal(new URL(page.url()).search, '?period=2025-Q3&status=unreported&page=2');
  pos = (await cells(page, '#completeness-pos')).map((r) => r[1]);
  assert.deepEqual(pos, ['P-051', 'P-052']);
  // 2 x 10.00 x 2% = 0.40 of fee at risk on this page's last two
  assert.deepEqual((await cells(page, '#completeness-pos')).map((r) => r[7]), ['$0.20', '$0.20']);
  await page.context().close();
});

test('bad filters are a 400 naming them', async () => {
  const page = await signedIn('finance');
  let res = await page.goto(`${srv.url}/contracts/${C}/completeness?period=2026-Q5`);
  assert.equal(res.status(), 400);
  assert.match(await page.textContent('main'), /The quarter filter is not right: quarter "2026-Q5" does not exist/);
  res = await page.goto(`${srv.url}/contracts/${C}/completeness?period=2029-Q1`);
  assert.equal(res.status(), 400);
  assert.match(await page.textContent('main'), /2029-Q1 is not a quarter of the audit of KS-CPL-2025, which runs from 2025-Q3 to 2026-Q4/);
  await page.context().close();
});

test('vendors and members get 404 for the page; a member\'s API answer is its own agency\'s', async () => {
  for (const who of ['vendor', 'member233']) {
    const page = await signedIn(who);
    const res = await page.goto(`${srv.url}/contracts/${C}/completeness`);
    assert.equal(res.status(), 404, who);
    assert.equal((await page.request.get(`${srv.url}/contracts/${C}/completeness.csv`)).status(), 404, who);
    await page.context().close();
  }
  const api = (who) => fetch(`${srv.url}/api/v1/contracts/${C}/completeness`, { headers: { authorization: `Bearer ${tok[who]}` } });
  assert.equal((await api('vendor')).status, 404);
  // USD497: its two POs, both reported; quarters over them alone; its own
  // member_silent signal
  const zero = (quarter) => ({ quarter, register_pos: 0, register_amount: '0.00', reported: 0, under_reported: 0,
    over_reported: 0, unreported: 0, pending: 0, gap: '0.00', fee_at_risk: '0.00' });
  const one = (quarter) => ({ ...zero(quarter), register_pos: 1, register_amount: '500.00', reported: 1 });
  const b = await (await api('member497')).json();
  assert.deepEqual(b.quarters, [one('2025-Q3'), zero('2025-Q4'), zero('2026-Q1'), one('2026-Q2'), zero('2026-Q3'), zero('2026-Q4')]);
  assert.deepEqual(b.pos.map((p) => [p.agency, p.po_number, p.status, p.reported_amount]),
    [['USD497', 'P-B1', 'reported', '500.00'], ['USD497', 'P-B4', 'reported', '500.00']]);
  assert.deepEqual(b.signals.map((s) => [s.kind, s.quarter, s.agency]), [['member_silent', '2026-Q3', 'USD497']]);
  // USD233: its four POs; 2025-Q3 counts P-A1 alone (1000.00); no USD497 signal
  const a = await (await api('member233')).json();
  assert.deepEqual(a.quarters[0], { ...one('2025-Q3'), register_amount: '1000.00' });
  assert.deepEqual(a.quarters[3], { ...zero('2026-Q2'), register_pos: 1, register_amount: '300.00', unreported: 1,
    gap: '300.00', fee_at_risk: '6.00' });
  assert.deepEqual(a.pos.map((p) => p.po_number), ['P-A1', 'P-A2', 'P-A9', 'P-A6']);
  assert.deepEqual(a.signals, []);
  assert.ok(!JSON.stringify(a).includes('USD497') && !JSON.stringify(b).includes('USD233'));
});
