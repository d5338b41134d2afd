/* SPDX-License-Identifier: GPL-2.0 */
/* Ethernet/ARP: recognising an ARP request we may answer, and turning it into the reply in
 * place. Offsets are from the start of the Ethernet frame; the reply keeps the request's length
 * and any padding after byte 42, and its hrd/pro/hln/pln fields.
 */
#ifndef WAGGLE_ARP_H
#define WAGGLE_ARP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "drop.h"

/* Our own copies of the few <linux/if_arp.h> definitions we need: that header pulls libc's
 * socket headers, which a -target bpf build cannot see. */
#define WAGGLE_ARPHRD_ETHER 1
#define WAGGLE_ARPOP_REQUEST 1
#define WAGGLE_ARPOP_REPLY 2

struct arp_hdr {
	__be16 ar_hrd;
	__be16 ar_pro;
	__u8 ar_hln;
	__u8 ar_pln;
	__be16 ar_op;
};

/* The Ethernet/IPv4 payload that follows struct arp_hdr. */
struct arp_eth {
	__u8 ar_sha[ETH_ALEN];
	__be32 ar_sip;
	__u8 ar_tha[ETH_ALEN];
	__be32 ar_tip;
} __attribute__((packed));

#define ARP_OP_OFF (ETH_HLEN + 6)
#define ARP_ETH_OFF (ETH_HLEN + sizeof(struct arp_hdr))
#define ARP_FRAME_LEN (ARP_ETH_OFF + sizeof(struct arp_eth)) /* 42 */

/* What a request tells us, copied out before the frame is rewritten (stores into the packet
 * invalidate every pointer into it). */
struct arp_request {
	__u8 smac[ETH_ALEN];	/* the requester's Ethernet source, not ar_sha (as Cilium) */
	__be32 sip;
	__be32 tip;
};

static __always_inline int eth_addr_equal(const __u8 *a, const __u8 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] && a[4] == b[4] &&
	       a[5] == b[5];
}

static __always_inline int eth_is_broadcast(const __u8 *a)
{
	return (a[0] & a[1] & a[2] & a[3] & a[4] & a[5]) == 0xff;
}

/* True iff the frame is an ARP request we may answer on a device with MAC `mac`: at least 42
 * bytes, op request, hrd Ethernet, sent to broadcast or to `mac`. Like Cilium, pro/hln/pln, the
 * sender IP and tha are not checked. Fills `req` when true. */
static __always_inline int arp_validate(struct __sk_buff *skb, const __u8 *mac, struct arp_request *req)
{
	void *data, *data_end;
	struct ethhdr *eth;
	struct arp_hdr *arp;
	struct arp_eth *body;

	/* A 42-byte request may sit partly outside the linear area on some drivers. */
	if (skb->len >= ARP_FRAME_LEN &&
	    (long)skb->data_end - (long)skb->data < (long)ARP_FRAME_LEN &&
	    bpf_skb_pull_data(skb, ARP_FRAME_LEN) < 0)
		return 0;

	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	if (data + ARP_FRAME_LEN > data_end)
		return 0;
	eth = data;
	arp = data + ETH_HLEN;
	body = data + ARP_ETH_OFF;

	if (arp->ar_op != bpf_htons(WAGGLE_ARPOP_REQUEST) ||
	    arp->ar_hrd != bpf_htons(WAGGLE_ARPHRD_ETHER))
		return 0;
	if (!eth_is_broadcast(eth->h_dest) && !eth_addr_equal(eth->h_dest, mac))
		return 0;

	__builtin_memcpy(req->smac, eth->h_source, ETH_ALEN);
	req->sip = body->ar_sip;
	req->tip = body->ar_tip;
	return 1;
}

/* Rewrites the validated request into the reply "tip is-at mac", addressed to the requester.
 * Returns 0, or -DROP_WRITE_ERROR when a store into the packet fails. */
static __always_inline int arp_prepare_response(struct __sk_buff *skb, const __u8 *mac,
						const struct arp_request *req)
{
	__u8 eth_addrs[2 * ETH_ALEN];
	__be16 op = bpf_htons(WAGGLE_ARPOP_REPLY);
	struct arp_eth body;

	__builtin_memcpy(eth_addrs, req->smac, ETH_ALEN);	 /* dst: the requester */
	__builtin_memcpy(eth_addrs + ETH_ALEN, mac, ETH_ALEN); /* src: this device */
	__builtin_memcpy(body.ar_sha, mac, ETH_ALEN);
	body.ar_sip = req->tip;
	__builtin_memcpy(body.ar_tha, req->smac, ETH_ALEN);
	body.ar_tip = req->sip;

	if (bpf_skb_store_bytes(skb, 0, eth_addrs, sizeof(eth_addrs), 0) < 0 ||
	    bpf_skb_store_bytes(skb, ARP_OP_OFF, &op, sizeof(op), 0) < 0 ||
	    bpf_skb_store_bytes(skb, ARP_ETH_OFF, &body, sizeof(body), 0) < 0)
		return -DROP_WRITE_ERROR;
	return 0;
}

/* Turns the request into the reply and sends it back out of the device it arrived on (egress,
 * not ingress: the reply goes on the wire). Returns TC_ACT_REDIRECT or a negative drop reason. */
static __always_inline int arp_respond(struct __sk_buff *skb, const __u8 *mac,
				       const struct arp_request *req)
{
	int ret = arp_prepare_response(skb, mac, req);

	if (ret < 0)
		return ret;
	return bpf_redirect(skb->ifindex, 0);
}

#endif
