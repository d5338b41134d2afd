/* SPDX-License-Identifier: GPL-2.0 */
/* Writing notifications (notify.h) into the waggle_events ring buffer: trace records while the
 * agent has asked for them (waggle_runtime_config[RUNTIME_CONFIG_TRACE_EVENTS] non-zero), drop
 * records always. A reservation that fails (ring full, no reader) is counted in
 * waggle_events_lost instead.
 *
 * The program that includes this sets, before its includes:
 *   EVENT_SOURCE    the endpoint ID written as hdr.source (default 0: the host program)
 *   WAGGLE_FILE_ID  the drop record's file id, Cilium's numbering (1 bpf_host.c, 2 bpf_lxc.c)
 */
#ifndef WAGGLE_TRACE_H
#define WAGGLE_TRACE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "notify.h"
#include "runtime_config.h"

#ifndef EVENT_SOURCE
#define EVENT_SOURCE 0
#endif
#ifndef WAGGLE_FILE_ID
#define WAGGLE_FILE_ID 0
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EVENTS_RINGBUF_SIZE);
} waggle_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} waggle_events_lost SEC(".maps");

/* What a notification says about the packet besides its header. */
struct notify_meta {
	__u32 src_label;
	__u32 dst_label;
	__u32 dst_id;
	__u32 ifindex;
};

static __always_inline void events_lost(void)
{
	__u32 zero = 0;
	__u64 *lost = bpf_map_lookup_elem(&waggle_events_lost, &zero);

	if (lost)
		*lost += 1;	/* this CPU's slot: no other CPU writes it */
}

static __always_inline int trace_events_enabled(void)
{
	return runtime_config_get(RUNTIME_CONFIG_TRACE_EVENTS) != 0;
}

/* Fills the common header and copies the first min(len, TRACE_PAYLOAD_LEN) packet bytes into
 * `payload`. Payload bytes past len_cap are left as they are (readers use len_cap). */
static __always_inline void notify_fill_common(struct __sk_buff *skb, struct notify_common *hdr,
					       __u8 type, __u8 subtype, __u8 version, __u8 *payload)
{
	__u32 cap = skb->len;

	if (cap > TRACE_PAYLOAD_LEN)
		cap = TRACE_PAYLOAD_LEN;
	/* bpf_skb_load_bytes needs a length the verifier can bound to 1..TRACE_PAYLOAD_LEN. */
	if (cap == 0 || bpf_skb_load_bytes(skb, 0, payload, cap & (2 * TRACE_PAYLOAD_LEN - 1)) < 0)
		cap = 0;
	hdr->type = type;
	hdr->subtype = subtype;
	hdr->source = EVENT_SOURCE;
	/* The flow hash ("flow 0x…" in monitor lines); computed now if nothing has set it yet. */
	hdr->hash = bpf_get_hash_recalc(skb);
	hdr->len_orig = skb->len;
	hdr->len_cap = cap;
	hdr->version = version;
	hdr->ext_version = 0;
}

static __always_inline void drop_record_fill(struct __sk_buff *skb, struct drop_record *r, __u8 reason,
					     const struct notify_meta *m, __u16 line)
{
	notify_fill_common(skb, &r->n.hdr, NOTIFY_DROP, reason, NOTIFY_DROP_VERSION, r->payload);
	r->n.src_label = m->src_label;
	r->n.dst_label = m->dst_label;
	r->n.dst_id = m->dst_id;
	r->n.line = line;
	r->n.file = WAGGLE_FILE_ID;
	r->n.ext_error = 0;
	r->n.ifindex = m->ifindex;
	r->n.flags = 0;
	r->n.pad2[0] = r->n.pad2[1] = r->n.pad2[2] = 0;
	r->n.ip_trace_id = 0;
}

static __always_inline void trace_record_fill(struct __sk_buff *skb, struct trace_record *r, __u8 point,
					      const struct notify_meta *m)
{
	notify_fill_common(skb, &r->n.hdr, NOTIFY_TRACE, point, NOTIFY_TRACE_VERSION, r->payload);
	r->n.src_label = m->src_label;
	r->n.dst_label = m->dst_label;
	r->n.dst_id = m->dst_id;
	r->n.reason = TRACE_REASON_UNKNOWN;	/* no connection tracking yet */
	r->n.flags = 0;
	r->n.ifindex = m->ifindex;
	r->n.orig_ip4 = 0;
	r->n.orig_pad[0] = r->n.orig_pad[1] = r->n.orig_pad[2] = 0;
	r->n.ip_trace_id = 0;
}

static __always_inline void send_drop_notify(struct __sk_buff *skb, __u8 reason, const struct notify_meta *m,
					     __u16 line)
{
	struct drop_record *r = bpf_ringbuf_reserve(&waggle_events, sizeof(*r), 0);

	if (!r) {
		events_lost();
		return;
	}
	drop_record_fill(skb, r, reason, m, line);
	bpf_ringbuf_submit(r, 0);
}

/* A trace record at observation point `point` (enum trace_point), only while traces are on. */
static __always_inline void send_trace_notify(struct __sk_buff *skb, __u8 point, const struct notify_meta *m)
{
	struct trace_record *r;

	if (!trace_events_enabled())
		return;
	r = bpf_ringbuf_reserve(&waggle_events, sizeof(*r), 0);
	if (!r) {
		events_lost();
		return;
	}
	trace_record_fill(skb, r, point, m);
	bpf_ringbuf_submit(r, 0);
}

#endif
