// SPDX-License-Identifier: GPL-2.0
// For bench/datapath.ts. BPF_PROG_TEST_RUN with `repeat` runs a program again and again on the
// same skb, so an answered request would be a reply from the second run on. These programs put
// the first 42 bytes back after each run: `answer_and_restore` runs from_netdev's logic then
// restores; `restore_only` does just the save and restore, so the benchmark can subtract it.
// `netdev_only` is from_netdev itself, for frames it leaves unchanged (misses, non-ARP).
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "lib/netdev.h"

#define SAVED_LEN 42

SEC("tc")
int answer_and_restore(struct __sk_buff *skb)
{
	__u8 saved[SAVED_LEN];
	int ret;

	if (bpf_skb_load_bytes(skb, 0, saved, SAVED_LEN) < 0)
		return TC_ACT_SHOT;
	ret = handle_netdev(skb);
	if (bpf_skb_store_bytes(skb, 0, saved, SAVED_LEN, 0) < 0)
		return TC_ACT_SHOT;
	return ret;
}

SEC("tc")
int restore_only(struct __sk_buff *skb)
{
	__u8 saved[SAVED_LEN];

	if (bpf_skb_load_bytes(skb, 0, saved, SAVED_LEN) < 0)
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, 0, saved, SAVED_LEN, 0) < 0)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

SEC("tc")
int netdev_only(struct __sk_buff *skb)
{
	return handle_netdev(skb);
}

char LICENSE[] SEC("license") = "GPL";
