/*
 * fuzz_terms.c — the contract terms document (core/terms.h).
 *
 * Properties:
 *   - a refused document gives CL_EINPUT, a message and a zeroed Terms;
 *   - an accepted one writes (terms_to_json) a document that parses to the
 *     very same Terms, and writing that again gives the same text;
 *   - its schedules are well formed (1..TERMS_MAX_BANDS bands, strictly
 *     increasing, rates within 0..100%, the fee starting at 0) and agree
 *     with themselves: the rate at a band's start is that band's rate, the
 *     next band of a base lies above it, and a graduated schedule never
 *     falls as the base grows.
 */
#include "fuzz.h"

#include "terms.h"

/* Bases worth evaluating a schedule at: around each band's start and a
 * value from the input. */
static void check_schedule(const char *what, const Schedule *s, Money probe)
{
	Money base[3 * TERMS_MAX_BANDS + 2];
	__int128 prev = 0;
	int i, n = 0, next;

	if (!s->present)
		return;
	FUZZ_CHECK(s->nband >= 1 && s->nband <= TERMS_MAX_BANDS, "%s has %d bands", what, s->nband);
	for (i = 0; i < s->nband; i++) {
		FUZZ_CHECK(s->band[i].rate >= 0 && s->band[i].rate <= RATE_ONE,
			   "%s band %d has rate %lld", what, i, (long long)s->band[i].rate);
		FUZZ_CHECK(s->band[i].from >= 0 && s->band[i].from <= MONEY_LIMIT,
			   "%s band %d starts at %lld", what, i, (long long)s->band[i].from);
		FUZZ_CHECK(i == 0 || s->band[i].from > s->band[i - 1].from,
			   "%s band %d does not start above band %d", what, i, i - 1);
		FUZZ_CHECK(schedule_rate_at(s, s->band[i].from) == s->band[i].rate,
			   "%s: the rate at the start of band %d is not its own", what, i);
		base[n++] = s->band[i].from - 1;
		base[n++] = s->band[i].from;
		base[n++] = s->band[i].from + 1;
	}
	base[n++] = probe;
	base[n++] = MONEY_LIMIT;
	for (i = 0; i < n; i++) {
		next = schedule_next_band(s, base[i]);
		if (next >= 0)
			FUZZ_CHECK(s->band[next].from > base[i] &&
					   (next == 0 || s->band[next - 1].from <= base[i]),
				   "%s: band %d is not the next one above %lld", what, next,
				   (long long)base[i]);
		else
			FUZZ_CHECK(s->band[s->nband - 1].from <= base[i],
				   "%s: %lld is below the top band but has no next band", what,
				   (long long)base[i]);
	}
	if (s->mode != SCHED_GRADUATED)
		return;
	/* bases in increasing order: the band starts, then the probe */
	for (i = 0; i < s->nband; i++) {
		__int128 v = schedule_value(s, s->band[i].from);

		FUZZ_CHECK(v >= prev, "%s: the graduated value falls at band %d", what, i);
		prev = v;
	}
	if (probe >= s->band[s->nband - 1].from)
		FUZZ_CHECK(schedule_value(s, probe) >= prev,
			   "%s: the graduated value at %lld is below that of the top band", what,
			   (long long)probe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const Terms zero;
	Terms *t = malloc(sizeof *t), *again = malloc(sizeof *again);
	char *json = NULL, *json2 = NULL;
	Money probe = (Money)(fuzz_u64(data, size) % (MONEY_LIMIT + 1));
	Err e = {0};
	ClCode rc;

	if (!t || !again)
		abort();
	rc = terms_parse((const char *)data, size, t, &e);
	if (rc) {
		FUZZ_CHECK(rc == CL_EINPUT && e.msg[0], "code %d, message \"%s\"", (int)rc, e.msg);
		FUZZ_CHECK(memcmp(t, &zero, sizeof *t) == 0, "a refused document leaves terms");
		goto out;
	}
	FUZZ_CHECK(t->start <= t->end, "the term ends before it starts");
	FUZZ_CHECK(t->due_days >= 0 && t->due_days <= 365, "due_days %d", t->due_days);
	FUZZ_CHECK(t->fee.present && t->fee.band[0].from == 0, "the fee does not start at 0");
	check_schedule("fee", &t->fee, probe);
	check_schedule("discounts", &t->discounts, probe);
	check_schedule("rebates", &t->rebates, probe);

	json = terms_to_json(t);
	FUZZ_CHECK(json, "terms_to_json failed");
	rc = terms_parse(json, strlen(json), again, &e);
	FUZZ_CHECK(rc == CL_OK, "the written document is refused: %s\n  %s", e.msg, json);
	FUZZ_CHECK(memcmp(t, again, sizeof *t) == 0,
		   "the written document reads back different terms:\n  %s", json);
	json2 = terms_to_json(again);
	FUZZ_CHECK(json2 && strcmp(json, json2) == 0, "writing is not stable:\n  %s\n  %s", json,
		   json2 ? json2 : "(null)");
out:
	free(json);
	free(json2);
	free(t);
	free(again);
	return 0;
}
