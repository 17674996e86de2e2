/* rowset.c — listings read in full; see rowset.h. */
#include "rowset.h"

#include <stdlib.h>
#include <string.h>

static int columns_read(RowSet *rs, sqlite3_stmt *st)
{
	int i, n = sqlite3_column_count(st);

	if (!(rs->col = calloc((size_t)(n ? n : 1), sizeof *rs->col)))
		return -1;
	rs->ncol = n;
	for (i = 0; i < n; i++)
		if (!(rs->col[i] = strdup(sqlite3_column_name(st, i))))
			return -1;
	return 0;
}

static int row_read(RowSet *rs, sqlite3_stmt *st)
{
	Cell *row;
	int i;

	if (rs->nrow == rs->cap) {
		int cap = rs->cap ? rs->cap * 2 : 16;
		Cell *c = realloc(rs->cell, (size_t)cap * (size_t)rs->ncol * sizeof *c + 1);

		if (!c)
			return -1;
		rs->cell = c;
		rs->cap = cap;
	}
	row = rs->cell + (size_t)rs->nrow * (size_t)rs->ncol;
	memset(row, 0, (size_t)rs->ncol * sizeof *row);
	rs->nrow++;
	for (i = 0; i < rs->ncol; i++) {
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL:
			break;
		case SQLITE_INTEGER:
			row[i] = (Cell){CELL_INT, sqlite3_column_int64(st, i), NULL};
			break;
		default: {
			const char *t = (const char *)sqlite3_column_text(st, i);
			char *d = strdup(t ? t : "");

			if (!d)
				return -1;
			row[i] = (Cell){CELL_TEXT, 0, d};
		}
		}
	}
	return 0;
}

ClCode rowset_read(RowSet *rs, ClCode rc, DbRows *q, int limit, const char *what, Err *e)
{
	int nomem = 0;
	ClCode end;

	memset(rs, 0, sizeof *rs);
	while (!rc && !nomem && db_rows_next(q)) {
		if (limit && rs->nrow == limit) {
			rs->more = 1;
			break;
		}
		nomem = (!rs->col && columns_read(rs, q->st)) || row_read(rs, q->st);
	}
	end = db_rows_end(q, what, e);
	if (rc || end) {
		rowset_free(rs);
		return rc ? rc : end;
	}
	if (nomem) {
		rowset_free(rs);
		return err_set(e, CL_ENOMEM, "%s: out of memory", what);
	}
	return CL_OK;
}

int rowset_column(const RowSet *rs, const char *name)
{
	int i;

	for (i = 0; i < rs->ncol; i++)
		if (strcmp(rs->col[i], name) == 0)
			return i;
	return -1;
}

const Cell *rowset_cell(const RowSet *rs, int r, int c)
{
	return &rs->cell[(size_t)r * (size_t)rs->ncol + (size_t)c];
}

int64_t rowset_int(const RowSet *rs, int r, const char *name)
{
	int c = rowset_column(rs, name);

	return c < 0 || rowset_cell(rs, r, c)->type != CELL_INT ? 0 : rowset_cell(rs, r, c)->i;
}

const char *rowset_text(const RowSet *rs, int r, const char *name)
{
	int c = rowset_column(rs, name);

	return c < 0 || rowset_cell(rs, r, c)->type != CELL_TEXT ? "" : rowset_cell(rs, r, c)->s;
}

/* Free the text of a row's cells and make them null. */
static void row_clear(Cell *row, int ncol)
{
	int i;

	for (i = 0; i < ncol; i++)
		free((char *)row[i].s);
	memset(row, 0, (size_t)ncol * sizeof *row);
}

ClCode rowset_filter(RowSet *rs, RowKeep keep, void *ctx, Err *e)
{
	size_t width = (size_t)rs->ncol;
	int r, kept = 0, yes = 0;
	ClCode rc = CL_OK;

	for (r = 0; !rc && r < rs->nrow; r++) {
		Cell *row = rs->cell + (size_t)r * width;

		rc = keep(ctx, rs, r, &yes, e);
		if (rc || !yes) {
			row_clear(row, rs->ncol);
			continue;
		}
		if (kept < r) { /* moved up: the old place holds nothing */
			memcpy(rs->cell + (size_t)kept * width, row, width * sizeof *row);
			memset(row, 0, width * sizeof *row);
		}
		kept++;
	}
	if (rc) {
		rowset_free(rs);
		return rc;
	}
	rs->nrow = kept;
	return CL_OK;
}

void rowset_free(RowSet *rs)
{
	int i;

	for (i = 0; rs->cell && i < rs->nrow * rs->ncol; i++)
		free((char *)rs->cell[i].s);
	for (i = 0; rs->col && i < rs->ncol; i++)
		free(rs->col[i]);
	free(rs->cell);
	free(rs->col);
	memset(rs, 0, sizeof *rs);
}
