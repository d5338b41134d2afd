/* SPDX-License-Identifier: GPL-2.0 */
/* Per-device data. One object serves every device it is attached to, so what Cilium compiles
 * in per device (THIS_INTERFACE_MAC, IPV4_MASQUERADE) is a map entry here, keyed by ifindex,
 * filled by the agent. An ifindex in this map is a native device: bpf_lxc's FIB redirect only
 * ever sends a pod's packet straight to one of these.
 */
#ifndef WAGGLE_DEVICES_H
#define WAGGLE_DEVICES_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct device_info {
	__u8 mac[ETH_ALEN];
	__u8 pad[2];	/* explicit, so the value has no implicit padding */
	__be32 ipv4;	/* the address pods' traffic is masqueraded to here; 0: none */
};

#define DEVICES_MAP_SIZE 256

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);	/* ifindex */
	__type(value, struct device_info);
	__uint(max_entries, DEVICES_MAP_SIZE);
} waggle_devices SEC(".maps");

static __always_inline const struct device_info *device_lookup(__u32 ifindex)
{
	return bpf_map_lookup_elem(&waggle_devices, &ifindex);
}

#endif
