/* SPDX-License-Identifier: GPL-2.0 */
/* What bpf_lxc knows about its endpoint: set at load by the agent (one object per endpoint,
 * Cilium's CONFIG(...) values of pkg/datapath/config/endpoint.go), read-only afterwards. Encodings
 * (the TypeScript encoders are in src/datapath/objects/lxc.ts):
 *   endpoint_id       the endpoint ID (host order)
 *   endpoint_ipv4     the pod's IPv4 as the packet carries it: a.b.c.d is bytes a b c d in memory,
 *                     i.e. the little-endian u32 a | b<<8 | c<<16 | d<<24
 *   interface_mac     the host-side lxc MAC: bytes m0..m5 in memory order in the low 6 bytes of a
 *                     little-endian u64 (m0 | m1<<8 | … | m5<<40), as endpoint_info.mac
 *   interface_ifindex the lxc device's ifindex
 */
#ifndef WAGGLE_ENDPOINT_CONFIG_H
#define WAGGLE_ENDPOINT_CONFIG_H

#include <linux/types.h>

const volatile __u32 endpoint_id = 0;
const volatile __be32 endpoint_ipv4 = 0;
const volatile __u64 interface_mac = 0;
const volatile __u32 interface_ifindex = 0;

#endif
