// SPDX-License-Identifier: GPL-2.0
// A tiny object for the binding's own tests: one hash map, two load-time constants and one tc
// program whose behaviour the tests can predict exactly.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} test_counts SEC(".maps");

/* The verdict the program returns; set before load by the tests. */
const volatile __u32 test_verdict = TC_ACT_OK;
/* When non-zero, written over the first byte of the frame. */
const volatile __u8 test_first_byte = 0;

SEC("tc")
int test_prog(struct __sk_buff *skb)
{
	__u32 key = skb->len;
	__u64 one = 1, *count;

	count = bpf_map_lookup_elem(&test_counts, &key);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&test_counts, &key, &one, BPF_NOEXIST);

	if (test_first_byte) {
		__u8 b = test_first_byte;

		if (bpf_skb_store_bytes(skb, 0, &b, 1, 0) < 0)
			return TC_ACT_SHOT;
	}
	return test_verdict;
}

char LICENSE[] SEC("license") = "GPL";
