// The service-lookup bench's server: one thread, one connection at a time, echoing each byte
// back until the peer closes or resets. The bench's client is sequential too, so this adds no
// queueing, and the same code serves the connect/close and the request/response workloads
// (sockperf's server does only the latter). It exits after SECONDS, a bound on any leftover.
//   server PORT SECONDS
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: %s PORT SECONDS\n", argv[0]);
		return 2;
	}
	alarm(atoi(argv[2]));
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
	if (bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 1024) != 0) {
		perror("server: bind/listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0) continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		// A client that vanished without a reset must not stall the next one for long.
		struct timeval tv = {.tv_sec = 1};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		char b;
		while (read(fd, &b, 1) == 1 && write(fd, &b, 1) == 1) {
		}
		close(fd);
	}
}
