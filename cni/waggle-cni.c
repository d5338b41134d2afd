// SPDX-License-Identifier: Apache-2.0
/*
 * waggle-cni, the fast path: what a container runtime executes for every pod. Starting node
 * for each call costs ~70 ms on a small machine, more than the rest of an ADD, so this small
 * program only carries the call to the agent — CNI_* variables and the config from stdin,
 * unparsed — over the agent's API socket (POST /v1/cni), and prints what the agent's CNI code
 * answers (src/cni/plugin.ts runs inside the agent for it). Everything else goes to the full
 * plugin in node (dist/src/cni/main.js), with stdin handed over unchanged: VERSION, a config
 * whose "socket-path" is absent or not a plain string, an agent that is not listening, does not
 * answer within 1 s, or has no /v1/cni. So every error the full plugin reports is reported the
 * same way, and this file knows nothing of CNI beyond where the socket is.
 *
 * The launcher passes WAGGLE_CNI_NODE (node's path) and WAGGLE_CNI_MAIN (main.js); with
 * WAGGLE_CNI_TRACE=1 the path taken is written to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_STDIN (4 << 20)
#define MAX_REPLY (4 << 20)
#define HEADER_DEADLINE_MS 1000	/* the agent must be responsive (as the full plugin's probe) */
#define REPLY_DEADLINE_MS 65000	/* an ADD may take long under load; the runtime waits longer */

static char *in;
static size_t in_len;

static void trace(const char *what)
{
	const char *t = getenv("WAGGLE_CNI_TRACE");

	if (t && strcmp(t, "1") == 0)
		fprintf(stderr, "waggle-cni: %s\n", what);
}

/* Runs the full plugin with the same stdin (through a memfd, rewound). Never returns. */
static void fallback(const char *why)
{
	const char *node = getenv("WAGGLE_CNI_NODE");
	const char *main_js = getenv("WAGGLE_CNI_MAIN");
	int fd;

	trace(why);
	if (!node || !main_js) {
		printf("{\"cniVersion\":\"1.1.0\",\"code\":5,\"msg\":\"waggle-cni: WAGGLE_CNI_NODE/WAGGLE_CNI_MAIN not set (run it through its launcher)\"}\n");
		exit(1);
	}
	fd = memfd_create("waggle-cni-stdin", 0);
	if (fd < 0 || (in_len && write(fd, in, in_len) != (ssize_t)in_len) || lseek(fd, 0, SEEK_SET) != 0 ||
	    dup2(fd, 0) < 0) {
		printf("{\"cniVersion\":\"1.1.0\",\"code\":5,\"msg\":\"waggle-cni: cannot pass stdin on: %s\"}\n",
		       strerror(errno));
		exit(1);
	}
	close(fd);
	execl(node, node, "--no-warnings", main_js, (char *)NULL);
	printf("{\"cniVersion\":\"1.1.0\",\"code\":5,\"msg\":\"waggle-cni: cannot run %s: %s\"}\n", node, strerror(errno));
	exit(1);
}

static void read_stdin(void)
{
	size_t cap = 65536;
	ssize_t n;

	in = malloc(cap);
	if (!in)
		fallback("out of memory");
	while ((n = read(0, in + in_len, cap - in_len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fallback("stdin unreadable");
		}
		in_len += (size_t)n;
		if (in_len == cap) {
			if (cap >= MAX_STDIN)
				fallback("stdin too large");
			cap *= 2;
			in = realloc(in, cap);
			if (!in)
				fallback("out of memory");
		}
	}
}

/*
 * The value of the top-level "socket-path" if it is written as a plain JSON string (no escape
 * sequences); otherwise 0, and the full plugin (a real JSON parser) decides.
 */
static int socket_path(char *out, size_t size)
{
	static const char key[] = "\"socket-path\"";
	const char *p = memmem(in, in_len, key, sizeof(key) - 1), *end = in + in_len, *start;

	if (!p || memmem(p + 1, (size_t)(end - p - 1), key, sizeof(key) - 1))
		return 0; /* absent, or more than once (nested): not ours to guess */
	p += sizeof(key) - 1;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p >= end || *p++ != ':')
		return 0;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p >= end || *p++ != '"')
		return 0;
	for (start = p; p < end && *p != '"'; p++)
		if (*p == '\\' || (unsigned char)*p < 0x20)
			return 0;
	if (p >= end || (size_t)(p - start) >= size || p == start)
		return 0;
	memcpy(out, start, (size_t)(p - start));
	out[p - start] = 0;
	return 1;
}

struct buf {
	char *d;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 4096;
		b->d = realloc(b->d, b->cap);
		if (!b->d)
			fallback("out of memory");
	}
	memcpy(b->d + b->len, s, n);
	b->len += n;
	b->d[b->len] = 0;
}

/* A JSON string (RFC 8259: quote, backslash and control characters escaped). */
static void put_json_string(struct buf *b, const char *s, size_t n)
{
	char esc[8];

	put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(b, esc, 6);
		} else {
			put(b, (const char *)&s[i], 1);
		}
	}
	put(b, "\"", 1);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(void)
{
	const char *cmd = getenv("CNI_COMMAND");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct buf body = { 0 }, req = { 0 }, reply = { 0 };
	char head[256], chunk[65536], *sep, *nl;
	long deadline;
	int fd, headers_done = 0, code;

	read_stdin();
	if (!cmd || strcmp(cmd, "VERSION") == 0)
		fallback("VERSION (or no CNI_COMMAND): the full plugin");
	if (!socket_path(addr.sun_path, sizeof(addr.sun_path)))
		fallback("no plain \"socket-path\" in the config: the full plugin");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		fallback("agent not listening: the full plugin reports it");

	put(&body, "{\"env\":{", 8);
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');

		if (strncmp(*e, "CNI_", 4) != 0 || !eq)
			continue;
		if (body.d[body.len - 1] != '{')
			put(&body, ",", 1);
		put_json_string(&body, *e, (size_t)(eq - *e));
		put(&body, ":", 1);
		put_json_string(&body, eq + 1, strlen(eq + 1));
	}
	put(&body, "},\"stdin\":", 10);
	put_json_string(&body, in, in_len);
	put(&body, "}", 1);
	/* HTTP/1.0: the agent answers without chunked encoding and closes when done. */
	snprintf(head, sizeof(head),
		 "POST /v1/cni HTTP/1.0\r\nHost: agent\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		 body.len);
	put(&req, head, strlen(head));
	put(&req, body.d, body.len);
	if (write_all(fd, req.d, req.len) < 0)
		fallback("agent closed the connection: the full plugin reports it");

	deadline = now_ms() + HEADER_DEADLINE_MS;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
			fallback(headers_done ? "agent reply timed out" : "agent did not answer within 1s");
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fallback("reading the agent's reply failed");
		if (n == 0)
			break;
		put(&reply, chunk, (size_t)n);
		if (reply.len > MAX_REPLY)
			fallback("agent reply too large");
		if (!headers_done && memmem(reply.d, reply.len, "\r\n\r\n", 4)) {
			headers_done = 1;
			deadline = now_ms() + REPLY_DEADLINE_MS;
		}
	}
	close(fd);
	if (!reply.d || strncmp(reply.d, "HTTP/1.1 200 ", 13) != 0)
		fallback("agent has no /v1/cni (an older agent?): the full plugin");
	sep = memmem(reply.d, reply.len, "\r\n\r\n", 4);
	if (!sep || strncmp(sep + 4, "exit=", 5) != 0 || !(nl = strchr(sep + 4, '\n')))
		fallback("agent reply not understood: the full plugin");
	code = atoi(sep + 9);
	trace("answered by the agent (/v1/cni)");
	if (write_all(1, nl + 1, (size_t)(reply.d + reply.len - (nl + 1))) < 0)
		return 1;
	return code;
}
