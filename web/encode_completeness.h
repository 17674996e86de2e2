/*
 * encode_completeness.h — the JSON of the completeness audit (DOMAIN.md
 * 4.7 and section 6), written from core's typed result for the CLI's
 * --json, the API and the pages; see encode.h for the modes.
 */
#ifndef COOPLEDGER_ENCODE_COMPLETENESS_H
#define COOPLEDGER_ENCODE_COMPLETENESS_H

#include <cjson/cJSON.h>

#include "completeness.h"
#include "encode.h"

/* {"contract","quarters":[{"quarter","register_pos","register_amount",
 * "reported","under_reported","over_reported","unreported","pending",
 * "gap","fee_at_risk"}],"pos":[{"agency","po_number","po_date",
 * "register_amount","reported_amount","status","gap","fee_at_risk"}],
 * "signals":[{"kind","quarter","agency" (null for volume_drop),
 * "detail"}]}.  Caller frees. */
cJSON *encode_completeness(const CompletenessReport *r, EncMode mode);

/* completeness_report() as JSON, or NULL with e set.  Caller frees. */
cJSON *encode_completeness_report(sqlite3 *db, const char *contract, const Quarter *period,
				  Date today, EncMode mode, Err *e);

#endif
