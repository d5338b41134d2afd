/* SPDX-License-Identifier: GPL-2.0 */
/* The ipcache: prefix → security identity (and tunnel endpoint), Cilium's cilium_ipcache_v2
 * layout (bpf/lib/eps.h of cilium/cilium) under our own name. An LPM trie; lookups always use
 * the full /32, so the longest programmed prefix wins.
 */
#ifndef WAGGLE_IPCACHE_H
#define WAGGLE_IPCACHE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Reserved identities, as Cilium's. */
#define IDENTITY_UNKNOWN 0
#define IDENTITY_HOST 1
#define IDENTITY_WORLD 2
#define IDENTITY_REMOTE_NODE 6

/* prefixlen counts the bits after itself: cluster_id, pad1 and family are 32 static bits. */
#define IPCACHE_STATIC_PREFIX 32

/* 24 bytes. */
struct ipcache_key {
	struct bpf_lpm_trie_key_hdr lpm;
	__u16 cluster_id;
	__u8 pad1;
	__u8 family;		/* 1 IPv4, 2 IPv6 */
	union {
		__be32 ip4;
		__u8 ip6[16];
	} addr;
};

/* 24 bytes. */
struct remote_endpoint_info {
	__u32 sec_identity;
	union {
		__be32 ip4;
		__u8 ip6[16];
	} tunnel_endpoint;
	__u16 pad;
	__u8 key;		/* IPsec key (SPI) */
	__u8 flag_skip_tunnel:1,
	     flag_has_tunnel_ep:1,
	     flag_ipv6_tunnel_ep:1,
	     flag_remote_cluster:1,
	     flag_pad:4;
};

#define IPCACHE_MAP_SIZE 512000

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct ipcache_key);
	__type(value, struct remote_endpoint_info);
	__uint(max_entries, IPCACHE_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} waggle_ipcache SEC(".maps");

/* The security identity of `ip4`; IDENTITY_WORLD when no prefix covers it (as Cilium). */
static __always_inline __u32 ipcache_identity4(__be32 ip4)
{
	struct ipcache_key key = {
		.lpm = { .prefixlen = IPCACHE_STATIC_PREFIX + 32 },
		.family = 1,
		.addr.ip4 = ip4,
	};
	const struct remote_endpoint_info *info = bpf_map_lookup_elem(&waggle_ipcache, &key);

	return info ? info->sec_identity : IDENTITY_WORLD;
}

#endif
