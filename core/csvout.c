/* csvout.c — CSV out (RFC 4180) with spreadsheet formulas guarded; see csvout.h. */
#include "csvout.h"

#include <stdio.h>
#include <string.h>

/* 1 when c is a plain decimal number such as -12.50. */
static int plain_number(const char *c)
{
	int digits = 0, dot = 0;

	if (*c == '-')
		c++;
	for (; *c; c++) {
		if (*c >= '0' && *c <= '9')
			digits++;
		else if (*c == '.' && !dot++)
			continue;
		else
			return 0;
	}
	return digits > 0;
}

/* 1 when a spreadsheet would take cell c for a formula. */
static int formula_like(const char *c)
{
	return c[0] && strchr("=+-@\t\r", c[0]) && !plain_number(c);
}

ClCode csv_row(Buf *b, const char *const *cells, int n)
{
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		const char *c = cells[i] ? cells[i] : "", *p;
		int guard = formula_like(c);

		if (i)
			bad |= buf_append(b, ",", 1);
		if (!guard && !strpbrk(c, ",\"\r\n")) {
			bad |= buf_puts(b, c);
			continue;
		}
		/* quoted; a cell a spreadsheet would run is prefixed with ' so
		 * that it shows as text */
		bad |= buf_append(b, "\"", 1);
		if (guard)
			bad |= buf_append(b, "'", 1);
		for (p = c; *p; p++) {
			if (*p == '"')
				bad |= buf_append(b, "\"", 1);
			bad |= buf_append(b, p, 1);
		}
		bad |= buf_append(b, "\"", 1);
	}
	bad |= buf_append(b, "\r\n", 2);
	return bad ? CL_ENOMEM : CL_OK;
}

char *csv_from_json(const cJSON *arr, const char *const *keys, int n)
{
	const char *cells[32];
	const cJSON *o;
	char num[32][32];
	Buf b;
	int i, bad;

	buf_init(&b, (size_t)256 << 20);
	bad = csv_row(&b, keys, n);
	cJSON_ArrayForEach(o, arr)
	{
		for (i = 0; i < n && i < 32; i++) {
			const cJSON *x = cJSON_GetObjectItem(o, keys[i]);

			if (cJSON_IsNumber(x)) {
				snprintf(num[i], sizeof num[i], "%lld", (long long)x->valuedouble);
				cells[i] = num[i];
			} else if (cJSON_IsBool(x)) {
				cells[i] = cJSON_IsTrue(x) ? "yes" : "no";
			} else {
				cells[i] = cJSON_IsString(x) ? x->valuestring : "";
			}
		}
		bad |= csv_row(&b, cells, n);
	}
	if (bad) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}
