/*
 * block.c — the list of block devices, and the checks every request passes
 * before it reaches a driver.
 */
#include "kernel/block.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "lib/string.h"

static struct block_device *devices;

void block_register(struct block_device *dev)
{
	struct block_device **tail = &devices;

	while (*tail)
		tail = &(*tail)->next;
	if (dev->max_in_flight == 0)
		dev->max_in_flight = 1;
	dev->next = NULL;
	*tail = dev;
}

struct block_device *block_first(void)
{
	return devices;
}

struct block_device *block_find(const char *name)
{
	for (struct block_device *d = devices; d; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

static int check_range(const struct block_device *dev, uint64_t lba, uint32_t count)
{
	if (count == 0)
		return -EINVAL;
	if (lba >= dev->sectors || count > dev->sectors - lba)
		return -ERANGE;
	return 0;
}

int block_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf)
{
	int error = check_range(dev, lba, count);

	return error ? error : dev->ops->read(dev, lba, count, buf);
}

int block_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf)
{
	int error = check_range(dev, lba, count);

	return error ? error : dev->ops->write(dev, lba, count, buf);
}

int block_flush(struct block_device *dev)
{
	return dev->ops->flush(dev);
}

int block_read_batch(struct block_device *dev, const struct block_io *ios, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		int error = check_range(dev, ios[i].lba, ios[i].count);

		if (error)
			return error;
	}
	if (dev->ops->read_batch)
		return dev->ops->read_batch(dev, ios, n);
	for (unsigned int i = 0; i < n; i++) {
		int error = dev->ops->read(dev, ios[i].lba, ios[i].count, ios[i].buf);

		if (error)
			return error;
	}
	return 0;
}

void block_read_counters(struct block_device *dev, struct block_counters *out)
{
	*out = (struct block_counters){ 0 };
	if (dev->ops->counters)
		dev->ops->counters(dev, out);
}

static void start_piece(struct block_cursor *c)
{
	if (c->piece == c->end)
		return;
	c->lba = c->piece->lba;
	c->buf = c->piece->buf;
	c->bytes_left = (uint64_t)c->piece->count * c->sector_size;
}

void block_cursor_start(struct block_cursor *c, const struct block_io *pieces, unsigned int n,
			uint32_t sector_size)
{
	*c = (struct block_cursor){ .piece = pieces, .end = pieces + n, .sector_size = sector_size };
	start_piece(c);
}

bool block_cursor_done(const struct block_cursor *c)
{
	return c->piece == c->end;
}

uint32_t block_cursor_next_bytes(const struct block_cursor *c, uint32_t most)
{
	return c->bytes_left < most ? (uint32_t)c->bytes_left : most;
}

void block_cursor_advance(struct block_cursor *c, uint32_t bytes)
{
	c->lba += bytes / c->sector_size;
	c->buf += bytes;
	c->bytes_left -= bytes;
	if (c->bytes_left == 0) {
		c->piece++;
		start_piece(c);
	}
}

void block_report(void)
{
	for (struct block_device *d = devices; d; d = d->next)
		printk("block: %s: %lu sectors of %u bytes (%lu MiB), %s\n", d->name,
		       d->sectors, d->sector_size,
		       d->sectors * d->sector_size >> 20, d->model ? d->model : "");
}
