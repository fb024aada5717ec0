/*
 * xen_platform.h — the platform operations that change when a hardware-
 * virtualized guest (PVH, HVM) runs on Xen.
 */
#ifndef PVKIT_PV_XEN_XEN_PLATFORM_H
#define PVKIT_PV_XEN_XEN_PLATFORM_H

/* Make `platform` the native operations with Xen's console and shutdown. */
void xen_platform_select(void);

#endif
