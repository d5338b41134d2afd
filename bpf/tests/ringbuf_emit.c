// SPDX-License-Identifier: GPL-2.0
// Writes one trace_record and one drop_record (bpf/lib/notify.h) with known fields into its own
// ring buffer each time it runs, so the agent's ring-buffer reader and decoder can be tested
// against records the kernel really produced (BPF_PROG_TEST_RUN), before any datapath emits them.
// The payload is the first bytes of the test frame, copied as the real datapath will.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "lib/notify.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} test_events SEC(".maps");

/* Referenced so that both structs land in the object's BTF for the layout test. */
struct trace_record *btf_trace_record __attribute__((unused));
struct drop_record *btf_drop_record __attribute__((unused));

/* Copies min(len, TRACE_PAYLOAD_LEN) frame bytes; returns how many. The mask keeps the length
 * provably in (0, TRACE_PAYLOAD_LEN] for the verifier. */
static __always_inline __u16 copy_payload(struct __sk_buff *skb, __u8 *payload)
{
	__u32 cap = skb->len;

	if (cap > TRACE_PAYLOAD_LEN)
		cap = TRACE_PAYLOAD_LEN;
	if (cap == 0)
		return 0;
	cap &= 0xff;
	if (cap == 0 || cap > TRACE_PAYLOAD_LEN)
		return 0;
	if (bpf_skb_load_bytes(skb, 0, payload, cap) < 0)
		return 0;
	return cap;
}

SEC("tc")
int emit_prog(struct __sk_buff *skb)
{
	struct trace_record *t;
	struct drop_record *d;

	t = bpf_ringbuf_reserve(&test_events, sizeof(*t), 0);
	if (!t)
		return TC_ACT_SHOT;
	__builtin_memset(t, 0, sizeof(*t));
	t->n.hdr.type = NOTIFY_TRACE;
	t->n.hdr.subtype = TRACE_TO_LXC;
	t->n.hdr.source = 1447;
	t->n.hdr.hash = 0xdf31e3c3;
	t->n.hdr.len_orig = skb->len;
	t->n.hdr.version = NOTIFY_TRACE_VERSION;
	t->n.src_label = 6848;
	t->n.dst_label = 7392;
	t->n.dst_id = 1447;
	t->n.reason = TRACE_REASON_POLICY;
	t->n.ifindex = 42;
	t->n.orig_ip4 = 0xd301f40a; /* 10.244.1.211 in network order */
	t->n.ip_trace_id = 0x1122334455667788ULL;
	t->n.hdr.len_cap = copy_payload(skb, t->payload);
	bpf_ringbuf_submit(t, 0);

	d = bpf_ringbuf_reserve(&test_events, sizeof(*d), 0);
	if (!d)
		return TC_ACT_SHOT;
	__builtin_memset(d, 0, sizeof(*d));
	d->n.hdr.type = NOTIFY_DROP;
	d->n.hdr.subtype = 132; /* Invalid source ip */
	d->n.hdr.source = 1447;
	d->n.hdr.hash = 0x6e2f1a0c;
	d->n.hdr.len_orig = skb->len;
	d->n.hdr.version = NOTIFY_DROP_VERSION;
	d->n.src_label = 11370;
	d->n.dst_label = 19520;
	d->n.dst_id = 0;
	d->n.line = 1537;
	d->n.file = 2; /* bpf_lxc.c */
	d->n.ext_error = -3;
	d->n.ifindex = 17;
	d->n.hdr.len_cap = copy_payload(skb, d->payload);
	bpf_ringbuf_submit(d, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
