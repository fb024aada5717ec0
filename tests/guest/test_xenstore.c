/*
 * test_xenstore.c — the xenstore client against real xenstored: our
 * domain id under our home path, write/read/remove under our own data/
 * subtree (the toolstack lets a domain write there), directory listings,
 * a watch that fires with our token, transactions (one that commits, one
 * that conflicts with EAGAIN), and errors by name.  Skipped when not on Xen.
 */
#include "arch/x86/hypervisor.h"
#include "kernel/irq.h"
#include "kernel/platform.h"
#include "kernel/test.h"
#include "kernel/timer.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xenstore.h"
#include "tests/guest/xen_test.h"

#define TEST_KEY        "data/pvkit-test"
#define WATCH_KEY       "data/pvkit-watch"
#define WATCH_TOKEN     "pvkit-token-42"
#define EVENT_PATIENCE_NS       (2ULL * 1000 * 1000 * 1000)

TEST(xenstore, reads_our_domid)
{
	char value[32], home[64], again[32];
	uint64_t id;

	SKIP_UNLESS_XENSTORE();
	CHECK(xs_read(XS_NO_TRANSACTION, "domid", value, sizeof(value)) > 0);
	CHECK(parse_u64(value, 10, &id));
	CHECK(id > 0 && id < DOMID_FIRST_RESERVED);     /* a domU, not dom0 */
	snprintf(home, sizeof(home), "/local/domain/%lu/domid", (unsigned long)id);
	CHECK(xs_read(XS_NO_TRANSACTION, home, again, sizeof(again)) > 0);
	CHECK_EQ(strcmp(value, again), 0);              /* relative = under home */
	CHECK_XEN(xs_read(XS_NO_TRANSACTION, "domid", value, 1), -XEN_ERANGE);
}

TEST(xenstore, write_read_remove)
{
	char value[64];

	SKIP_UNLESS_XENSTORE();
	CHECK_XEN(xs_write(XS_NO_TRANSACTION, TEST_KEY, "hello from pvkit"), 0);
	CHECK_EQ(xs_read(XS_NO_TRANSACTION, TEST_KEY, value, sizeof(value)), 16);
	CHECK_EQ(strcmp(value, "hello from pvkit"), 0);
	CHECK_XEN(xs_write(XS_NO_TRANSACTION, TEST_KEY, ""), 0);  /* empty is a value */
	CHECK_EQ(xs_read(XS_NO_TRANSACTION, TEST_KEY, value, sizeof(value)), 0);
	CHECK_XEN(xs_rm(XS_NO_TRANSACTION, TEST_KEY), 0);
	CHECK_XEN(xs_read(XS_NO_TRANSACTION, TEST_KEY, value, sizeof(value)), -XEN_ENOENT);
}

TEST(xenstore, errors_come_by_name)
{
	char value[16];

	SKIP_UNLESS_XENSTORE();
	CHECK_XEN(xs_read(XS_NO_TRANSACTION, "data/pvkit-no-such-key", value, sizeof(value)),
		  -XEN_ENOENT);
	CHECK_EQ(strcmp(xen_error_name(xs_rm(XS_NO_TRANSACTION, "data/pvkit-no/such")),
			"ENOENT"), 0);
	/* Outside our home a domU may read little and write nothing. */
	CHECK_XEN(xs_write(XS_NO_TRANSACTION, "/pvkit-not-ours", "x"), -XEN_EACCES);
	CHECK(!xs_stats().broken);
}

static bool has_name(const char *names, long count, const char *name)
{
	for (; count > 0; count--, names += strlen(names) + 1)
		if (strcmp(names, name) == 0)
			return true;
	return false;
}

TEST(xenstore, directory_lists_children)
{
	char names[256];
	long count;

	SKIP_UNLESS_XENSTORE();
	CHECK_XEN(xs_write(XS_NO_TRANSACTION, "data/pvkit-dir/one", "1"), 0);
	CHECK_XEN(xs_write(XS_NO_TRANSACTION, "data/pvkit-dir/two", "2"), 0);
	count = xs_directory(XS_NO_TRANSACTION, "data/pvkit-dir", names, sizeof(names));
	CHECK_EQ(count, 2);
	CHECK(has_name(names, count, "one") && has_name(names, count, "two"));
	count = xs_directory(XS_NO_TRANSACTION, "data", names, sizeof(names));
	CHECK(count >= 1 && has_name(names, count, "pvkit-dir"));
	CHECK_XEN(xs_rm(XS_NO_TRANSACTION, "data/pvkit-dir"), 0);      /* the whole subtree */
	CHECK_XEN(xs_directory(XS_NO_TRANSACTION, "data/pvkit-dir", names, sizeof(names)),
		  -XEN_ENOENT);
}

struct watch_log {
	volatile unsigned int events, matching;
	char last_path[XS_WATCH_PATH_MAX];
	char last_token[XS_WATCH_PATH_MAX];
};

static void record_watch(const char *path, const char *token, void *arg)
{
	struct watch_log *log = arg;

	strlcpy(log->last_path, path, sizeof(log->last_path));
	strlcpy(log->last_token, token, sizeof(log->last_token));
	if (strcmp(path, WATCH_KEY) == 0)
		log->matching++;
	log->events++;
}

static void wake_up(struct timer *timer)
{
	(void)timer;            /* the interrupt itself ends the idle wait */
}

/* Wait with interrupts on (watch events come by upcall) until `log` has
 * `count` matching events or the patience runs out. */
static void wait_for_watch(struct watch_log *log, unsigned int count)
{
	struct timer alarm = { 0 };
	uint64_t end = time_now_ns() + EVENT_PATIENCE_NS;
	bool was_enabled = irq_save();

	timer_start(&alarm, end, wake_up);
	while (log->matching < count && time_now_ns() < end)
		platform->idle();
	timer_cancel(&alarm);
	irq_restore(was_enabled);
}

TEST(xenstore, watch_fires_with_our_token)
{
	struct watch_log log = { 0 };

	SKIP_UNLESS_XENSTORE();
	xs_rm(XS_NO_TRANSACTION, WATCH_KEY);
	CHECK_XEN(xs_watch(WATCH_KEY, WATCH_TOKEN, record_watch, &log), 0);
	wait_for_watch(&log, 1);                        /* xenstored fires once at once */
	CHECK_EQ(log.matching, 1);
	CHECK_EQ(strcmp(log.last_token, WATCH_TOKEN), 0);
	CHECK_XEN(xs_write(XS_NO_TRANSACTION, WATCH_KEY, "changed"), 0);
	wait_for_watch(&log, 2);
	CHECK_EQ(log.matching, 2);
	CHECK_EQ(strcmp(log.last_path, WATCH_KEY), 0);
	CHECK_EQ(strcmp(log.last_token, WATCH_TOKEN), 0);
	CHECK_XEN(xs_unwatch(WATCH_KEY, WATCH_TOKEN), 0);
	CHECK_XEN(xs_rm(XS_NO_TRANSACTION, WATCH_KEY), 0);    /* no longer watched */
	wait_for_watch(&log, 3);
	CHECK_EQ(log.matching, 2);
	CHECK_XEN(xs_unwatch(WATCH_KEY, WATCH_TOKEN), -XEN_ENOENT);
}

static long write_pair(xs_transaction_t tx, void *arg)
{
	long rc = xs_write(tx, "data/pvkit-tx/a", arg);

	return rc == 0 ? xs_write(tx, "data/pvkit-tx/b", arg) : rc;
}

TEST(xenstore, transaction_commits)
{
	char value[16];

	SKIP_UNLESS_XENSTORE();
	CHECK_XEN(xs_transact(write_pair, "both"), 0);
	CHECK_EQ(xs_read(XS_NO_TRANSACTION, "data/pvkit-tx/a", value, sizeof(value)), 4);
	CHECK_EQ(strcmp(value, "both"), 0);
	CHECK_EQ(xs_read(XS_NO_TRANSACTION, "data/pvkit-tx/b", value, sizeof(value)), 4);
	CHECK_XEN(xs_rm(XS_NO_TRANSACTION, "data/pvkit-tx"), 0);
}

/* Someone else (here: ourselves, outside the transaction) changes what the
 * transaction read: committing fails with EAGAIN and changes nothing. */
TEST(xenstore, conflicting_transaction_gets_eagain)
{
	xs_transaction_t tx;
	char value[16];

	SKIP_UNLESS_XENSTORE();
	CHECK_XEN(xs_write(XS_NO_TRANSACTION, "data/pvkit-tx/c", "old"), 0);
	CHECK_XEN(xs_transaction_start(&tx), 0);
	CHECK(tx != XS_NO_TRANSACTION);
	CHECK_EQ(xs_read(tx, "data/pvkit-tx/c", value, sizeof(value)), 3);
	CHECK_XEN(xs_write(XS_NO_TRANSACTION, "data/pvkit-tx/c", "other"), 0);
	CHECK_XEN(xs_write(tx, "data/pvkit-tx/c", "mine"), 0);
	CHECK_XEN(xs_transaction_end(tx, true), -XEN_EAGAIN);
	CHECK_EQ(xs_read(XS_NO_TRANSACTION, "data/pvkit-tx/c", value, sizeof(value)), 5);
	CHECK_EQ(strcmp(value, "other"), 0);
	CHECK_XEN(xs_rm(XS_NO_TRANSACTION, "data/pvkit-tx"), 0);
}
