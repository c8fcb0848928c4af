/* cache.c - the header cache: one file per account and folder.
 *
 * Layout (all integers little endian):
 *
 *   0  magic "\x89MTHC\r\n\x1a" (a text-mode copy or a stray file fails here)
 *   8  u32 version (1)         12 u32 record count
 *  16  u32 UIDVALIDITY         20 u32 UIDNEXT at the last resync
 *  24  u64 HIGHESTMODSEQ at the last resync
 *  32  u64 bytes of records    40 u64 XXH64 of the owner key
 *  48  u64 XXH64 of the records
 *  56  u64 XXH64 of bytes 0..56
 *  64  records, ascending UID:
 *        u32 uid, u32 flags, i64 date, u64 size,
 *        u16 length of from, subject, message-id, in-reply-to, references
 *        (0xffff: absent), then each present string and a NUL.
 *
 * Why binary and not SQLite/LMDB or text: 100,000 records are about
 * 20 MB; they are hashed, walked and turned into index rows in a few
 * tens of milliseconds straight from a read-only mapping (see the commit
 * and tests/bench/imap), and written in one sequential pass.  Nothing
 * needs random updates on disk: the folder is rewritten after a resync.
 *
 * In memory the cache is the mapped (or copied) image plus an array of
 * entries, one per message, pointing at its record; a changed message
 * gets a record of its own, new flags live in the entry.  Pages of the
 * mapping are handed back after each pass so a large folder does not sit
 * in memory twice (once here, once as index rows).
 *
 * A cache being filled from the network (a cold load of a large folder)
 * can spill: each record goes to an unlinked temporary file as it
 * arrives and the entry keeps only its offset, so the cache costs 24
 * bytes a message instead of a copy of every row the index holds; the
 * records are read back through a small window, in UID order, when the
 * file is written. */
#include "imap/imap_private.h"

#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER_LEN 64
#define FIXED_LEN 34 /* record bytes before the strings */
#define NSTR 5
#define ABSENT 0xffffu
#define MAX_STR 65534u
#define FORMAT_VERSION 1u

static const unsigned char magic[8] = {0x89, 'M', 'T', 'H', 'C', '\r', '\n', 0x1a};

enum rec_kind {
	REC_IMAGE, /* rec points into the image */
	REC_OWNED, /* rec is g_malloc'd, ours */
	REC_SPILL, /* off is the record's place in the spill file */
};

struct entry {
	uint32_t uid;
	uint32_t flags;
	union {
		const unsigned char *rec;
		uint64_t off;
	};
	uint8_t kind;  /* enum rec_kind */
	uint32_t seq; /* order of imap_cache_put calls, for settle() */
};

/* The spill file: records appended through wbuf, read back through a
 * window (rbuf holds the file's bytes [roff, roff + rlen)). */
struct spill {
	int fd;
	bool writable;   /* false after a write failed: puts stay in memory */
	bool broken;     /* a read failed: never save what we have */
	uint64_t len;    /* bytes in the file */
	unsigned char *wbuf;
	size_t wlen;
	unsigned char *rbuf;
	uint64_t roff;
	size_t rlen;
};

struct imap_cache {
	char *key;
	uint32_t uidvalidity, uidnext;
	uint64_t modseq;
	unsigned char *image; /* whole file image, or NULL */
	size_t image_len;
	bool mapped;     /* image is an mmap, else g_malloc'd */
	GArray *entries; /* of struct entry, ascending uid once settled */
	bool unsorted;   /* puts appended out of order since the last settle() */
	uint32_t seq;
	struct spill *spill; /* NULL unless imap_cache_spill() */
};

/* ---- XXH64 ---------------------------------------------------------- */

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static inline uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t rd64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

static inline uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint16_t rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint64_t round64(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	acc = rotl(acc, 31);
	return acc * P1;
}

static inline uint64_t merge64(uint64_t acc, uint64_t v)
{
	acc ^= round64(0, v);
	return acc * P1 + P4;
}

/* Streaming state: whole 32-byte stripes go to the lanes at once. */
struct xxh {
	uint64_t v[4];
	uint64_t total;
	unsigned char buf[32];
	size_t nbuf;
};

static void xxh_init(struct xxh *h)
{
	h->v[0] = P1 + P2;
	h->v[1] = P2;
	h->v[2] = 0;
	h->v[3] = -P1;
	h->total = 0;
	h->nbuf = 0;
}

static inline void xxh_stripe(struct xxh *h, const unsigned char *p)
{
	h->v[0] = round64(h->v[0], rd64(p));
	h->v[1] = round64(h->v[1], rd64(p + 8));
	h->v[2] = round64(h->v[2], rd64(p + 16));
	h->v[3] = round64(h->v[3], rd64(p + 24));
}

static void xxh_update(struct xxh *h, const void *data, size_t len)
{
	const unsigned char *p = data;
	h->total += len;
	if (h->nbuf) {
		size_t take = MIN(len, 32 - h->nbuf);
		memcpy(h->buf + h->nbuf, p, take);
		h->nbuf += take;
		p += take;
		len -= take;
		if (h->nbuf < 32)
			return;
		xxh_stripe(h, h->buf);
		h->nbuf = 0;
	}
	while (len >= 32) {
		xxh_stripe(h, p);
		p += 32;
		len -= 32;
	}
	memcpy(h->buf, p, len);
	h->nbuf = len;
}

static uint64_t xxh_final(const struct xxh *h)
{
	uint64_t acc;
	if (h->total >= 32) {
		acc = rotl(h->v[0], 1) + rotl(h->v[1], 7) + rotl(h->v[2], 12) + rotl(h->v[3], 18);
		for (int i = 0; i < 4; i++)
			acc = merge64(acc, h->v[i]);
	} else {
		acc = P5;
	}
	acc += h->total;
	const unsigned char *p = h->buf;
	size_t len = h->nbuf;
	for (; len >= 8; p += 8, len -= 8)
		acc = rotl(acc ^ round64(0, rd64(p)), 27) * P1 + P4;
	if (len >= 4) {
		acc = rotl(acc ^ (uint64_t)rd32(p) * P1, 23) * P2 + P3;
		p += 4;
		len -= 4;
	}
	for (; len; p++, len--)
		acc = rotl(acc ^ *p * P5, 11) * P1;
	acc ^= acc >> 33;
	acc *= P2;
	acc ^= acc >> 29;
	acc *= P3;
	acc ^= acc >> 32;
	return acc;
}

uint64_t imap_cache_hash(const void *data, size_t len)
{
	struct xxh h;
	xxh_init(&h);
	xxh_update(&h, data, len);
	return xxh_final(&h);
}

/* ---- the object ----------------------------------------------------- */

const char *imap_cache_result_name(enum imap_cache_result r)
{
	static const char *const names[] = {
	    [IMAP_CACHE_OK] = "ok",
	    [IMAP_CACHE_MISSING] = "missing",
	    [IMAP_CACHE_IO] = "io",
	    [IMAP_CACHE_SHORT] = "short",
	    [IMAP_CACHE_MAGIC] = "magic",
	    [IMAP_CACHE_FOREIGN] = "foreign",
	    [IMAP_CACHE_CHECKSUM] = "checksum",
	    [IMAP_CACHE_RECORD] = "record",
	};
	return (size_t)r < G_N_ELEMENTS(names) ? names[r] : "?";
}

struct imap_cache *imap_cache_new(const char *key, uint32_t uidvalidity)
{
	struct imap_cache *c = g_new0(struct imap_cache, 1);
	c->key = g_strdup(key ? key : "");
	c->uidvalidity = uidvalidity;
	c->entries = g_array_new(FALSE, FALSE, sizeof(struct entry));
	return c;
}

static void drop_image(struct imap_cache *c)
{
	if (!c->image)
		return;
	if (c->mapped)
		munmap(c->image, c->image_len);
	else
		g_free(c->image);
	c->image = NULL;
	c->image_len = 0;
}

static void spill_free(struct spill *sp)
{
	if (!sp)
		return;
	close(sp->fd);
	g_free(sp->wbuf);
	g_free(sp->rbuf);
	g_free(sp);
}

static void drop_entry(struct entry *e)
{
	if (e->kind == REC_OWNED)
		g_free((void *)e->rec);
}

void imap_cache_free(struct imap_cache *c)
{
	if (!c)
		return;
	for (guint i = 0; i < c->entries->len; i++)
		drop_entry(&g_array_index(c->entries, struct entry, i));
	g_array_free(c->entries, TRUE);
	drop_image(c);
	spill_free(c->spill);
	g_free(c->key);
	g_free(c);
}

/* Give pages of a mapping back to the page cache once a pass is done
 * with them: they are read again from there when needed. */
static void release(const struct imap_cache *c, const unsigned char *from, const unsigned char *to)
{
	if (!c->mapped || to <= from)
		return;
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)from + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	uintptr_t b = (uintptr_t)to & ~((uintptr_t)page - 1);
	if (b > a)
		madvise((void *)a, b - a, MADV_DONTNEED);
}

/* Length of the record at p (at most avail bytes), or 0 when it does not
 * fit or a string is not NUL-terminated or holds a NUL. */
static size_t record_len(const unsigned char *p, size_t avail)
{
	if (avail < FIXED_LEN)
		return 0;
	size_t off = FIXED_LEN;
	for (int i = 0; i < NSTR; i++) {
		unsigned l = rd16(p + 24 + 2 * i);
		if (l == ABSENT)
			continue;
		if (avail - off < (size_t)l + 1 || p[off + l] != '\0' || memchr(p + off, 0, l))
			return 0;
		off += (size_t)l + 1;
	}
	return off;
}

#define RELEASE_STEP (4u << 20)

static enum imap_cache_result adopt(const char *key, struct imap_cache *c)
{
	const unsigned char *d = c->image;
	size_t len = c->image_len;
	if (len < HEADER_LEN)
		return len == 0                                        ? IMAP_CACHE_SHORT
		       : memcmp(d, magic, MIN(len, sizeof magic)) == 0 ? IMAP_CACHE_SHORT
		                                                       : IMAP_CACHE_MAGIC;
	if (memcmp(d, magic, sizeof magic) != 0 || rd32(d + 8) != FORMAT_VERSION)
		return IMAP_CACHE_MAGIC;
	if (imap_cache_hash(d, 56) != rd64(d + 56))
		return IMAP_CACHE_CHECKSUM;
	if (imap_cache_hash(key, strlen(key)) != rd64(d + 40))
		return IMAP_CACHE_FOREIGN;
	uint32_t count = rd32(d + 12);
	uint64_t rlen = rd64(d + 32);
	if (rlen != len - HEADER_LEN)
		return IMAP_CACHE_SHORT;
	/* Hash in steps, handing each step's pages back. */
	struct xxh h;
	xxh_init(&h);
	for (size_t off = 0; off < rlen; off += RELEASE_STEP) {
		size_t n = MIN(RELEASE_STEP, rlen - off);
		xxh_update(&h, d + HEADER_LEN + off, n);
		release(c, d + HEADER_LEN + off, d + HEADER_LEN + off + n);
	}
	if (xxh_final(&h) != rd64(d + 48))
		return IMAP_CACHE_CHECKSUM;
	if (count > rlen / FIXED_LEN)
		return IMAP_CACHE_RECORD;
	c->uidvalidity = rd32(d + 16);
	c->uidnext = rd32(d + 20);
	c->modseq = rd64(d + 24);
	g_array_set_size(c->entries, count);
	const unsigned char *p = d + HEADER_LEN, *end = d + len, *mark = p;
	uint32_t prev = 0;
	for (uint32_t i = 0; i < count; i++) {
		size_t rl = record_len(p, (size_t)(end - p));
		uint32_t uid = rl ? rd32(p) : 0;
		if (!rl || uid <= prev) {
			g_array_set_size(c->entries, 0);
			return IMAP_CACHE_RECORD;
		}
		struct entry *e = &g_array_index(c->entries, struct entry, i);
		e->uid = prev = uid;
		e->flags = rd32(p + 4);
		e->rec = p;
		e->kind = REC_IMAGE;
		p += rl;
		if ((size_t)(p - mark) >= RELEASE_STEP) {
			release(c, mark, p);
			mark = p;
		}
	}
	release(c, mark, end);
	if (p != end) {
		g_array_set_size(c->entries, 0);
		return IMAP_CACHE_RECORD;
	}
	return IMAP_CACHE_OK;
}

enum imap_cache_result imap_cache_parse(const char *key, const void *data, size_t len,
                                        struct imap_cache **out)
{
	struct imap_cache *c = imap_cache_new(key, 0);
	c->image = g_malloc(len ? len : 1);
	if (len)
		memcpy(c->image, data, len);
	c->image_len = len;
	enum imap_cache_result r = adopt(c->key, c);
	if (r != IMAP_CACHE_OK) {
		imap_cache_free(c);
		c = NULL;
	}
	*out = c;
	return r;
}

enum imap_cache_result imap_cache_load(const char *path, const char *key, struct imap_cache **out)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? IMAP_CACHE_MISSING : IMAP_CACHE_IO;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return IMAP_CACHE_IO;
	}
	if (st.st_size < HEADER_LEN) {
		close(fd);
		return st.st_size == 0 ? IMAP_CACHE_SHORT : IMAP_CACHE_SHORT;
	}
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return IMAP_CACHE_IO;
	struct imap_cache *c = imap_cache_new(key, 0);
	c->image = map;
	c->image_len = (size_t)st.st_size;
	c->mapped = true;
	enum imap_cache_result r = adopt(c->key, c);
	if (r != IMAP_CACHE_OK) {
		imap_cache_free(c);
		return r;
	}
	*out = c;
	return IMAP_CACHE_OK;
}

static int by_uid_seq(gconstpointer a, gconstpointer b)
{
	const struct entry *x = a, *y = b;
	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Puts in any order just append (a folder loads newest first: inserting
 * each in place would move the whole array every time); the order is
 * restored here, once, when it is needed; of equal UIDs the last put
 * wins.  Not thread-safe, like everything here: logically const. */
static void settle(const struct imap_cache *cc)
{
	struct imap_cache *c = (struct imap_cache *)cc;
	if (!c->unsorted)
		return;
	c->unsorted = false;
	g_array_sort(c->entries, by_uid_seq);
	guint w = 0;
	for (guint r = 0; r < c->entries->len; r++) {
		struct entry *e = &g_array_index(c->entries, struct entry, r);
		if (r + 1 < c->entries->len &&
		    g_array_index(c->entries, struct entry, r + 1).uid == e->uid) {
			drop_entry(e);
			continue;
		}
		if (w != r)
			g_array_index(c->entries, struct entry, w) = *e;
		w++;
	}
	g_array_set_size(c->entries, w);
}

/* ---- the spill file, reading ---------------------------------------- */

/* The longest record: the fixed part and five strings of MAX_STR. */
#define MAX_RECORD (FIXED_LEN + NSTR * (MAX_STR + 1))
#define SPILL_WBUF (256u * 1024)
#define SPILL_RBUF (1024u * 1024) /* > MAX_RECORD: any record fits */
G_STATIC_ASSERT(SPILL_RBUF > MAX_RECORD);

static bool read_full(int fd, void *buf, size_t len, uint64_t off)
{
	unsigned char *p = buf;
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return true;
}

/* The spilled record at off, or NULL when it cannot be read (the cache
 * is then never saved).  Valid until the next call on the cache: the
 * window moves. */
static const unsigned char *spill_rec(struct spill *sp, uint64_t off)
{
	if (sp->broken)
		return NULL;
	if (off >= sp->len) { /* still in the write buffer: records are whole there */
		size_t at = (size_t)(off - sp->len);
		return at < sp->wlen && record_len(sp->wbuf + at, sp->wlen - at) ? sp->wbuf + at
		                                                                  : NULL;
	}
	if (sp->rbuf && off >= sp->roff && off < sp->roff + sp->rlen) {
		const unsigned char *p = sp->rbuf + (off - sp->roff);
		if (record_len(p, sp->rlen - (size_t)(off - sp->roff)))
			return p;
	}
	if (!sp->rbuf)
		sp->rbuf = g_malloc(SPILL_RBUF);
	size_t want = (size_t)MIN((uint64_t)SPILL_RBUF, sp->len - off);
	sp->rlen = 0;
	if (!read_full(sp->fd, sp->rbuf, want, off) || !record_len(sp->rbuf, want)) {
		sp->broken = true;
		return NULL;
	}
	sp->roff = off;
	sp->rlen = want;
	return sp->rbuf;
}

static const unsigned char *rec_of(const struct imap_cache *c, const struct entry *e)
{
	return e->kind == REC_SPILL ? spill_rec(c->spill, e->off) : e->rec;
}

/* ---- reading -------------------------------------------------------- */

uint32_t imap_cache_uidvalidity(const struct imap_cache *c)
{
	return c->uidvalidity;
}

uint32_t imap_cache_uidnext(const struct imap_cache *c)
{
	return c->uidnext;
}

uint64_t imap_cache_modseq(const struct imap_cache *c)
{
	return c->modseq;
}

void imap_cache_set_sync(struct imap_cache *c, uint32_t uidnext, uint64_t modseq)
{
	c->uidnext = uidnext;
	c->modseq = modseq;
}

size_t imap_cache_count(const struct imap_cache *c)
{
	settle(c);
	return c->entries->len;
}

uint32_t imap_cache_max_uid(const struct imap_cache *c)
{
	settle(c);
	return c->entries->len ? g_array_index(c->entries, struct entry, c->entries->len - 1).uid
	                       : 0;
}

void imap_cache_get(const struct imap_cache *c, size_t i, struct imap_cache_msg *out)
{
	settle(c);
	const struct entry *e = &g_array_index(c->entries, struct entry, i);
	const unsigned char *p = rec_of(c, e);
	const char **str[NSTR] = {&out->from, &out->subject, &out->message_id, &out->in_reply_to,
	                          &out->references};
	out->uid = e->uid;
	out->flags = e->flags;
	if (!p) { /* the spill file could not be read: nothing but the entry */
		out->date = 0;
		out->size = 0;
		for (int k = 0; k < NSTR; k++)
			*str[k] = NULL;
		return;
	}
	out->date = (int64_t)rd64(p + 8);
	out->size = rd64(p + 16);
	size_t off = FIXED_LEN;
	for (int k = 0; k < NSTR; k++) {
		unsigned l = rd16(p + 24 + 2 * k);
		if (l == ABSENT) {
			*str[k] = NULL;
			continue;
		}
		*str[k] = (const char *)p + off;
		off += (size_t)l + 1;
	}
}

void imap_cache_release_pages(const struct imap_cache *c)
{
	if (c->image)
		release(c, c->image, c->image + c->image_len);
}

/* Position of uid, or where it would go (*found false). */
static guint search(const struct imap_cache *c, uint32_t uid, bool *found)
{
	settle(c);
	guint lo = 0, hi = c->entries->len;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		uint32_t u = g_array_index(c->entries, struct entry, mid).uid;
		if (u == uid) {
			*found = true;
			return mid;
		}
		if (u < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

ssize_t imap_cache_find(const struct imap_cache *c, uint32_t uid)
{
	bool found;
	guint i = search(c, uid, &found);
	return found ? (ssize_t)i : -1;
}

/* ---- changing ------------------------------------------------------- */

static inline void wr16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void wr32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void wr64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A string's stored length: cut at MAX_STR (on a UTF-8 boundary) and at
 * a NUL, which cannot be stored. */
static unsigned str_len(const char *s)
{
	if (!s)
		return ABSENT;
	size_t l = strnlen(s, MAX_STR + 1);
	if (l > MAX_STR) {
		l = MAX_STR;
		while (l > 0 && ((unsigned char)s[l] & 0xc0) == 0x80)
			l--;
	}
	return (unsigned)l;
}

/* Bytes of m's record; lens gets each string's stored length. */
static size_t record_size(const struct imap_cache_msg *m, unsigned lens[NSTR])
{
	const char *str[NSTR] = {m->from, m->subject, m->message_id, m->in_reply_to, m->references};
	size_t total = FIXED_LEN;
	for (int k = 0; k < NSTR; k++) {
		lens[k] = str_len(str[k]);
		if (lens[k] != ABSENT)
			total += lens[k] + 1;
	}
	return total;
}

static void fill_record(unsigned char *r, const struct imap_cache_msg *m, const unsigned lens[NSTR])
{
	const char *str[NSTR] = {m->from, m->subject, m->message_id, m->in_reply_to, m->references};
	wr32(r, m->uid);
	wr32(r + 4, m->flags);
	wr64(r + 8, (uint64_t)m->date);
	wr64(r + 16, m->size);
	size_t off = FIXED_LEN;
	for (int k = 0; k < NSTR; k++) {
		wr16(r + 24 + 2 * k, (uint16_t)lens[k]);
		if (lens[k] == ABSENT)
			continue;
		memcpy(r + off, str[k], lens[k]);
		r[off + lens[k]] = '\0';
		off += lens[k] + 1;
	}
}

/* ---- the spill file, writing ---------------------------------------- */

/* Entries whose records are in the write buffer get copies of their own:
 * the buffer could not be written. */
static void unspill_buffered(struct imap_cache *c)
{
	struct spill *sp = c->spill;
	for (guint i = 0; i < c->entries->len; i++) {
		struct entry *e = &g_array_index(c->entries, struct entry, i);
		if (e->kind != REC_SPILL || e->off < sp->len)
			continue;
		const unsigned char *p = sp->wbuf + (e->off - sp->len);
		e->rec = g_memdup2(p, record_len(p, sp->wlen - (size_t)(e->off - sp->len)));
		e->kind = REC_OWNED;
	}
	sp->wlen = 0;
}

static void spill_flush(struct imap_cache *c)
{
	struct spill *sp = c->spill;
	if (!sp || !sp->writable || !sp->wlen)
		return;
	if (core_write_all(sp->fd, sp->wbuf, sp->wlen) == 0) {
		sp->len += sp->wlen;
		sp->wlen = 0;
		return;
	}
	/* A full disk: what was written stays readable, the rest in memory. */
	sp->writable = false;
	unspill_buffered(c); /* bytes past len, if any, are never read */
}

int imap_cache_spill(struct imap_cache *c, const char *dir)
{
	if (c->spill)
		return 0;
	int r = core_mkdir_p(dir, 0700);
	if (r < 0)
		return r;
	/* Unlinked from the start: nothing is left behind by a crash. */
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		char *tmpl = g_build_filename(dir, ".spill-XXXXXX", NULL);
		fd = g_mkstemp_full(tmpl, O_RDWR | O_CLOEXEC, 0600);
		if (fd >= 0)
			unlink(tmpl);
		g_free(tmpl);
		if (fd < 0)
			return -errno;
	}
	struct spill *sp = g_new0(struct spill, 1);
	sp->fd = fd;
	sp->writable = true;
	sp->wbuf = g_malloc(SPILL_WBUF);
	c->spill = sp;
	return 0;
}

bool imap_cache_spilled(const struct imap_cache *c)
{
	return c->spill != NULL;
}

/* ---- changing, continued -------------------------------------------- */

void imap_cache_put(struct imap_cache *c, const struct imap_cache_msg *m)
{
	unsigned lens[NSTR];
	size_t size = record_size(m, lens);
	struct entry e = {.uid = m->uid, .flags = m->flags, .seq = ++c->seq};
	struct spill *sp = c->spill;
	if (sp && sp->writable && sp->wlen + size > SPILL_WBUF)
		spill_flush(c);
	if (sp && sp->writable && size <= SPILL_WBUF) {
		e.off = sp->len + sp->wlen;
		e.kind = REC_SPILL;
		fill_record(sp->wbuf + sp->wlen, m, lens);
		sp->wlen += size;
	} else {
		unsigned char *r = g_malloc(size);
		fill_record(r, m, lens);
		e.rec = r;
		e.kind = REC_OWNED;
	}
	guint n = c->entries->len;
	if (n && g_array_index(c->entries, struct entry, n - 1).uid >= m->uid)
		c->unsorted = true;
	g_array_append_val(c->entries, e);
}

bool imap_cache_set_flags(struct imap_cache *c, uint32_t uid, uint32_t flags)
{
	bool found;
	guint i = search(c, uid, &found);
	if (found)
		g_array_index(c->entries, struct entry, i).flags = flags;
	return found;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

size_t imap_cache_remove(struct imap_cache *c, const uint32_t *uids, size_t n)
{
	settle(c);
	if (!n || !c->entries->len)
		return 0;
	uint32_t *sorted = g_memdup2(uids, n * sizeof *uids);
	qsort(sorted, n, sizeof *sorted, cmp_u32);
	/* One merge pass over both sorted lists. */
	guint w = 0;
	size_t k = 0, gone = 0;
	for (guint r = 0; r < c->entries->len; r++) {
		struct entry *e = &g_array_index(c->entries, struct entry, r);
		while (k < n && sorted[k] < e->uid)
			k++;
		if (k < n && sorted[k] == e->uid) {
			drop_entry(e);
			gone++;
			continue;
		}
		if (w != r)
			g_array_index(c->entries, struct entry, w) = *e;
		w++;
	}
	g_array_set_size(c->entries, w);
	g_free(sorted);
	return gone;
}

/* ---- writing -------------------------------------------------------- */

typedef int (*sink_fn)(void *user, const void *data, size_t len);

/* Records through sink in 64 KiB blocks; fills the header in hdr. */
static int write_records(const struct imap_cache *c, unsigned char hdr[HEADER_LEN], sink_fn sink,
                         void *user)
{
	enum { BLOCK = 64 * 1024 };
	settle(c);
	unsigned char *buf = g_malloc(BLOCK);
	size_t nbuf = 0;
	uint64_t total = 0;
	struct xxh h;
	xxh_init(&h);
	int r = 0;
	if (c->spill && c->spill->broken)
		r = -EIO;
	for (guint i = 0; i < c->entries->len && r == 0; i++) {
		const struct entry *e = &g_array_index(c->entries, struct entry, i);
		const unsigned char *rec = rec_of(c, e);
		if (!rec) {
			r = -EIO;
			break;
		}
		size_t rl = record_len(rec, SIZE_MAX);
		unsigned char fixed[8];
		wr32(fixed, e->uid);
		wr32(fixed + 4, e->flags); /* the entry's flags win over the record's */
		const unsigned char *parts[2] = {fixed, rec + 8};
		size_t lens[2] = {8, rl - 8};
		for (int k = 0; k < 2 && r == 0; k++) {
			const unsigned char *p = parts[k];
			size_t l = lens[k];
			while (l && r == 0) {
				size_t take = MIN(l, (size_t)BLOCK - nbuf);
				memcpy(buf + nbuf, p, take);
				nbuf += take;
				p += take;
				l -= take;
				if (nbuf == BLOCK) {
					xxh_update(&h, buf, nbuf);
					r = sink(user, buf, nbuf);
					total += nbuf;
					nbuf = 0;
				}
			}
		}
	}
	if (r == 0 && nbuf) {
		xxh_update(&h, buf, nbuf);
		r = sink(user, buf, nbuf);
		total += nbuf;
	}
	g_free(buf);
	memcpy(hdr, magic, sizeof magic);
	wr32(hdr + 8, FORMAT_VERSION);
	wr32(hdr + 12, c->entries->len);
	wr32(hdr + 16, c->uidvalidity);
	wr32(hdr + 20, c->uidnext);
	wr64(hdr + 24, c->modseq);
	wr64(hdr + 32, total);
	wr64(hdr + 40, imap_cache_hash(c->key, strlen(c->key)));
	wr64(hdr + 48, xxh_final(&h));
	wr64(hdr + 56, imap_cache_hash(hdr, 56));
	return r;
}

static int sink_array(void *user, const void *data, size_t len)
{
	g_byte_array_append(user, data, (guint)len);
	return 0;
}

GByteArray *imap_cache_serialize(const struct imap_cache *c)
{
	GByteArray *out = g_byte_array_new();
	unsigned char hdr[HEADER_LEN] = {0};
	g_byte_array_append(out, hdr, HEADER_LEN);
	write_records(c, hdr, sink_array, out);
	memcpy(out->data, hdr, HEADER_LEN);
	return out;
}

static int sink_fd(void *user, const void *data, size_t len)
{
	return core_write_all(*(int *)user, data, len);
}

/* The records stream to a temporary file (so a large folder never needs
 * a second copy in memory); the header, which holds their hash, is
 * written last; then core_atomic_write's fsync + rename sequence. */
static int fill_file(int fd, void *user)
{
	const struct imap_cache *c = user;
	unsigned char hdr[HEADER_LEN] = {0};
	int r = core_write_all(fd, hdr, HEADER_LEN);
	if (r == 0)
		r = write_records(c, hdr, sink_fd, &fd);
	if (r == 0 && pwrite(fd, hdr, HEADER_LEN, 0) != HEADER_LEN)
		r = -EIO;
	return r;
}

int imap_cache_save(const struct imap_cache *c, const char *path)
{
	char *dir = g_path_get_dirname(path);
	int r = core_mkdir_p(dir, 0700);
	g_free(dir);
	if (r < 0)
		return r;
	return core_atomic_write_with(path, 0600, fill_file, (void *)c);
}

/* ---- file names ----------------------------------------------------- */

static void append_safe(GString *g, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t start = g->len;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		bool ok =
		    g_ascii_isalnum(*p) || *p == '-' || *p == '_' || (*p == '.' && g->len > start);
		if (ok) {
			g_string_append_c(g, (char)*p);
		} else {
			g_string_append_c(g, '%');
			g_string_append_c(g, hex[*p >> 4]);
			g_string_append_c(g, hex[*p & 15]);
		}
	}
	if (g->len == start)
		g_string_append(g, "%00"); /* "" must not name the directory */
	/* Keep each component under NAME_MAX: a long name ends in its hash. */
	if (g->len - start > 200) {
		char tail[24];
		g_snprintf(tail, sizeof tail, "~%016" G_GINT64_MODIFIER "x",
		           (guint64)imap_cache_hash(name, strlen(name)));
		g_string_truncate(g, start + 180);
		g_string_append(g, tail);
	}
}

char *imap_msgcache_root(const char *account)
{
	GString *rel = g_string_new(NULL);
	append_safe(rel, account);
	g_string_append(rel, "/bodies");
	char *path = core_xdg_path(CORE_XDG_CACHE, rel->str);
	g_string_free(rel, TRUE);
	return path;
}

char *imap_msgcache_path(const char *account, const char *folder, uint32_t uidvalidity,
	uint32_t uid)
{
	char *root = imap_msgcache_root(account);
	GString *path = g_string_new(root);
	g_string_append_c(path, '/');
	append_safe(path, folder);
	g_string_append_printf(path, "/%u/%u", uidvalidity, uid);
	g_free(root);
	return g_string_free(path, FALSE);
}

char *imap_cache_path(const char *account, const char *folder)
{
	GString *rel = g_string_new(NULL);
	append_safe(rel, account);
	g_string_append_c(rel, '/');
	append_safe(rel, folder);
	g_string_append(rel, ".hcache");
	char *path = core_xdg_path(CORE_XDG_CACHE, rel->str);
	g_string_free(rel, TRUE);
	return path;
}
