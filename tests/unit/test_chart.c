/* test_chart.c — the charts' scale: a round step whose four steps reach
 * the largest value, the ticks' labels and the bars' heights.  Expected
 * figures worked by hand from the steps 1, 2, 2.5 and 5 times a power of
 * ten, never below $1, and a plot 160 units tall (y 20 to 180). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chart.h"

static void test_chart_step(void **state)
{
	static const struct {
		Money max, step;
	} cases[] = {
		{0, 100},		    /* nothing: $0 to $4 in dollars */
		{-500, 100},		    /* credits only */
		{400, 100},		    /* $4.00 = 4 × $1 exactly */
		{401, 200},		    /* just over: $2 steps, top $8 */
		{1000, 250},		    /* $10 = 4 × $2.50 */
		{1001, 500},		    /* top $20 */
		{9211166, 2500000},	    /* $92,111.66 / 4 = $23,027.92 → $25,000 */
		{10000000, 2500000},	    /* $100,000 = 4 × $25,000 */
		{10000001, 5000000},	    /* top $200,000 */
		{3999999999LL, 1000000000}, /* $39,999,999.99 → $10,000,000 steps */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++)
		assert_int_equal(chart_step(cases[i].max), cases[i].step);
}

static void test_chart_ticks(void **state)
{
	static const char *want[] = {"$0", "$25,000", "$50,000", "$75,000", "$100,000"};
	static const int y[] = {180, 140, 100, 60, 20};
	cJSON *t = chart_ticks(2500000), *cents = chart_ticks(250);
	int i;

	(void)state;
	assert_int_equal(cJSON_GetArraySize(t), 5);
	for (i = 0; i < 5; i++) {
		cJSON *k = cJSON_GetArrayItem(t, i);

		assert_string_equal(cJSON_GetObjectItem(k, "value")->valuestring, want[i]);
		assert_int_equal(cJSON_GetObjectItem(k, "y")->valueint, y[i]);
	}
	/* a step with cents keeps them where they are not zero */
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cents, 1), "value")->valuestring,
			    "$2.50");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cents, 2), "value")->valuestring,
			    "$5");
	cJSON_Delete(t);
	cJSON_Delete(cents);
}

static void test_chart_bars(void **state)
{
	static const char *labels[] = {"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"};
	static const Money values[] = {100, 250, -5, 400};
	/* top $4: 160 units for 400 cents, 0.4 a cent, rounded down */
	static const int h[] = {40, 100, 0, 160}, x[] = {2, 162, 322, 482};
	cJSON *bars = chart_bars(labels, values, 4, 100);
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		cJSON *b = cJSON_GetArrayItem(bars, i);

		assert_int_equal(cJSON_GetObjectItem(b, "h")->valueint, h[i]);
		assert_int_equal(cJSON_GetObjectItem(b, "y")->valueint, 180 - h[i]);
		assert_int_equal(cJSON_GetObjectItem(b, "x")->valueint, x[i]);
		assert_int_equal(cJSON_GetObjectItem(b, "w")->valueint, 156);
		assert_string_equal(cJSON_GetObjectItem(b, "axis")->valuestring, labels[i]);
	}
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(bars, 2), "value")->valuestring,
			    "-$0.05");
	cJSON_Delete(bars);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chart_step),
		cmocka_unit_test(test_chart_ticks),
		cmocka_unit_test(test_chart_bars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
