/* SPDX-License-Identifier: GPL-2.0 */
/* Socket-LB reverse translation state: for each socket that connect()/sendmsg() sent to a
 * backend, which frontend that backend stands for, so recvmsg() and getpeername() can show the
 * service address again. Cilium's cilium_lb4_reverse_sk (bpf/lib/sock.h of cilium/cilium) under
 * our name; LRU, because sockets close without telling us (Cilium removes entries lazily too).
 */
#ifndef WAGGLE_SOCK_H
#define WAGGLE_SOCK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* 16 bytes: the socket and the backend it was sent to. */
struct ipv4_revnat_tuple {
	__u64 cookie;		/* bpf_get_socket_cookie() */
	__be32 address;		/* backend */
	__be16 port;		/* backend */
	__u16 pad;
};

/* 8 bytes: the frontend to show. */
struct ipv4_revnat_entry {
	__be32 address;
	__be16 port;
	__u16 rev_nat_index;	/* network order, as in lb4_service */
};

#define LB4_REVERSE_NAT_SK_MAP_SIZE 262144	/* Cilium's --bpf-sock-rev-map-max default */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ipv4_revnat_tuple);
	__type(value, struct ipv4_revnat_entry);
	__uint(max_entries, LB4_REVERSE_NAT_SK_MAP_SIZE);
} waggle_lb4_reverse_sk SEC(".maps");

#endif /* WAGGLE_SOCK_H */
