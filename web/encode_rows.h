/*
 * encode_rows.h — the JSON of core's lists whose rows are more than
 * their columns: the agencies (public_entity as true/false) and the
 * outbox's counts.  Plain lists go through encode_rowset() (encode.h).
 */
#ifndef COOPLEDGER_ENCODE_ROWS_H
#define COOPLEDGER_ENCODE_ROWS_H

#include <cjson/cJSON.h>

#include "outbox.h"
#include "rowset.h"

/* Row r of agency_list() as {"code","name","kind","state",
 * "public_entity" (true/false),"email"}.  Caller frees. */
cJSON *encode_agency(const RowSet *rs, int r);

/* Every row of agency_list() as encode_agency() writes it.  Caller
 * frees. */
cJSON *encode_agencies(const RowSet *rs);

/* {"queued":n,"sent":n,"retrying":n,"dead":n,"sending":n}.  Caller
 * frees. */
cJSON *encode_outbox_counts(const OutboxCounts *c);

#endif
