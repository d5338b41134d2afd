// BPF source file ids as Cilium numbers them (pkg/monitor/api/files.go): drop events and the
// metrics map carry the id of the file that dropped or counted, and both `cilium-dbg monitor` and
// `cilium-dbg bpf metrics list` print its name. Here, below the events feature and the metrics
// codec, so both print the same name.

const BPF_FILES: ReadonlyMap<number, string> = new Map([
  [1, 'bpf_host.c'],
  [2, 'bpf_lxc.c'],
  [3, 'bpf_overlay.c'],
  [4, 'bpf_xdp.c'],
  [5, 'bpf_sock.c'],
  [6, 'bpf_network.c'],
  [7, 'bpf_wireguard.c'],
]);

/** The file's name; an id without one prints as `unknown(<id>)`, as Cilium's BPFFileName does. */
export function bpfFileName(id: number): string {
  return BPF_FILES.get(id) ?? `unknown(${id})`;
}
