/* pipeline.h - private to src/pop3: the store pipeline behind a fetch.
 *
 * The network thread hands each retrieved message to pipeline_push(); a
 * commit thread writes it to tmp/, fsyncs, renames into new/ and fsyncs
 * new/ once per batch; an index thread adds each batch to notmuch in one
 * atomic section, then records the UIDLs (atomic state write).  So the
 * next RETRs arrive while earlier messages are being indexed.
 *
 * No duplicate: a message's file name is a function of the account and
 * its UIDL.  When a file of that name already exists (a run killed after
 * the rename but before the UIDL was recorded) and holds the same bytes,
 * nothing is written again: the file is only (re)indexed and recorded. */
#ifndef MAILTUI_POP3_PIPELINE_H
#define MAILTUI_POP3_PIPELINE_H

#include "pop3/pop3_private.h"
#include "local/local.h"

struct pipeline;

/* state: uidl -> time table, borrowed; only the index thread touches it
 * until pipeline_finish returns. */
struct pipeline *pipeline_start(const struct pop3_fetch_opts *o, struct local_db *db,
	GHashTable *state, const char *state_path, size_t total);

/* Hand over one message (data owned by the pipeline from now on).  uidl
 * NULL: named by its content.  false when the pipeline has failed: stop. */
bool pipeline_push(struct pipeline *p, const char *uidl, GString *data);

/* Wait until everything pushed is stored and recorded; join the threads.
 * POP3_OK or the first failure (err filled).  *stored and *unindexed
 * count what was recorded.  Frees p. */
enum pop3_status pipeline_finish(struct pipeline *p, size_t *stored, size_t *unindexed,
	struct pop3_error *err);

/* Name prefix of this account's files: "mailtui.<8 hex>.", owned. */
char *pipeline_prefix(const char *account);

#endif
