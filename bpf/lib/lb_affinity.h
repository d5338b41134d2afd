/* SPDX-License-Identifier: GPL-2.0 */
/* sessionAffinity: ClientIP (Cilium's lb4_affinity_backend_id / lb4_update_affinity): a client's
 * new connection to a frontend with SVC_FLAG_AFFINITY goes to the backend it was last given, if
 * that was within the service's timeout and the backend still exists; otherwise a slot is picked
 * as usual and remembered. Shared by the socket LB and the per-packet LB. */
#ifndef WAGGLE_LB_AFFINITY_H
#define WAGGLE_LB_AFFINITY_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lb_maps.h"

static __always_inline __u64 affinity_now(void)
{
	return bpf_ktime_get_ns() / 1000000000ULL;
}

/* The backend `client` was given by `svc` (its master row), or NULL. */
static __always_inline const struct lb4_backend *lb4_affinity_backend(const struct lb4_service *svc, __u64 client,
								      __u8 netns_cookie, __u32 *backend_id)
{
	struct lb4_affinity_key k = { .client_id = client, .rev_nat_id = svc->rev_nat_index, .netns_cookie = netns_cookie };
	struct lb_affinity_val *v = bpf_map_lookup_elem(&waggle_lb4_affinity, &k);
	const struct lb4_backend *be;
	__u64 now = affinity_now();
	__u32 id;

	if (!v || now > v->last_used + (svc->backend_id & AFFINITY_TIMEOUT_MASK))
		return NULL;
	id = v->backend_id;
	be = bpf_map_lookup_elem(&waggle_lb4_backends_v3, &id);
	/* Affinity only places new connections, and those never go to a terminating backend; the
	 * slots (which hold terminating ones only when nothing else serves, KEP-1669) pick then. */
	if (!be || be->flags != BE_STATE_ACTIVE)
		return NULL;
	if (v->last_used != now)
		v->last_used = now;
	*backend_id = id;
	return be;
}

static __always_inline void lb4_affinity_update(const struct lb4_service *svc, __u64 client, __u8 netns_cookie,
						__u32 backend_id)
{
	struct lb4_affinity_key k = { .client_id = client, .rev_nat_id = svc->rev_nat_index, .netns_cookie = netns_cookie };
	struct lb_affinity_val v = { .last_used = affinity_now(), .backend_id = backend_id };

	bpf_map_update_elem(&waggle_lb4_affinity, &k, &v, BPF_ANY);
}

#endif
