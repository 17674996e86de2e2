// Vendors from the browser: an admin adds a vendor and its contact, maps
// the odd headers of the vendor's own sales report from a sample file,
// sees the sample checked, then imports the file through the imports page.
// Finance reads the vendors but changes nothing; the API does the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoDatabase, startServer, session, token, cli, cliJson, launchChromium } from './lib.mjs';

const V = 'V-TEST';
const K = 'TEST-VEND-2026';
const SAMPLE = 'Cust No,Cust Name,PO,Inv #,Inv Dt,Ext List,Net Amt,Sales Rep\n' +
  'USD259,Wichita,PO-T1,INV-T1,10/05/2026,1000.00,400.00,Jo\n' +
  'USD259,Wichita,PO-T2,INV-T2,10/06/2026,500.00,200.00,Jo\n' +
  'USD259,Wichita,PO-T3,INV-T3,10/07/2026,250.00,100.00,Al\n';
const MAPPING = {
  'Cust No': 'agency_code', 'Cust Name': 'agency_name', PO: 'po_number', 'Inv #': 'invoice_number',
  'Inv Dt': 'invoice_date', 'Ext List': 'list_amount', 'Net Amt': 'invoiced_amount', 'Sales Rep': 'ignore',
};

let demo, srv, browser, sampleFile;

before(async () => {
  demo = demoDatabase();
  sampleFile = join(demo.dir, 'vendor-report.csv');
  writeFileSync(sampleFile, SAMPLE);
  srv = await startServer(demo.db);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// The <select> of the sample's header h.
const menuOf = (page, h) => page.locator('#sample-columns tr', { has: page.locator(`td:text-is("${h}")`) }).locator('select');

test('admin: a vendor and its contact, its columns mapped from a sample, the report imported', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${srv.url}/login`);
  await page.fill('input[name=email]', demo.users.admin.email);
  await page.fill('input[name=password]', demo.users.admin.password);
  await page.click('button[type=submit]');
  await page.click('nav >> text=Vendors');

  // a bad e-mail is refused at its field, the typed values kept
  await page.fill('#add-vendor input[name=code]', V);
  await page.fill('#add-vendor input[name=name]', 'Test Furniture Co');
  await page.fill('#add-vendor input[name=email]', 'reports@@test.example');
  await page.$eval('#add-vendor', (f) => { f.noValidate = true; });
  await page.click('#add-vendor button[type=submit]');
  assert.equal(await page.getAttribute('#add-vendor input[name=email]', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#add-vendor input[name=name]'), 'Test Furniture Co');
  assert.match(await page.textContent('#email-error'), /e-mail/);
  assert.equal(await page.locator(`#vendors tr[data-vendor="${V}"]`).count(), 0);
  await page.fill('#add-vendor input[name=email]', 'reports@test.example');
  await page.click('#add-vendor button[type=submit]');
  assert.match(await page.textContent('#notice'), new RegExp(`Added vendor ${V}`));
  assert.match(page.url(), new RegExp(`/vendors/${V}$`));

  await page.fill('#add-contact input[name=name]', 'Pat Accounts');
  await page.fill('#add-contact input[name=email]', 'pat@test.example');
  await page.fill('#add-contact input[name=role]', 'billing');
  await page.click('#add-contact button[type=submit]');
  assert.match(await page.textContent('#notice'), /Contact added/);
  assert.match(await page.textContent('#contacts'), /Pat Accounts.*pat@test\.example.*billing.*yes/s);

  // the vendor gets a contract to report on
  const terms = join(demo.dir, 'terms.json');
  writeFileSync(terms, JSON.stringify({ number: K, title: 'Test furniture', category: 'furniture',
    lead_agency: 'USD259', vendor: V, start: '2026-07-01', end: '2027-06-30', solicitation: 'RFP T',
    fee: { year: 'contract', mode: 'graduated', bands: [{ from: '0', rate: '2%' }] } }));
  cli(demo.db, 'contract', 'import', terms);

  // the sample: every odd header is read as nothing yet, with its values beside it
  await page.setInputFiles('#sample-upload input[name=file]', sampleFile);
  await page.click('#sample-upload button[type=submit]');
  assert.equal(await page.locator('#sample-columns select').count(), 8);
  assert.equal(await menuOf(page, 'Inv #').inputValue(), 'ignore');
  assert.match(await page.locator('#sample-columns tr', { hasText: 'Net Amt' }).textContent(), /400\.00.*200\.00.*100\.00/s);

  // list_amount chosen twice: refused at that header, choices kept, nothing saved
  for (const [h, c] of Object.entries(MAPPING)) await menuOf(page, h).selectOption(c);
  await menuOf(page, 'Net Amt').selectOption('list_amount');
  await page.click('#map-form button[type=submit]');
  assert.equal(await menuOf(page, 'Net Amt').getAttribute('aria-invalid'), 'true');
  assert.match(await page.textContent('#form-error'), /list_amount is chosen for both "Ext List" and "Net Amt"/);
  assert.equal(await menuOf(page, 'Inv #').inputValue(), 'invoice_number');
  assert.equal(await page.locator('#column-map-none').count(), 1);

  await menuOf(page, 'Net Amt').selectOption('invoiced_amount');
  await page.selectOption('#map-form select[name=contract]', K);
  await page.click('#map-form button[type=submit]');
  assert.match(await page.textContent('#notice'), /Mapping saved/);
  assert.match(await page.textContent('#check-outcome'), /every row can be imported/);
  assert.deepEqual(await page.$$eval('#check #counts td', (tds) => tds.slice(0, 4).map((t) => t.textContent)),
    ['3', '3', '0', '0']);
  assert.match(await page.textContent('#check'), /Sales Rep/);
  assert.match(await page.textContent('#column-map'), /inv_#\s*invoice_number/);
  assert.equal(cliJson(demo.db, 'report', 'fees', '--contract', K, '--period', '2026-Q4').quarters[0].net_sales, '0.00');

  // the file itself, imported through the imports page
  await page.click('#check a[href^="/imports"]');
  await page.fill('input[name=period]', '2026-Q4');
  await page.setInputFiles('input[name=file]', sampleFile);
  await page.click('button[value=import]');
  assert.match(await page.textContent('#outcome'), /Imported as batch/);
  assert.deepEqual(await page.$$eval('#counts td', (tds) => tds.slice(0, 2).map((t) => t.textContent)), ['3', '3']);
  assert.equal(cliJson(demo.db, 'report', 'fees', '--contract', K, '--period', '2026-Q4').quarters[0].net_sales, '700.00');
  await context.close();
});

test('finance reads the vendors but sees no forms, and its changes are refused', async () => {
  const s = await session(srv.url, demo.users.finance);
  const list = await (await fetch(`${srv.url}/vendors`, { headers: { cookie: s.cookie } })).text();
  assert.match(list, /data-vendor="V-PRAIRIE"/);
  const one = await (await fetch(`${srv.url}/vendors/V-PRAIRIE`, { headers: { cookie: s.cookie } })).text();
  assert.match(one, /id="contacts"/);
  for (const html of [list, one]) assert.equal(html.match(/<form method="post"/g).length, 1, 'only the sign-out form');
  const form = (path, fields) => fetch(srv.url + path, { method: 'POST', redirect: 'manual',
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: s.csrf, ...fields }) });
  assert.equal((await form('/vendors', { code: 'V-FIN', name: 'Finance Co' })).status, 404);
  assert.equal((await form('/vendors/V-PRAIRIE', { name: 'Renamed' })).status, 404);
  assert.equal((await form('/vendors/V-PRAIRIE/contacts', { name: 'X', email: 'x@x.example' })).status, 404);
  assert.equal((await form('/vendors/V-PRAIRIE/column-map', { sample: 'YQ==' })).status, 404);
  const tok = await token(srv.url, demo.users.finance);
  const api = (path, body) => fetch(srv.url + path, { method: 'POST',
    headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await api('/api/v1/vendors', { code: 'V-FIN', name: 'Finance Co' })).status, 404);
  assert.equal((await api('/api/v1/vendors/V-PRAIRIE/column-map', { columns: { 'Cust #': 'agency_code' } })).status, 404);
  assert.ok(!cliJson(demo.db, 'vendor', 'list').some((v) => v.code === 'V-FIN'));
  assert.equal((await fetch(`${srv.url}/api/v1/vendors`, { headers: { authorization: `Bearer ${tok}` } })).status, 200);
});

test('the API adds a vendor and saves its mapping; members and vendors get 404', async () => {
  const tok = await token(srv.url, demo.users.admin);
  const post = (path, body, t = tok) => fetch(srv.url + path, { method: 'POST',
    headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const added = await post('/api/v1/vendors', { code: 'V-API', name: 'API Supply', email: 'orders@api.example' });
  assert.equal(added.status, 201);
  assert.deepEqual(await added.json(), { code: 'V-API', name: 'API Supply', email: 'orders@api.example' });
  assert.equal((await post('/api/v1/vendors', { code: 'V-API', name: 'Again' })).status, 409);
  assert.equal((await post('/api/v1/vendors', { code: 'V-BAD', name: 'Bad', email: 'no-at-sign' })).status, 400);
  const map = await post('/api/v1/vendors/V-API/column-map', { columns: { 'Customer #': 'agency_code', 'Ext List': 'list_amount' } });
  assert.equal(map.status, 200);
  assert.deepEqual((await map.json()).columns, { 'customer_#': 'agency_code', ext_list: 'list_amount' });
  const twice = await post('/api/v1/vendors/V-API/column-map', { columns: { A: 'po_number', B: 'po_number' } });
  assert.equal(twice.status, 400);
  assert.match((await twice.json()).error, /po_number is chosen for both/);
  assert.equal((await post('/api/v1/vendors/V-NONE/column-map', { columns: { A: 'po_number' } })).status, 404);
  for (const role of ['member', 'vendor']) {
    const t = await token(srv.url, demo.users[role]);
    assert.equal((await post('/api/v1/vendors', { code: 'V-X', name: 'X' }, t)).status, 404, role);
    assert.equal((await fetch(`${srv.url}/api/v1/vendors`, { headers: { authorization: `Bearer ${t}` } })).status, 404, role);
  }
});

test('a long sample is cut at a whole row and its mapping form fits the server\'s field limit', async () => {
  const s = await session(srv.url, demo.users.admin);
  const rows = [];
  for (let i = 1; rows.join('').length < 60 * 1024; i++)
    rows.push(`USD259,Wichita,PO-L${i},INV-L${i},10/09/2026,10.00,4.00,"Rep, ${i}"\n`);
  const fd = new FormData();
  fd.append('csrf', s.csrf);
  fd.append('file', new Blob([SAMPLE.split('\n')[0] + '\n' + rows.join('')], { type: 'text/csv' }), 'long.csv');
  const res = await fetch(`${srv.url}/vendors/V-PRAIRIE/sample`, { method: 'POST', headers: { cookie: s.cookie }, body: fd });
  assert.equal(res.status, 200);
  const html = await res.text();
  const read = Number(html.match(/(\d+) rows read \(the first 45 KB of the file\)/)[1]);
  assert.ok(read > 500 && read < rows.length, `${read} of ${rows.length} rows`);
  const unescape = (v) => v.replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d))).replace(/&amp;/g, '&');
  const sample = unescape(html.match(/name="sample" value="([^"]*)"/)[1]);
  const fields = { csrf: s.csrf, sample, file_name: 'long.csv', encoding: '', contract: 'KS-FURN-2025' };
  Object.values(MAPPING).forEach((c, i) => { fields[`col_${i}`] = c; });
  const saved = await fetch(`${srv.url}/vendors/V-PRAIRIE/column-map`, { method: 'POST',
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
  assert.equal(saved.status, 200);
  const page = await saved.text();
  assert.match(page, /Mapping saved/);
  // every row read is checked, none is cut in half
  assert.match(page, new RegExp(`<table id="counts">.*?<td class="num">${read}</td>`, 's'));
  assert.doesNotMatch(page, /check-refusal/);
});
