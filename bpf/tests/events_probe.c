// SPDX-License-Identifier: GPL-2.0
// For the datapath tests, which have no ring-buffer consumer: `ringbuf_avail` returns how many
// bytes of waggle_events are written and not yet consumed (pin this object's maps next to the
// datapath's to share the ring), so a test can tell how many records a run wrote; `drop_fill`
// and `trace_fill` run the very fill functions the datapath uses (lib/trace.h) into array maps
// the test reads back, so the record bytes can be checked field by field against notify.h.
#define EVENT_SOURCE 1234
#define WAGGLE_FILE_ID 2

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "lib/trace.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct drop_record);
	__uint(max_entries, 1);
} probe_drop SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct trace_record);
	__uint(max_entries, 1);
} probe_trace SEC(".maps");

static const struct notify_meta probe_meta = {
	.src_label = 0x11223344,
	.dst_label = 2,
	.dst_id = 77,
	.ifindex = 17,
};

SEC("tc")
int ringbuf_avail(struct __sk_buff *skb)
{
	return (int)bpf_ringbuf_query(&waggle_events, BPF_RB_AVAIL_DATA);
}

SEC("tc")
int drop_fill(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct drop_record *r = bpf_map_lookup_elem(&probe_drop, &zero);
	struct notify_meta m = probe_meta;

	if (!r)
		return TC_ACT_SHOT;
	drop_record_fill(skb, r, 132, &m, 4242);
	return TC_ACT_OK;
}

SEC("tc")
int trace_fill(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct trace_record *r = bpf_map_lookup_elem(&probe_trace, &zero);
	struct notify_meta m = probe_meta;

	if (!r)
		return TC_ACT_SHOT;
	trace_record_fill(skb, r, TRACE_TO_LXC, &m);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
