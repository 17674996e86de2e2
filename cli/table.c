/* table.c — aligned text tables; see table.h. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

void table_init(Table *t, int ncol, const char *const *names)
{
	int i;

	memset(t, 0, sizeof *t);
	t->ncol = ncol > TABLE_MAX_COLS ? TABLE_MAX_COLS : ncol;
	for (i = 0; i < t->ncol; i++) {
		t->right[i] = names[i][0] == '>';
		t->head[i] = names[i] + t->right[i];
	}
}

void table_add(Table *t, const char *const *cells)
{
	int i;

	if (t->nrow == t->caprow) {
		int cap = t->caprow ? t->caprow * 2 : 32;
		char **p = realloc(t->cell, sizeof *p * (size_t)cap * (size_t)t->ncol);

		if (!p)
			return;
		t->cell = p;
		t->caprow = cap;
	}
	for (i = 0; i < t->ncol; i++)
		t->cell[t->nrow * t->ncol + i] = strdup(cells[i] ? cells[i] : "");
	t->nrow++;
}

/* Display width of UTF-8 text: count the bytes that start a character. */
static int width(const char *s)
{
	int w = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void put_cell(FILE *out, const char *s, int w, int right, int last)
{
	int pad = w - width(s);

	if (right)
		fprintf(out, "%*s%s", pad > 0 ? pad : 0, "", s);
	else if (last)
		fputs(s, out);
	else
		fprintf(out, "%s%*s", s, pad > 0 ? pad : 0, "");
}

void table_print(const Table *t, FILE *out)
{
	int w[TABLE_MAX_COLS], i, r;

	for (i = 0; i < t->ncol; i++) {
		w[i] = width(t->head[i]);
		for (r = 0; r < t->nrow; r++) {
			int x = width(t->cell[r * t->ncol + i]);

			if (x > w[i])
				w[i] = x;
		}
	}
	for (i = 0; i < t->ncol; i++) {
		put_cell(out, t->head[i], w[i], t->right[i], i == t->ncol - 1);
		fputs(i == t->ncol - 1 ? "\n" : "  ", out);
	}
	for (r = 0; r < t->nrow; r++) {
		for (i = 0; i < t->ncol; i++) {
			put_cell(out, t->cell[r * t->ncol + i], w[i], t->right[i],
				 i == t->ncol - 1);
			fputs(i == t->ncol - 1 ? "\n" : "  ", out);
		}
	}
}

void table_free(Table *t)
{
	int i;

	for (i = 0; i < t->nrow * t->ncol; i++)
		free(t->cell[i]);
	free(t->cell);
	memset(t, 0, sizeof *t);
}
