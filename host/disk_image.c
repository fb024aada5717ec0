/*
 * disk_image.c — raw disk-image files for the block backends (see
 * host/disk_image.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/disk_image.h"
#include "host/error.h"

/* Opens read-write, or read-only when writing is not allowed. */
static int open_file(const char *path, bool *read_only)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	*read_only = false;
	if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS)) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		*read_only = true;
	}
	return fd;
}

/* A regular file of at least one sector. */
static bool file_usable(int fd, const char *path, struct stat *st, char *err, size_t err_len)
{
	if (fd < 0 || fstat(fd, st) < 0)
		return error_set(err, err_len, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st->st_mode))
		return error_set(err, err_len, "%s: not a regular file", path);
	if (st->st_size < DISK_IMAGE_SECTOR_SIZE)
		return error_set(err, err_len, "%s: smaller than one %d-byte sector", path,
				 DISK_IMAGE_SECTOR_SIZE);
	return true;
}

bool disk_image_open(struct disk_image *img, const char *path, char *err, size_t err_len)
{
	struct stat st;

	img->fd = open_file(path, &img->read_only);
	if (!file_usable(img->fd, path, &st, err, err_len)) {
		disk_image_close(img);
		return false;
	}
	img->sectors = (uint64_t)st.st_size / DISK_IMAGE_SECTOR_SIZE;
	return true;
}

void disk_image_close(struct disk_image *img)
{
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
}

bool disk_image_range_ok(const struct disk_image *img, uint64_t sector, uint64_t bytes)
{
	return bytes % DISK_IMAGE_SECTOR_SIZE == 0 && sector <= img->sectors &&
	       bytes / DISK_IMAGE_SECTOR_SIZE <= img->sectors - sector;
}

/* pread or pwrite until all is moved; the file shrinking under us is -EIO. */
static int move_all(int fd, uint8_t *buf, uint64_t len, uint64_t offset, bool to_file)
{
	for (uint64_t done = 0; done < len;) {
		ssize_t r = to_file ? pwrite(fd, buf + done, len - done, (off_t)(offset + done))
				    : pread(fd, buf + done, len - done, (off_t)(offset + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		done += (uint64_t)r;
	}
	return 0;
}

int disk_image_read(const struct disk_image *img, void *buf, uint64_t len, uint64_t offset)
{
	return move_all(img->fd, buf, len, offset, false);
}

int disk_image_write(const struct disk_image *img, const void *buf, uint64_t len,
		     uint64_t offset)
{
	if (img->read_only)
		return -EROFS;
	return move_all(img->fd, (uint8_t *)buf, len, offset, true);
}

int disk_image_flush(const struct disk_image *img)
{
	return img->read_only || fdatasync(img->fd) == 0 ? 0 : -errno;
}

int disk_image_sync(const struct disk_image *img)
{
	return img->read_only || fsync(img->fd) == 0 ? 0 : -errno;
}
