/* SPDX-License-Identifier: GPL-2.0 */
/* Which destinations may match a NodePort's surrogate frontend 0.0.0.0:port from inside the
 * cluster (Cilium's sock4_wildcard_lookup): an address of this node or of another node, as the
 * ipcache knows them (identities host and remote-node). */
#ifndef WAGGLE_LB_WILDCARD_H
#define WAGGLE_LB_WILDCARD_H

#include <linux/bpf.h>
#include "ipcache.h"

static __always_inline int lb_wildcard_ok(__be32 addr)
{
	__u32 id = ipcache_identity4(addr);

	return id == IDENTITY_HOST || id == IDENTITY_REMOTE_NODE;
}

#endif
