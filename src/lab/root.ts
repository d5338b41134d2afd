// The lab creates namespaces, mounts a bpffs and loads eBPF: all root-only. Say so in one line
// before touching anything.
export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(
      `lab ${what}: must run as root (network namespaces, bpffs and tc need CAP_SYS_ADMIN and CAP_NET_ADMIN)`,
    );
  }
}
