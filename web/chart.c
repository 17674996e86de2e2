/* chart.c — scale, ticks and bars of the SVG charts; see chart.h. */
#include <stdint.h>
#include <string.h>

#include "chart.h"

Money chart_step(Money max)
{
	static const int mult[] = {10, 20, 25, 50}; /* tenths of the power */
	Money pow = 10;				    /* $1 as tenths: 100 cents / 10 */
	int i;

	for (;;) {
		for (i = 0; i < 4; i++) {
			Money step = mult[i] * pow;

			if (step >= 100 && (__int128)step * CHART_STEPS >= max)
				return step;
		}
		if (pow > INT64_MAX / 500)
			return mult[3] * pow;
		pow *= 10;
	}
}

long chart_y(Money v, Money top)
{
	if (v <= 0)
		return CHART_H;
	if (v >= top)
		return CHART_TOP;
	return CHART_H - (long)((__int128)v * (CHART_H - CHART_TOP) / top);
}

cJSON *chart_ticks(Money step)
{
	cJSON *arr = cJSON_CreateArray();
	char buf[MONEY_BUF];
	int i;

	for (i = 0; i <= CHART_STEPS; i++) {
		cJSON *t = cJSON_CreateObject();
		char *cents;

		money_format_human(step * i, buf);
		if ((cents = strrchr(buf, '.')) && strcmp(cents, ".00") == 0)
			*cents = '\0';
		cJSON_AddNumberToObject(t, "y", (double)chart_y(step * i, step * CHART_STEPS));
		cJSON_AddStringToObject(t, "value", buf);
		cJSON_AddItemToArray(arr, t);
	}
	return arr;
}

cJSON *chart_bars(const char *const *labels, const Money *values, int n, Money step)
{
	char buf[MONEY_BUF];
	cJSON *arr = cJSON_CreateArray();
	Money top = step * CHART_STEPS;
	int i, slot = n ? CHART_W / n : CHART_W;

	for (i = 0; i < n; i++) {
		cJSON *b = cJSON_CreateObject();
		long y = chart_y(values[i], top);
		int tx = i * slot + slot / 2; /* the bar's middle, for its label */

		cJSON_AddNumberToObject(b, "x", i * slot + 2);
		cJSON_AddNumberToObject(b, "y", (double)y);
		cJSON_AddNumberToObject(b, "w", slot > 6 ? slot - 4 : 2);
		cJSON_AddNumberToObject(b, "h", (double)(CHART_H - y));
		cJSON_AddNumberToObject(b, "tx", tx);
		cJSON_AddStringToObject(b, "label", labels[i]);
		if (n <= 10 || i % 2 == (n - 1) % 2) /* every other label when crowded */
			cJSON_AddStringToObject(b, "axis", labels[i]);
		cJSON_AddStringToObject(b, "value", money_format_human(values[i], buf));
		cJSON_AddItemToArray(arr, b);
	}
	return arr;
}
