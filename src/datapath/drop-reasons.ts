// Drop reason codes as `cilium-dbg monitor` and Hubble print them (Cilium's
// pkg/monitor/api/drop.go): the one table of human-readable drop reasons in waggle. The C enum
// (bpf/lib/drop.h, mirrored by name in ./maps/drops.ts) defines which codes waggle's datapath
// emits; the values keep Cilium's magnitudes, so the same code reads the same in both tools.

const DROP_REASON_TEXT: ReadonlyMap<number, string> = new Map([
  [0, 'Success'],
  [2, 'Invalid packet'],
  [3, 'Interface'],
  [9, 'Fragmented packet'],
  [130, 'Invalid source mac'],
  [131, 'Invalid destination mac'],
  [132, 'Invalid source ip'],
  [133, 'Policy denied'],
  [134, 'Invalid packet'],
  [135, 'CT: Truncated or invalid header'],
  [136, 'Fragmentation needed'],
  [137, 'CT: Unknown L4 protocol'],
  [139, 'Unsupported L3 protocol'],
  [140, 'Missed tail call'],
  [141, 'Error writing to packet'],
  [142, 'Unknown L4 protocol'],
  [143, 'Unknown ICMPv4 code'],
  [144, 'Unknown ICMPv4 type'],
  [150, 'Unknown L3 target address'],
  [151, 'Stale or unroutable IP'],
  [155, 'CT: Map insertion failed'],
  [157, 'IP fragmentation not supported'],
  [158, 'Service backend not found'],
  [163, 'Unknown connection tracking state'],
  [164, 'Local host is unreachable'],
  [166, 'Unsupported L2 protocol'],
  [167, 'No mapping for NAT masquerade'],
  [168, 'Unsupported protocol for NAT masquerade'],
  [169, 'FIB lookup failed'],
  [174, 'Is a ClusterIP'],
  [177, 'Not in source range'],
  [181, 'Policy denied by denylist'],
  [184, 'Failed to update or lookup TC buffer'],
  [189, 'Authentication required'],
  [190, 'No conntrack map found'],
  [198, 'Rate limited'],
  [202, 'Host datapath not ready'],
  [203, 'Endpoint policy program not available'],
]);

/** The monitor text of a drop reason; an unknown code prints as its number, as Cilium does. */
export function dropReasonText(code: number): string {
  return DROP_REASON_TEXT.get(code) ?? String(code);
}

/** With an extended error the text is "<reason>, <ext>" (ext as a number). */
export function dropReasonTextExt(code: number, extError: number): string {
  const text = dropReasonText(code);
  return extError === 0 ? text : `${text}, ${extError}`;
}
