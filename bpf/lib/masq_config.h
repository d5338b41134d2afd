/* SPDX-License-Identifier: GPL-2.0 */
/* bpf_host's masquerading settings, set at load from the agent's flags (Cilium compiles the
 * same values in: ENABLE_MASQUERADE_IPV4, IPV4_SNAT_EXCLUSION_DST_CIDR, ENABLE_IP_MASQ_AGENT_IPV4).
 * Encodings as endpoint_config.h: an IPv4 is the little-endian u32 of its packet-order bytes.
 *   enable_bpf_masquerade   non-zero: to_netdev masquerades, from_netdev translates replies back
 *   snat_exclusion_v4       --ipv4-native-routing-cidr's network address ...
 *   snat_exclusion_v4_len   ... and prefix length; 0: no exclusion CIDR
 *   enable_ip_masq_agent    non-zero: destinations in waggle_ipmasq_v4 are not masqueraded
 *   nat_port_min/max        the ports (and ICMP echo identifiers) a masqueraded flow may get:
 *                           Cilium's NODEPORT_PORT_MIN_NAT..MAX_NAT, 32768-65535. It covers
 *                           Linux's ip_local_port_range, so a pod's own port is mostly kept;
 *                           the node's own flows guard their ports in the map (nat.h).
 */
#ifndef WAGGLE_MASQ_CONFIG_H
#define WAGGLE_MASQ_CONFIG_H

#include <linux/types.h>

const volatile __u32 enable_bpf_masquerade = 0;
const volatile __be32 snat_exclusion_v4 = 0;
const volatile __u32 snat_exclusion_v4_len = 0;
const volatile __u32 enable_ip_masq_agent = 0;
const volatile __u32 nat_port_min = 32768;
const volatile __u32 nat_port_max = 65535;

#endif
