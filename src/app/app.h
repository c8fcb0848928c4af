/* app.h - the event loop, worker threads and the account registry.
 *
 * The UI thread owns the screen.  It sits in app_loop_run(), which polls
 * the terminal, a wakeup pipe fed by workers, and a signal pipe (SIGWINCH,
 * SIGINT, SIGTERM, SIGHUP).  Each account has one worker thread that owns its
 * connections; the UI submits jobs and gets events back.  Data changes
 * hands by ownership transfer: a job's data belongs to the worker until
 * the job ends, an event belongs to the UI once posted. */
#ifndef MAILTUI_APP_H
#define MAILTUI_APP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

struct net_error;

/* ---- events (worker -> UI) --------------------------------------------- */

enum app_event_type {
	APP_EV_JOB_DONE,    /* a job finished: status 0 or an error text */
	APP_EV_JOB_CANCELLED,
	APP_EV_PROGRESS,    /* text/done/total describe long work */
	APP_EV_STATUS,      /* one line for the status bar */
	APP_EV_CERT_QUESTION, /* data: struct app_cert_question* */
	APP_EV_USER,        /* anything else; data/free_data carry it */
};

struct app_event {
	enum app_event_type type;
	int account;           /* index in the registry, -1 for none */
	uint64_t job;          /* id of the job that posted it, 0 for none */
	int status;            /* 0 ok, else an error class of the poster */
	char *text;            /* owned, translated, terminal-safe or NULL */
	uint64_t done, total;  /* progress */
	void *data;            /* owned; freed by free_data when the event is freed */
	void (*free_data)(void *data);
	struct app_event *next; /* queue link, private */
};

/* New event, zeroed but for type/account/job; text copied when non-NULL. */
struct app_event *app_event_new(enum app_event_type type, int account,
	uint64_t job, const char *text);
void app_event_free(struct app_event *ev);

/* ---- the loop ---------------------------------------------------------- */

struct app;

struct app_loop_handlers {
	void *ctx;
	/* The terminal fd is readable: read keys until none is left. */
	void (*on_input)(void *ctx);
	/* One event from a worker; the loop frees it after the call. */
	void (*on_event)(void *ctx, struct app_event *ev);
	/* SIGWINCH arrived (coalesced). */
	void (*on_resize)(void *ctx);
	/* SIGINT/SIGTERM/SIGHUP: the handler usually asks the loop to quit. */
	void (*on_signal)(void *ctx, int signo);
	/* Called once per wake-up after the above, to redraw what changed. */
	void (*on_idle)(void *ctx);
};

/* The loop and its pipes.  input_fd is the terminal (0), or -1. */
struct app *app_new(int input_fd);
void app_free(struct app *app);

/* Install signal handlers that feed the signal pipe. Once per process. */
int app_install_signals(struct app *app);

/* Thread-safe: queue ev (ownership passes to the loop) and wake the loop. */
void app_post(struct app *app, struct app_event *ev);

/* Run until app_quit(); returns 0. */
int app_loop_run(struct app *app, const struct app_loop_handlers *h);
void app_quit(struct app *app);

/* ---- timers (UI thread only) ------------------------------------------- */

typedef void (*app_timer_fn)(void *ctx);

/* Call fn(ctx) on the UI thread from app_loop_run() every interval_ms
 * milliseconds (> 0), the first time interval_ms from now.  A timer that
 * fell behind (a long handler, a suspended process) fires once, then
 * keeps its period from that moment.  Returns its id (> 0). */
unsigned app_timer_add(struct app *app, unsigned interval_ms, app_timer_fn fn, void *ctx);
/* Stop a timer; unknown ids (0 too) are ignored.  May be called from a
 * timer's own fn. */
void app_timer_remove(struct app *app, unsigned id);

/* ---- workers ----------------------------------------------------------- */

struct app_worker;
struct app_job;

/* A job runs on the worker thread.  It may post events (progress, status,
 * questions) through app_job_post().  Its return value is the status of
 * the APP_EV_JOB_DONE event; *text (owned, translated) may describe it. */
typedef int (*app_job_fn)(struct app_job *job, void *data, char **text);

struct app_worker *app_worker_new(struct app *app, int account, const char *name);
/* Cancels everything, waits for the running job, joins the thread. */
void app_worker_free(struct app_worker *w);

/* Queue a job; data passes to the worker and is freed with free_data after
 * the job has run (or been cancelled before running).  Returns its id. */
uint64_t app_worker_submit(struct app_worker *w, app_job_fn fn, void *data,
	void (*free_data)(void *));
/* Ask a job to stop: it is dropped if still queued, or its cancel flag
 * is raised if running (the network code checks it between reads). */
void app_worker_cancel(struct app_worker *w, uint64_t job);
/* Jobs queued or running. */
unsigned app_worker_pending(struct app_worker *w);

/* Inside a job. */
const volatile int *app_job_cancel_flag(struct app_job *job);
bool app_job_cancelled(struct app_job *job);
uint64_t app_job_id(struct app_job *job);
/* Post an event tagged with this job's id and account. */
void app_job_post(struct app_job *job, struct app_event *ev);

/* ---- the mail model shared by backends and the UI ---------------------- */

#include <stddef.h>
#include <time.h>

enum app_folder_role {
	APP_ROLE_NONE, APP_ROLE_INBOX, APP_ROLE_DRAFTS, APP_ROLE_SENT,
	APP_ROLE_ARCHIVE, APP_ROLE_JUNK, APP_ROLE_TRASH,
};

struct app_folder {
	char *id;          /* the backend's name: IMAP mailbox (UTF-8) or a notmuch query; owned */
	char *display;     /* last path component or search name, terminal-safe; owned */
	int depth;         /* hierarchy level, 0 at the top */
	enum app_folder_role role;
	bool selectable;
	long total, unread; /* -1 when unknown */
};

enum app_msg_flag {
	APP_MSG_SEEN = 1 << 0,
	APP_MSG_ANSWERED = 1 << 1,
	APP_MSG_FLAGGED = 1 << 2,
	APP_MSG_DELETED = 1 << 3,
	APP_MSG_DRAFT = 1 << 4,
	APP_MSG_ATTACHMENT = 1 << 5,
};

struct app_msg {
	uint32_t uid;      /* IMAP UID; local: position in the search result */
	char *key;         /* local: notmuch message id; NULL for IMAP; owned */
	char *path;        /* local: a file of the message; owned */
	time_t date;
	char *from;        /* decoded, terminal-safe display name or address; owned */
	char *subject;     /* decoded, terminal-safe; owned */
	char *message_id, *in_reply_to, *references; /* raw, for threading; owned */
	unsigned flags;    /* enum app_msg_flag */
	uint32_t packed;   /* bytes of strings kept right after the struct (app_msg_new_packed) */
	uint64_t size;
	char *tags;        /* local: space-separated notmuch tags; owned */
	char *from_addr;   /* the sender's bare address, terminal-safe, or NULL; owned */
};

struct app_folder *app_folder_new(void);
void app_folder_free(void *folder);
struct app_msg *app_msg_new(void);
void app_msg_free(void *msg);
/* A row in one allocation: the struct and copies of these strings (any
 * may be NULL) right after it; in_reply_to shares references' bytes when
 * equal.  A large folder has 100,000 rows: this saves six allocations a
 * row.  Such strings must not be g_free'd on their own; a field may still
 * be replaced by an owned string (app_msg_free frees only those).  Owned. */
struct app_msg *app_msg_new_packed(const char *from, const char *subject, const char *message_id,
	const char *in_reply_to, const char *references, const char *from_addr);
/* A deep copy (a screen keeping a message past the index's life).  Owned. */
struct app_msg *app_msg_copy(const struct app_msg *m);

/* Thread msgs (borrowed) by References and In-Reply-To, on the client.
 * Fills order[i] with the index into msgs of the i-th row and depth[i]
 * with its level (0 for a thread's root); both arrays hold msgs->len.
 * Threads are ordered by the date of their root, oldest first, children
 * by date; a missing parent makes its children roots; cycles are broken.
 * last_child[i] is true when row i is the last reply of its parent (for
 * drawing the tree). */
void app_thread_order(GPtrArray *msgs, unsigned *order, int *depth, bool *last_child);

/* One row of a threaded index with collapsed threads folded away. */
struct app_fold_row {
	unsigned row;    /* the row of the full list shown here */
	unsigned hidden; /* rows folded under it: full rows row+1 .. row+hidden */
};

/* Fold collapsed threads (pure).  The full list has n rows; thread[r]
 * names the thread of row r, and the rows of one thread are consecutive
 * (a run of equal values).  collapsed(thread, ctx) says whether a thread
 * shows as one row: its first row, with the rest counted in hidden.
 * A thread of one row is never folded (nor asked about).  Writes the
 * visible rows to out (room for n) and, when map is not NULL, map[r] =
 * the visible row that shows or hides row r.  Returns the number of
 * visible rows. */
unsigned app_thread_fold(const unsigned *thread, unsigned n,
	bool (*collapsed)(unsigned thread, void *ctx), void *ctx, struct app_fold_row *out,
	unsigned *map);

/* ---- accounts: what the UI asks of a mail store ------------------------
 *
 * One app_account per configured account, each with its own worker and a
 * backend (IMAP or notmuch) chosen by its mode; the UI never knows which.
 * Every call below queues a job and returns its id at once; results come
 * back as events carrying the account index and the job id:
 *   APP_EV_FOLDERS   data: GPtrArray of struct app_folder* (owned by the event)
 *   APP_EV_MSGS      data: GPtrArray of struct app_msg*, a chunk of a folder
 *                    being loaded (done/total give progress); text = folder id
 *   APP_EV_VIEW      data: struct mime_view* of the opened message
 *   APP_EV_SEARCH    data: GArray of guint32 uids matching
 *   APP_EV_FLAGS     data: struct app_msg* with the new flags (uid/key set;
 *                    local accounts: tags and path updated too);
 *                    text = folder id when the change came from the server
 *   APP_EV_PART      data: struct app_part* of app_account_fetch_part();
 *                    APP_EV_PROGRESS events (done/total bytes) come before it
 *   APP_EV_FETCHED   a fetch of new mail ended: done = messages stored,
 *                    total = deleted from the server, status 0 or -1,
 *                    text = the summary or the error (translated)
 *   APP_EV_VANISHED  data: GArray of guint32 uids gone from the folder
 *                    (expunged elsewhere, or all of them when the folder
 *                    was recreated); text = folder id
 *   APP_EV_FOLDER_STATUS data: struct app_folder* (id, total, unread) with
 *                    new counts of one folder
 *   APP_EV_JOB_DONE  at the end of every job (status 0 or an error text)
 *
 * While an IMAP folder is open (until app_account_close_folder) the
 * account watches it: new mail arrives as APP_EV_MSGS with job 0 and
 * text = the folder id, expunges as APP_EV_VANISHED, flag changes as
 * APP_EV_FLAGS.
 *
 * Local (POP3) accounts: folders are notmuch queries (app_folder.id is the
 * query), app_msg.key is the Message-ID and app_msg.uid the message's
 * 1-based position in the folder's result, newest first, as open_folder
 * gave it; APP_EV_SEARCH answers with such positions.  Positions hold
 * until the folder changes (a fetch, a purge): reload it then. */

struct config;
struct config_account;
struct mime_view_opts;

enum {
	APP_EV_FOLDERS = APP_EV_USER + 1,
	APP_EV_MSGS,
	APP_EV_VIEW,
	APP_EV_SEARCH,
	APP_EV_FLAGS,
	APP_EV_PART,
	APP_EV_FETCHED,
	APP_EV_VANISHED,
	APP_EV_FOLDER_STATUS,
};

struct app_account;

/* Create the accounts of cfg (borrowed; must outlive them), workers started. */
GPtrArray *app_accounts_new(struct app *app, struct config *cfg);
void app_accounts_free(GPtrArray *accounts);

const struct config_account *app_account_config(const struct app_account *acc);
int app_account_index(const struct app_account *acc);

uint64_t app_account_list_folders(struct app_account *acc);
uint64_t app_account_open_folder(struct app_account *acc, const char *folder);
/* The user left the folder: stop watching it and save its header cache. */
uint64_t app_account_close_folder(struct app_account *acc, const char *folder);
/* Fetch and render the message: only what the pager shows. */
uint64_t app_account_open_message(struct app_account *acc, const char *folder,
	const struct app_msg *msg, const struct mime_view_opts *opts);
uint64_t app_account_set_flags(struct app_account *acc, const char *folder,
	const struct app_msg *msg, unsigned add, unsigned remove);
uint64_t app_account_move(struct app_account *acc, const char *folder,
	const struct app_msg *msg, const char *dest, bool copy);
uint64_t app_account_expunge(struct app_account *acc, const char *folder);
uint64_t app_account_search(struct app_account *acc, const char *folder, const char *query);
/* Local accounts: add then remove tags (space-separated lists, either may
 * be NULL); the result is an APP_EV_FLAGS event with the message's new
 * tags and flags.  Other accounts: an error, "not available". */
uint64_t app_account_tag(struct app_account *acc, const char *folder, const struct app_msg *msg,
	const char *add, const char *remove);
/* POP3 accounts: download new mail on the account's worker (progress as
 * APP_EV_PROGRESS, then APP_EV_FETCHED).  Returns 0 without queueing
 * when a fetch of this account is already queued or running. */
uint64_t app_account_fetch(struct app_account *acc);
/* Fetch one part's bytes (an attachment, on view or save only), with the
 * transfer encoding undone; answered by APP_EV_PART. */
uint64_t app_account_fetch_part(struct app_account *acc, const char *folder,
	const struct app_msg *msg, const char *section);
void app_account_cancel(struct app_account *acc, uint64_t job);

/* APP_EV_CERT_QUESTION's data: the server's certificate is not trusted
 * by any authority; the event text describes it with its fingerprint.
 * The UI asks: reject, accept once, accept always. */
struct app_cert_question {
	char *host;  /* owned */
	unsigned port;
	char *pin;   /* "sha256//..." owned */
	bool smtp;   /* asked while sending: retry with app_account_outbox_flush() */
};
void app_cert_question_free(void *q);

/* APP_EV_PART's data. */
struct app_part {
	char *section; /* as asked, owned */
	GBytes *bytes; /* decoded, owned (g_bytes_unref) */
};
void app_part_free(void *part);
/* The user's answer: accept pin for this run, or always (written to the
 * trust file that IMAP, POP3 and SMTP share).  Queued like any job;
 * the UI then retries what failed. */
uint64_t app_account_trust(struct app_account *acc, const char *pin, bool always);

/* ---- addresses for completion --------------------------------------------
 * APP_EV_ADDRESSES  data: GPtrArray of struct app_address* (owned by the
 *                   event), most frequent first. */
enum {
	APP_EV_ADDRESSES = APP_EV_USER + 70,
};

struct app_address {
	char *name;     /* display name, terminal-safe, or NULL; owned */
	char *addr;     /* bare address, terminal-safe; owned */
	unsigned count; /* how often the store's mail names it */
};
void app_address_free(void *address);

/* The addresses the account's store knows, for completion: POP3 accounts
 * the senders and recipients of the notmuch-indexed mail (at most 2000,
 * only those starting with prefix unless it is NULL or ""), answered by
 * one APP_EV_ADDRESSES.  A store without such a list (IMAP) answers with
 * no event and status 0. */
uint64_t app_account_addresses(struct app_account *acc, const char *prefix);

/* ---- writing and sending (send.c) ---------------------------------------
 * Events, with numbers of their own so other event kinds can be added:
 *   APP_EV_RAW     data: GBytes* of a whole message (fetch_raw, outbox_read)
 *   APP_EV_OUTBOX  data: GPtrArray of struct app_outbox_item* (owned by the event)
 *   APP_EV_PROGRESS  while a large message is sent: done/total bytes
 * app_account_send's APP_EV_JOB_DONE status: 0 sent (text, when set, warns
 * about the Sent copy or a refused recipient), APP_SEND_QUEUED the message
 * waits in the outbox (text says why), -1 nothing was queued (the draft
 * has a problem: text says which; the UI keeps the draft). */

struct mime_draft;

enum {
	APP_EV_RAW = APP_EV_USER + 50,
	APP_EV_OUTBOX,
};

#define APP_SEND_QUEUED 1

/* Where a message being sent came from, so sending can finish the job:
 * all optional (NULL), borrowed for the call (copied). */
struct app_send_ref {
	const char *reply_folder;          /* the original of a reply: */
	const struct app_msg *reply_msg;   /*   marked answered once sent */
	const char *draft_folder;          /* the postponed draft it was resumed from: */
	const struct app_msg *draft_msg;   /*   deleted once sent or postponed again */
	const char *outbox_id;             /* an outbox entry it replaces (edited) */
};

/* The whole message (for reply and forward).  APP_EV_RAW, or an error
 * when the store cannot (a backend without fetch_raw). */
uint64_t app_account_fetch_raw(struct app_account *acc, const char *folder,
	const struct app_msg *msg);
/* Build draft (ownership passes) on the worker, queue it in the outbox,
 * send it; then store the Sent copy (\Seen), mark the reply's original
 * answered, delete the resumed draft.  ref may be NULL. */
uint64_t app_account_send(struct app_account *acc, struct mime_draft *draft,
	const struct app_send_ref *ref);
/* Store draft (ownership passes) in Drafts with \Draft; ref's draft_msg
 * (the one it was resumed from) is deleted after. */
uint64_t app_account_postpone(struct app_account *acc, struct mime_draft *draft,
	const struct app_send_ref *ref);

struct app_outbox_item {
	char *id;          /* owned */
	char *subject;     /* decoded, terminal-safe; owned */
	char *recipients;  /* "a@b, c@d", terminal-safe; owned */
	char *state;       /* translated word: "queued", "failed", ...; owned */
	char *error;       /* translated sentence with the server's words, terminal-safe, or NULL */
	bool editable;     /* refused for good or interrupted: edit or send again */
	time_t created;
};
void app_outbox_item_free(void *item);

/* The outbox: APP_EV_OUTBOX with every entry. */
uint64_t app_account_outbox_list(struct app_account *acc);
/* Send what waits (requeue_id, when set, is first made QUEUED again);
 * messages already accepted get their Sent copy.  Then APP_EV_OUTBOX. */
uint64_t app_account_outbox_flush(struct app_account *acc, const char *requeue_id);
/* Delete one entry for good, then APP_EV_OUTBOX. */
uint64_t app_account_outbox_delete(struct app_account *acc, const char *id);
/* One entry's message: APP_EV_RAW. */
uint64_t app_account_outbox_read(struct app_account *acc, const char *id);

/* ---- words for lower layers' failures (translate at the edge) ----------- */

/* A translated sentence for a transport failure, naming host and port and,
 * for certificate problems, the SHA-256 fingerprint.  Owned. */
char *app_net_error_text(const struct net_error *err, const char *host, unsigned port);

struct pop3_error;
/* A translated sentence for a failed POP3 session or fetch (server text
 * made terminal-safe; transport failures through app_net_error_text).
 * Owned. */
char *app_pop3_error_text(const struct pop3_error *err, const char *host, unsigned port);

/* Fill o from account a: server, TLS, credentials (password borrowed),
 * timeout, CA file and pin, Maildir and keep; progress, cancel and
 * accept_once are left for the caller. */
struct pop3_fetch_opts;
void app_pop3_fetch_opts(const struct config_account *a, const char *password,
	struct pop3_fetch_opts *o);

/* The SMTP server of account a (its smtp_url set) for src/smtp: TLS,
 * timeout, CA file, credentials (password_command / oauth_token_command
 * run now: call from a worker or a command, never the UI thread; the
 * secrets are kept out of the debug log) and the key to pin: the
 * account's tls_fingerprint, else pin_once (a key accepted for this run,
 * may be NULL), else one accepted always in the trust file.  srv points
 * into c, which owns the secrets: wipe with app_smtp_creds_clear().
 * false with *err (owned, translated). */
struct smtp_server;
struct app_smtp_creds {
	char *password, *token;
	char pin[64];
};
void app_smtp_creds_clear(struct app_smtp_creds *c);
bool app_smtp_server(const struct config_account *a, const char *pin_once,
	struct smtp_server *srv, struct app_smtp_creds *c, char **err);

/* A translated phrase for an SMTP send's outcome (an enum smtp_status:
 * "sent", "cannot connect to the SMTP server", ...).  Static. */
const char *app_smtp_status_text(int status);

#endif
