/*
 * chart.h — the scale of the server-drawn SVG bar charts: a round top at
 * or above the largest value, split into CHART_STEPS equal steps that are
 * labelled on the axis and drawn as grid lines.
 */
#ifndef COOPLEDGER_CHART_H
#define COOPLEDGER_CHART_H

#include <cjson/cJSON.h>

#include "money.h"

#define CHART_W	    640 /* plot width, SVG units */
#define CHART_H	    180 /* baseline's y; the plot's top is at CHART_TOP */
#define CHART_TOP   20
#define CHART_STEPS 4

/* The step of the axis: the smallest of 1, 2, 2.5 and 5 times a power of
 * ten (in cents, never below $1) whose CHART_STEPS steps reach max. */
Money chart_step(Money max);

/* The y of value v on a scale whose top is top (> 0); values below zero
 * sit on the baseline. */
long chart_y(Money v, Money top);

/* [{y, value}] from $0 to the top, one a step, for the axis labels and
 * the grid lines; value in whole dollars ("$250,000"). */
cJSON *chart_ticks(Money step);

/* Bars [{x, y, w, h, tx, label, value, axis?}] side by side across the
 * plot, on the scale of step; negative values draw as empty bars and
 * crowded axes label every other bar. */
cJSON *chart_bars(const char *const *labels, const Money *values, int n, Money step);

#endif
