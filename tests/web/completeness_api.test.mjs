// GET /api/v1/contracts/NUMBER/completeness (DOMAIN.md 4.7 and section 6):
// the JSON of `report completeness --json`, staff seeing every member, a
// member its own POs only, anyone else 404, a bad period 400.
//
// The data are tests/data/money/completeness_statuses (its case.json works
// the figures out as of 2026-04-20); here the server runs as of 2026-11-25,
// when every pending window of those POs has closed.  Working, from that
// case's: contract KS-COMP-2025 from 2025-07-01 to 2027-06-30, due_days 45,
// graduated fee by contract year, 2% on [0, 100000), 1.5% from 100000.
// - 2025-Q3 POs: as in the case (past pending since 2026-02-14): 8 POs,
//   209461.00, reported 3, under 2, over 1, unreported 2, gap 3502.01, fee
//   at risk 60.04.
// - P-LATE 2025-12-10, 800.00: pending until the due date of 2026-Q1,
//   2026-05-15; nothing reported and 2026-11-25 is later -> unreported,
//   gap 800.00.  C_Y(2025-12-10) = 300000.00 (all the 2025-Q3 sales) ->
//   1.5%: 80000 x 0.015 = 1200 cents = 12.00.
// - P-SPRING 2026-03-20, 700.00: pending until the due date of 2026-Q2,
//   2026-06-30 + 45 = 2026-08-14; past -> unreported, gap 700.00.  Still
//   contract year 1 (to 2026-06-30), C = 300000.00 -> 1.5%: 70000 x 0.015 =
//   1050 cents = 10.50.
// - Quarters from the term's first (2025-Q3) to today's (2026-Q4).
// - Signals: the first quarter with four before it inside the term is
//   2026-Q3, due 2026-09-30 + 45 = 2026-11-14, passed; 2026-Q4 is due
//   2027-02-14, not yet.  2026-Q3: USD233 has lines only in 2025-Q3, so no
//   member_silent (it needs lines in each of the four quarters before);
//   net(2026-Q3) = 0 and 8 x 0 < 300000.00 (2025-Q3's 149.00 + 148.99 +
//   1000.00 + 3000.00 + 1500.00 + 300.00 + 93902.00 + 0.01 + 200000.00, the
//   other three 0) -> one volume_drop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, token, cli, cliJson, root, bin } from './lib.mjs';

const C = 'KS-COMP-2025';
const data = join(root, 'tests', 'data', 'money', 'completeness_statuses');
const users = {
  finance: { email: 'finance@comp.example', password: 'finance-pass-1', args: ['--role', 'finance'] },
  admin: { email: 'admin@comp.example', password: 'admin-pass-123', args: ['--role', 'admin'] },
  member233: { email: 'buyer@usd233.example', password: 'member-pass-233', args: ['--role', 'member', '--agency', 'USD233'] },
  member259: { email: 'buyer@usd259.example', password: 'member-pass-259', args: ['--role', 'member', '--agency', 'USD259'] },
  memberCity: { email: 'buyer@wichita.example', password: 'member-pass-city', args: ['--role', 'member', '--agency', 'CITY-ICT'] },
  vendor: { email: 'ar@vmoney.example', password: 'vendor-pass-123', args: ['--role', 'vendor', '--vendor', 'V-MONEY'] },
};
let db, srv;
const tok = {};

before(async () => {
  db = join(mkdtempSync(join(tmpdir(), 'coopledger-compl-')), 'c.db');
  cli(db, 'init');
  cli(db, 'agency', 'import', join(data, 'agencies.csv'));
  cli(db, 'agency', 'add', '--code', 'CITY-ICT', '--name', 'City of Wichita', '--kind', 'city', '--state', 'KS');
  cli(db, 'vendor', 'add', '--code', 'V-MONEY', '--name', 'Money Furniture');
  cli(db, 'contract', 'import', join(data, 'terms.json'));
  cli(db, 'participant', 'import', '--contract', C, join(data, 'participants.csv'));
  cli(db, 'import', '--contract', C, '--period', '2025-Q3', join(data, 'lines-q3.csv'));
  cli(db, 'register', 'import', '--contract', C, '--agency', 'USD233', join(data, 'register.csv'));
  for (const u of Object.values(users))
    execFileSync(bin, ['--db', db, 'user', 'add', '--email', u.email, ...u.args],
      { env: { ...process.env, COOPLEDGER_PASSWORD: u.password } });
  srv = await startServer(db);
  for (const [k, u] of Object.entries(users)) tok[k] = await token(srv.url, u);
});
after(async () => { await srv?.stop(); });

const get = (path, who) => fetch(srv.url + path, { headers: who ? { authorization: `Bearer ${tok[who]}` } : {} });
const zero = (quarter) => ({ quarter, register_pos: 0, register_amount: '0.00', reported: 0, under_reported: 0,
  over_reported: 0, unreported: 0, pending: 0, gap: '0.00', fee_at_risk: '0.00' });
const po = (po_number, po_date, register_amount, reported_amount, status, gap, fee_at_risk) =>
  ({ agency: 'USD233', po_number, po_date, register_amount, reported_amount, status, gap, fee_at_risk });
const quarters = [
  { quarter: '2025-Q3', register_pos: 8, register_amount: '209461.00', reported: 3, under_reported: 2,
    over_reported: 1, unreported: 2, pending: 0, gap: '3502.01', fee_at_risk: '60.04' },
  { quarter: '2025-Q4', register_pos: 1, register_amount: '800.00', reported: 0, under_reported: 0,
    over_reported: 0, unreported: 1, pending: 0, gap: '800.00', fee_at_risk: '12.00' },
  { quarter: '2026-Q1', register_pos: 1, register_amount: '700.00', reported: 0, under_reported: 0,
    over_reported: 0, unreported: 1, pending: 0, gap: '700.00', fee_at_risk: '10.50' },
  zero('2026-Q2'), zero('2026-Q3'), zero('2026-Q4'),
];
const pos = [
  po('P-EDGE', '2025-07-10', '150.00', '148.99', 'under_reported', '1.01', '0.02'),
  po('P-EXACT', '2025-07-14', '150.00', '149.00', 'reported', '0.00', '0.00'),
  po('P-FREIGHT', '2025-07-17', '1060.00', '1060.00', 'reported', '0.00', '0.00'),
  po('P-LEFTOUT', '2025-07-20', '5000.00', '4500.00', 'under_reported', '500.00', '10.00'),
  po('P-OVER', '2025-07-24', '100.00', '300.00', 'over_reported', '0.00', '0.00'),
  po('P-NONE2', '2025-08-09', '1000.00', '0.00', 'unreported', '1000.00', '20.00'),
  po('P-NONE', '2025-08-10', '2001.00', '0.00', 'unreported', '2001.00', '30.02'),
  po('P-LARGE', '2025-09-01', '200000.00', '201000.00', 'reported', '0.00', '0.00'),
  po('P-LATE', '2025-12-10', '800.00', '0.00', 'unreported', '800.00', '12.00'),
  po('P-SPRING', '2026-03-20', '700.00', '0.00', 'unreported', '700.00', '10.50'),
];
const drop = { kind: 'volume_drop', quarter: '2026-Q3', agency: null,
  detail: `net sales of contract ${C} for 2026-Q3 are $0.00, below half the mean of the four quarters before ` +
    '($300,000.00 in all: 2025-Q3 $300,000.00, 2025-Q4 $0.00, 2026-Q1 $0.00, 2026-Q2 $0.00)' };

test('staff get every PO, quarter and signal, exactly as report completeness --json', async () => {
  for (const who of ['finance', 'admin']) {
    const res = await get(`/api/v1/contracts/${C}/completeness`, who);
    assert.equal(res.status, 200, who);
    const body = await res.json();
    assert.deepEqual(body, { contract: C, quarters, pos, signals: [drop] }, who);
    assert.deepEqual(body, cliJson(db, 'report', 'completeness', '--contract', C));
  }
});

test('?period= keeps one quarter, by PO date for the POs and as the quarter of the signals', async () => {
  assert.deepEqual(await (await get(`/api/v1/contracts/${C}/completeness?period=2025-Q4`, 'finance')).json(),
    { contract: C, quarters: [quarters[1]], pos: [pos[8]], signals: [] });
  assert.deepEqual(await (await get(`/api/v1/contracts/${C}/completeness?period=2026-Q3`, 'finance')).json(),
    { contract: C, quarters: [zero('2026-Q3')], pos: [], signals: [drop] });
  assert.deepEqual(await (await get(`/api/v1/contracts/${C}/completeness?period=2026-Q1`, 'finance')).json(),
    cliJson(db, 'report', 'completeness', '--contract', C, '--period', '2026-Q1'));
});

test('a member of a participating agency gets its own POs, and no signal about the contract as a whole', async () => {
  // every register PO is USD233's: its quarters are the same figures; the
  // volume_drop is about every member's sales, not its own, so it is left out
  const res = await get(`/api/v1/contracts/${C}/completeness`, 'member233');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { contract: C, quarters, pos, signals: [] });
  assert.deepEqual(await (await get(`/api/v1/contracts/${C}/completeness?period=2026-Q3`, 'member233')).json(),
    { contract: C, quarters: [zero('2026-Q3')], pos: [], signals: [] });
});

test('a participating member with no register sees no other agency\'s figures', async () => {
  // USD259, the lead agency, takes part in its own contract but sent no
  // register: every quarter counts none of USD233's POs
  const res = await get(`/api/v1/contracts/${C}/completeness`, 'member259');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { contract: C,
    quarters: ['2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'].map(zero), pos: [], signals: [] });
});

test('a member of an agency that does not participate, a vendor and nobody signed in are refused', async () => {
  // CITY-ICT takes no part in KS-COMP-2025; V-MONEY is its vendor
  for (const who of ['memberCity', 'vendor']) {
    const res = await get(`/api/v1/contracts/${C}/completeness`, who);
    assert.equal(res.status, 404, who);
    assert.ok((await res.json()).error, who);
  }
  assert.equal((await get(`/api/v1/contracts/${C}/completeness`)).status, 401);
  assert.equal((await get('/api/v1/contracts/NO-SUCH-1/completeness', 'finance')).status, 404);
});

test('a period that is not a quarter, or outside the term, is a 400 naming it', async () => {
  for (const [p, words] of [['2025-Q9', /period: quarter "2025-Q9" does not exist/],
    ['last', /period: quarter "last" is not in the form 2025-Q3/],
    ['2030-Q1', /quarter 2030-Q1 is outside the term of contract KS-COMP-2025/]]) {
    const res = await get(`/api/v1/contracts/${C}/completeness?period=${p}`, 'finance');
    assert.equal(res.status, 400, p);
    assert.match((await res.json()).error, words, p);
  }
});
