/*
 * errno.c — names for error numbers, for messages and test reports.
 */
#include "kernel/errno.h"

const char *errno_name(int error)
{
	switch (error < 0 ? -error : error) {
	case 0: return "OK";
	case EIO: return "EIO";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	}
	return "unknown error";
}
