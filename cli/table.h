/*
 * table.h — aligned text tables for people (reports without --json).
 */
#ifndef COOPLEDGER_TABLE_H
#define COOPLEDGER_TABLE_H

#include <stdio.h>

#define TABLE_MAX_COLS 16

typedef struct Table {
	int ncol;
	const char *head[TABLE_MAX_COLS];
	int right[TABLE_MAX_COLS]; /* 1: right-aligned (figures) */
	int nrow, caprow;
	char **cell; /* nrow * ncol strings, owned */
} Table;

/* Columns are given as names; a name starting with '>' is right-aligned. */
void table_init(Table *t, int ncol, const char *const *names);
void table_add(Table *t, const char *const *cells); /* copies ncol strings */
void table_print(const Table *t, FILE *out);
void table_free(Table *t);

#endif
