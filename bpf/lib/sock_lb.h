/* SPDX-License-Identifier: GPL-2.0 */
/* Socket LB for IPv4 (Cilium's __sock4_xlate_fwd / __sock4_xlate_rev in bpf/bpf_sock.c):
 * a connect() or sendmsg() to a service frontend is rewritten to one of its backends before any
 * packet exists, so the client's packets carry the backend address from the first one; recvmsg()
 * and getpeername() rewrite the backend back to the frontend.
 */
#ifndef WAGGLE_SOCK_LB_H
#define WAGGLE_SOCK_LB_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include "lb_affinity.h"
#include "lb_maps.h"
#include "lb_wildcard.h"
#include "sock.h"

#define ECONNREFUSED 111

/* user_port holds the port in network order in its low 16 bits; the verifier wants a 4-byte load. */
static __always_inline __be16 sock_dport(const struct bpf_sock_addr *ctx)
{
	volatile __u32 port = ctx->user_port;

	return (__be16)port;
}

static __always_inline int sock_proto_supported(__u32 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/* 0: translated or not a service (proceed); -ECONNREFUSED: a service with no backends. */
static __always_inline int sock4_xlate_fwd(struct bpf_sock_addr *ctx)
{
	struct lb4_key key = {};
	const struct lb4_service *svc, *slot;
	const struct lb4_backend *backend = NULL;
	struct ipv4_revnat_tuple rkey = {};
	struct ipv4_revnat_entry rval = {};
	__u32 proto = ctx->protocol;
	__u32 backend_id;
	__u64 cookie, netns = 0;

	if (!sock_proto_supported(proto))
		return 0;
	key.address = ctx->user_ip4;
	key.dport = sock_dport(ctx);
	key.proto = (__u8)proto;
	key.scope = LB_LOOKUP_SCOPE_EXT;
	svc = bpf_map_lookup_elem(&waggle_lb4_services_v2, &key);
	/* A NodePort on any node's address (the surrogate 0.0.0.0:port row). */
	if (!svc && lb_wildcard_ok(key.address)) {
		key.address = 0;
		svc = bpf_map_lookup_elem(&waggle_lb4_services_v2, &key);
		if (svc && !(svc->flags & SVC_FLAG_NODEPORT))
			svc = NULL;
	}
	/* Sockets are inside the cluster: a two-scope frontend's internal rows (every backend). */
	if (svc && (svc->flags2 & SVC_FLAG2_TWO_SCOPES)) {
		key.scope = LB_LOOKUP_SCOPE_INT;
		svc = bpf_map_lookup_elem(&waggle_lb4_services_v2, &key);
	}
	if (!svc)
		return 0;	/* not a frontend: the socket goes where the application asked */
	/* Cilium's sock connect answers -EHOSTUNREACH here; we give what its per-packet path makes a
	 * TCP client see (ICMP port unreachable → "connection refused"), so both paths agree.
	 */
	if (svc->count == 0)
		return -ECONNREFUSED;

	cookie = bpf_get_socket_cookie(ctx);
	/* Session affinity: the client is its network namespace (a pod, or the node). */
	if (svc->flags & SVC_FLAG_AFFINITY) {
		netns = bpf_get_netns_cookie(ctx);
		backend = lb4_affinity_backend(svc, netns, 1, &backend_id);
	}
	if (!backend) {
		/* TCP: a random slot per connection. UDP: the socket cookie, so an unconnected socket
		 * keeps talking to one backend across sendmsg() calls (Cilium does the same).
		 */
		key.backend_slot = ((proto == IPPROTO_TCP ? bpf_get_prandom_u32() : (__u32)cookie) % svc->count) + 1;
		slot = bpf_map_lookup_elem(&waggle_lb4_services_v2, &key);
		if (!slot)
			return 0;	/* the agent is between writes: leave the socket alone */
		backend_id = slot->backend_id;
		backend = bpf_map_lookup_elem(&waggle_lb4_backends_v3, &backend_id);
		if (!backend)
			return 0;
		if (svc->flags & SVC_FLAG_AFFINITY)
			lb4_affinity_update(svc, netns, 1, backend_id);
	}

	rkey.cookie = cookie;
	rkey.address = backend->address;
	rkey.port = backend->port;
	rval.address = ctx->user_ip4;
	rval.port = key.dport;
	rval.rev_nat_index = svc->rev_nat_index;
	/* Best effort: without it only UDP reply addresses and getpeername() would show the backend. */
	bpf_map_update_elem(&waggle_lb4_reverse_sk, &rkey, &rval, BPF_ANY);

	ctx->user_ip4 = backend->address;
	ctx->user_port = (__u32)backend->port;
	return 0;
}

/* recvmsg()/getpeername(): a backend this socket was sent to shows as its frontend again. */
static __always_inline void sock4_xlate_rev(struct bpf_sock_addr *ctx)
{
	struct ipv4_revnat_tuple rkey = {};
	const struct ipv4_revnat_entry *rval;
	const struct lb4_service *svc;
	struct lb4_key key = {};

	rkey.cookie = bpf_get_socket_cookie(ctx);
	rkey.address = ctx->user_ip4;
	rkey.port = sock_dport(ctx);
	rval = bpf_map_lookup_elem(&waggle_lb4_reverse_sk, &rkey);
	if (!rval)
		return;
	/* The service may be gone since: then the entry is stale (Cilium deletes it too). */
	key.address = rval->address;
	key.dport = rval->port;
	key.proto = (__u8)ctx->protocol;
	svc = bpf_map_lookup_elem(&waggle_lb4_services_v2, &key);
	if (!svc && lb_wildcard_ok(key.address)) {
		key.address = 0;	/* a NodePort: its surrogate row */
		svc = bpf_map_lookup_elem(&waggle_lb4_services_v2, &key);
	}
	if (!svc) {
		bpf_map_delete_elem(&waggle_lb4_reverse_sk, &rkey);
		return;
	}
	ctx->user_ip4 = rval->address;
	ctx->user_port = (__u32)rval->port;
}

#endif /* WAGGLE_SOCK_LB_H */
