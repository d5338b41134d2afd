/* SPDX-License-Identifier: GPL-2.0 */
/* L2 announcements: answer ARP for the (IP, device) pairs the agent programmed, but only while
 * the agent is alive. Decision order as Cilium's handle_l2_announcement: device MAC → liveness
 * gate → ARP validation → responder lookup → in-place reply → redirect → count. Everything that
 * is not ours returns TC_ACT_OK with the frame untouched.
 */
#ifndef WAGGLE_L2_RESPONDER_H
#define WAGGLE_L2_RESPONDER_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "arp.h"
#include "devices.h"
#include "metrics.h"
#include "runtime_config.h"

/* Set at load to the lease duration: a responder map older than one lease is not trusted,
 * because another node may have taken the IP over meanwhile. */
const volatile __u64 l2_announcements_max_liveness = 15000000000ULL;

struct l2_responder_v4_key {
	__be32 ip4;	/* network byte order: 10.0.10.0 dumps as 655370 */
	__u32 ifindex;	/* host byte order */
};

struct l2_responder_stats {
	__u64 responses_sent;
};

#define L2_RESPONDER_MAP4_SIZE 4096

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct l2_responder_v4_key);
	__type(value, struct l2_responder_stats);
	__uint(max_entries, L2_RESPONDER_MAP4_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} waggle_l2_responder_v4 SEC(".maps");

static __always_inline int agent_is_alive(void)
{
	__u64 time = runtime_config_get(RUNTIME_CONFIG_AGENT_LIVENESS);

	if (!time)
		return 0;	/* the agent never wrote liveness */
	/* Unsigned on purpose, as Cilium: a liveness from the future wraps to a huge age. */
	return bpf_ktime_get_ns() - time <= l2_announcements_max_liveness;
}

static __always_inline int handle_l2_announcement(struct __sk_buff *skb)
{
	const struct device_info *dev = device_lookup(skb->ifindex);
	struct l2_responder_v4_key key = {};
	struct l2_responder_stats *stats;
	struct arp_request req;
	__u8 mac[ETH_ALEN];
	int ret;

	if (!dev)
		return TC_ACT_OK;	/* not a device the agent told us about */
	__builtin_memcpy(mac, dev->mac, ETH_ALEN);

	if (!agent_is_alive())
		return TC_ACT_OK;
	if (!arp_validate(skb, mac, &req))
		return TC_ACT_OK;

	/* The ingress device is the key: the agent answers only on the interfaces it chose. */
	key.ip4 = req.tip;
	key.ifindex = skb->ingress_ifindex;
	stats = bpf_map_lookup_elem(&waggle_l2_responder_v4, &key);
	if (!stats)
		return TC_ACT_OK;

	ret = arp_respond(skb, mac, &req);
	if (ret == TC_ACT_REDIRECT) {
		__sync_fetch_and_add(&stats->responses_sent, 1);
		update_metrics(skb->len, METRIC_EGRESS, REASON_FORWARDED);
	}
	return ret;
}

#endif
