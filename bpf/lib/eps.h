/* SPDX-License-Identifier: GPL-2.0 */
/* The endpoints map: every local endpoint IP (and, HOST-flagged, every local host IP), in
 * Cilium's cilium_lxc layout (bpf/lib/eps.h of cilium/cilium) under our own name. The agent
 * writes it; bpf_lxc and bpf_host read it to deliver packets to local pods.
 */
#ifndef WAGGLE_EPS_H
#define WAGGLE_EPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ENDPOINT_KEY_IPV4 1
#define ENDPOINT_KEY_IPV6 2

/* 20 bytes. */
struct endpoint_key {
	union {
		__be32 ip4;	/* network byte order, in the first 4 bytes; the rest zero */
		__u8 ip6[16];
	} addr;
	__u8 family;		/* ENDPOINT_KEY_IPV4 / ENDPOINT_KEY_IPV6 */
	__u8 key;		/* always 0 (Cilium's encryption key slot) */
	__u16 cluster_id;
};

#define ENDPOINT_F_HOST 1	/* a local host IP: "(localhost)" */
#define ENDPOINT_F_ATHOSTNS 2	/* an endpoint in the host netns: no lxc device to deliver to */
#define ENDPOINT_F_NO_SNAT_V4 4
#define ENDPOINT_F_NO_SNAT_V6 8

/* 48 bytes. MACs are 6 bytes in packet order in the low bytes of a little-endian u64. */
struct endpoint_info {
	__u32 ifindex;		/* the host-side lxc device */
	__u16 unused;
	__u16 lxc_id;		/* endpoint ID */
	__u32 flags;		/* ENDPOINT_F_* */
	__u32 rt_info;
	__u64 mac;		/* the pod's eth0 MAC */
	__u64 node_mac;		/* the lxc device's MAC */
	__u32 sec_id;		/* security identity */
	__u32 parent_ifindex;
	__u32 pad[2];
};

#define ENDPOINTS_MAP_SIZE 65535

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct endpoint_key);
	__type(value, struct endpoint_info);
	__uint(max_entries, ENDPOINTS_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} waggle_lxc SEC(".maps");

static __always_inline const struct endpoint_info *lookup_ip4_endpoint(__be32 ip4)
{
	struct endpoint_key key = { .addr.ip4 = ip4, .family = ENDPOINT_KEY_IPV4 };

	return bpf_map_lookup_elem(&waggle_lxc, &key);
}

/* An endpoint a packet can be handed to through its lxc device. */
static __always_inline int endpoint_is_deliverable(const struct endpoint_info *ep)
{
	return !(ep->flags & (ENDPOINT_F_HOST | ENDPOINT_F_ATHOSTNS));
}

#endif
