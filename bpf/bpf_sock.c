// SPDX-License-Identifier: GPL-2.0
// Socket LB, attached to the node's cgroup v2 directory (--cgroup-root): connect4 and sendmsg4
// translate a service frontend to a backend (lib/sock_lb.h), recvmsg4 and getpeername4 show the
// frontend again. Entry points only, as Cilium's bpf_sock.c.
#define WAGGLE_FILE_ID 5	/* bpf_sock.c in Cilium's numbering */

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lib/sock_lb.h"

/* cgroup sock_addr verdicts: 1 lets the call proceed, 0 fails it (with bpf_set_retval's errno). */
#define SYS_PROCEED 1
#define SYS_REJECT 0

static __always_inline int sock4_fwd_verdict(struct bpf_sock_addr *ctx)
{
	int err = sock4_xlate_fwd(ctx);

	if (err) {
		bpf_set_retval(err);
		return SYS_REJECT;
	}
	return SYS_PROCEED;
}

SEC("cgroup/connect4")
int sock4_connect(struct bpf_sock_addr *ctx)
{
	return sock4_fwd_verdict(ctx);
}

SEC("cgroup/sendmsg4")
int sock4_sendmsg(struct bpf_sock_addr *ctx)
{
	return sock4_fwd_verdict(ctx);
}

SEC("cgroup/recvmsg4")
int sock4_recvmsg(struct bpf_sock_addr *ctx)
{
	sock4_xlate_rev(ctx);
	return SYS_PROCEED;
}

SEC("cgroup/getpeername4")
int sock4_getpeername(struct bpf_sock_addr *ctx)
{
	sock4_xlate_rev(ctx);
	return SYS_PROCEED;
}

char LICENSE[] SEC("license") = "GPL";
