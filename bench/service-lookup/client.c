// The service-lookup bench's client: C, not Node, so the per-connection cost it adds stays far
// below the microseconds the variants differ by.
//   client IP PORT crr SECONDS  connect, 1 byte each way, close with RST (SO_LINGER 0, so no
//                               TIME_WAIT); connect() alone is timed: it returns on the SYN-ACK,
//                               the first packet's round trip
//   client IP PORT rr SECONDS   1-byte request/response on one connection
// Prints one JSON line: count, rate per second, p50/p99 in microseconds, errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES (1 << 21)

static double now_us(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

// Nearest-rank percentile, as bench/lib/report.ts computes it.
static double pct(double *s, long n, double p) {
	if (n == 0) return 0;
	long rank = (long)((p / 100.0) * n + 0.999999999);
	if (rank < 1) rank = 1;
	if (rank > n) rank = n;
	return s[rank - 1];
}

static int tcp_socket(void) {
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct timeval tv = {.tv_sec = 2};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

int main(int argc, char **argv) {
	if (argc != 5) {
		fprintf(stderr, "usage: %s IP PORT crr|rr SECONDS\n", argv[0]);
		return 2;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "client: bad IP %s\n", argv[1]);
		return 2;
	}
	int crr = strcmp(argv[3], "crr") == 0;
	double secs = atof(argv[4]);
	double *s = malloc(sizeof(double) * MAX_SAMPLES);
	long n = 0, errors = 0;
	char b = 'x';
	double start = now_us(), end = start + secs * 1e6, t;
	if (crr) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		while ((t = now_us()) < end && n < MAX_SAMPLES && errors < 100) {
			int fd = tcp_socket();
			if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
				errors++;
				close(fd);
				continue;
			}
			double dt = now_us() - t;
			if (write(fd, &b, 1) != 1 || read(fd, &b, 1) != 1) errors++;
			else s[n++] = dt;
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
			close(fd);
		}
	} else {
		int fd = tcp_socket();
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) errors++;
		else
			while ((t = now_us()) < end && n < MAX_SAMPLES) {
				if (write(fd, &b, 1) != 1 || read(fd, &b, 1) != 1) {
					errors++;
					break;
				}
				s[n++] = now_us() - t;
			}
		close(fd);
	}
	double elapsed = (now_us() - start) / 1e6;
	qsort(s, n, sizeof(double), cmp);
	printf("{\"n\":%ld,\"perSec\":%.1f,\"p50us\":%.2f,\"p99us\":%.2f,\"errors\":%ld}\n", n, n / elapsed,
	       pct(s, n, 50), pct(s, n, 99), errors);
	return 0;
}
