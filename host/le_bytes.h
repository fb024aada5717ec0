/*
 * le_bytes.h — little-endian numbers in byte buffers.
 *
 * PCI configuration space and virtio's device configuration are byte arrays
 * whose multi-byte fields are little-endian by specification, at offsets
 * that need not be aligned for the field's type.  These helpers write and
 * read such a field through memcpy (no unaligned access) and the byte-order
 * conversions of <endian.h> (a no-op on x86, but the code says what the
 * specification says).
 */
#ifndef PVKIT_HOST_LE_BYTES_H
#define PVKIT_HOST_LE_BYTES_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline void le_put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}

static inline void le_put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void le_put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static inline uint32_t le_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

#endif
