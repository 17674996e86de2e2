/*
 * test_rowset.c — unit tests of core/rowset.c: a listing read in full,
 * typed as SQLite stored it, limited with "more", filtered in order, and a
 * failed step that is an error, never a short list.
 */
#include "fixture.h"

#include "rowset.h"

/* Rows 1..n of (id, name, amount, note): note is null for even ids. */
static ClCode read_numbers(sqlite3 *db, int n, int limit, RowSet *rs, Err *e)
{
	DbRows q;

	return rowset_read(rs,
			   db_rows(&q, db, e,
				   "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k "
				   "WHERE i < ?) SELECT i AS id, 'row ' || i AS name, i * 100 - 1 "
				   "AS amount, CASE WHEN i % 2 THEN 'odd' END AS note FROM k",
				   "i", (int64_t)n),
			   &q, limit, "reading the numbers", e);
}

static void test_cells_typed(void **state)
{
	Fixture *fx = *state;
	RowSet rs;
	Err e = {0};

	assert_int_equal(read_numbers(fx->db, 3, 0, &rs, &e), CL_OK);
	assert_int_equal(rs.ncol, 4);
	assert_int_equal(rs.nrow, 3);
	assert_false(rs.more);
	assert_string_equal(rs.col[2], "amount");
	assert_int_equal(rowset_column(&rs, "note"), 3);
	assert_int_equal(rowset_column(&rs, "missing"), -1);
	assert_int_equal(rowset_cell(&rs, 1, 0)->type, CELL_INT);
	assert_int_equal(rowset_int(&rs, 1, "amount"), 199); /* 2 * 100 - 1 */
	assert_string_equal(rowset_text(&rs, 2, "name"), "row 3");
	assert_int_equal(rowset_cell(&rs, 1, 3)->type, CELL_NULL);
	assert_string_equal(rowset_text(&rs, 1, "note"), ""); /* null reads as "" */
	assert_string_equal(rowset_text(&rs, 0, "note"), "odd");
	rowset_free(&rs);
}

static void test_limit_says_more(void **state)
{
	Fixture *fx = *state;
	RowSet rs;
	Err e = {0};
	DbRows q;

	assert_int_equal(read_numbers(fx->db, 5, 3, &rs, &e), CL_OK);
	assert_int_equal(rs.nrow, 3);
	assert_true(rs.more);
	rowset_free(&rs);
	assert_int_equal(read_numbers(fx->db, 3, 3, &rs, &e), CL_OK);
	assert_int_equal(rs.nrow, 3);
	assert_false(rs.more);
	rowset_free(&rs);
	assert_int_equal(rowset_read(&rs, db_rows(&q, fx->db, &e, "SELECT code FROM agency", ""),
				     &q, 0, "reading no agencies", &e),
			 CL_OK);
	assert_int_equal(rs.nrow, 0); /* an empty list is a list */
	assert_false(rs.more);
	rowset_free(&rs);
}

/* Keep the odd ids; fail at id fail_at (0: never). */
static ClCode keep_odd(void *ctx, const RowSet *rs, int r, int *keep, Err *e)
{
	int64_t id = rowset_int(rs, r, "id");

	if (id == *(int *)ctx)
		return err_set(e, CL_EDB, "checking row %lld failed", (long long)id);
	*keep = id % 2 == 1;
	return CL_OK;
}

static void test_filter_keeps_order(void **state)
{
	Fixture *fx = *state;
	RowSet rs;
	Err e = {0};
	int never = 0, at4 = 4;

	assert_int_equal(read_numbers(fx->db, 7, 0, &rs, &e), CL_OK);
	assert_int_equal(rowset_filter(&rs, keep_odd, &never, &e), CL_OK);
	assert_int_equal(rs.nrow, 4);
	assert_int_equal(rowset_int(&rs, 0, "id"), 1);
	assert_int_equal(rowset_int(&rs, 1, "id"), 3);
	assert_string_equal(rowset_text(&rs, 2, "name"), "row 5");
	assert_int_equal(rowset_int(&rs, 3, "amount"), 699);
	rowset_free(&rs);

	assert_int_equal(read_numbers(fx->db, 7, 0, &rs, &e), CL_OK);
	assert_int_equal(rowset_filter(&rs, keep_odd, &at4, &e), CL_EDB);
	assert_non_null(strstr(e.msg, "row 4"));
	assert_int_equal(rs.nrow, 0); /* emptied, not cut short */
	rowset_free(&rs);
}

/* A step that fails half-way (an integer overflow in sum()) is the read's
 * failure, never the end of a shorter list. */
static void test_failed_step_is_error(void **state)
{
	Fixture *fx = *state;
	RowSet rs;
	Err e = {0};
	DbRows q;

	assert_int_equal(rowset_read(&rs,
				     db_rows(&q, fx->db, &e,
					     "WITH k(i) AS (VALUES (1), (2), (3)) SELECT i, "
					     "CASE WHEN i = 3 THEN (SELECT sum(x) FROM (SELECT "
					     "9223372036854775807 AS x UNION ALL SELECT 1)) END "
					     "FROM k",
					     ""),
				     &q, 0, "reading the overflow", &e),
			 CL_EDB);
	assert_non_null(strstr(e.msg, "reading the overflow"));
	assert_int_equal(rs.nrow, 0);
	rowset_free(&rs);
}

#define ROWSET_TEST(f) cmocka_unit_test_setup_teardown(f, fx_empty_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ROWSET_TEST(test_cells_typed),
		ROWSET_TEST(test_limit_says_more),
		ROWSET_TEST(test_filter_keeps_order),
		ROWSET_TEST(test_failed_step_is_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
