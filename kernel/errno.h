/*
 * errno.h — error numbers kernel functions return (negated), with the
 * values Linux and Xen use, so a code means the same on both sides of an
 * interface.
 */
#ifndef PVKIT_KERNEL_ERRNO_H
#define PVKIT_KERNEL_ERRNO_H

#define EIO             5
#define EAGAIN          11
#define ENOMEM          12
#define EBUSY           16
#define ENODEV          19
#define EINVAL          22
#define ENOSPC          28
#define ERANGE          34
#define EOPNOTSUPP      95
#define ETIMEDOUT       110

const char *errno_name(int error);      /* "EIO" for 5 or -5 */

#endif
