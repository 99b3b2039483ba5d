/*
 * rawsend: sends COUNT Ethernet frames of exactly SIZE bytes (without FCS) on a Linux interface through
 * an AF_PACKET raw socket, so the qemu tests can make Linux's own e1000 driver put known bytes on the
 * virtual wire. Busybox has no such tool and the guest has no Python; this is compiled static on the
 * host (tools/qemu/guest-image.ts) and run inside the guest's chroot.
 *
 * Frame i: destination DSTMAC, source = the interface's MAC, EtherType 0x88B5 (IEEE 802 local
 * experimental), bytes 14..17 = i (big-endian), every later byte k = (i + k) & 0xff. The TypeScript
 * side (test/qemu/guest/frames.ts) builds and checks the same pattern.
 *
 * usage: rawsend IFACE DSTMAC COUNT SIZE [GAP_US]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETHERTYPE_TSNIC_TEST 0x88B5
#define MIN_FRAME 60
#define MAX_FRAME 1514

static int fail(const char *what) {
  fprintf(stderr, "rawsend: %s: %s\n", what, strerror(errno));
  return 1;
}

static int parse_mac(const char *text, unsigned char mac[6]) {
  unsigned int b[6];
  if (sscanf(text, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6) return -1;
  for (int i = 0; i < 6; i++) {
    if (b[i] > 0xff) return -1;
    mac[i] = (unsigned char)b[i];
  }
  return 0;
}

static void pause_us(long us) {
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
  if (argc < 5 || argc > 6) {
    fprintf(stderr, "usage: rawsend IFACE DSTMAC COUNT SIZE [GAP_US]\n");
    return 2;
  }
  const char *ifname = argv[1];
  unsigned char dst[6];
  long count = strtol(argv[3], NULL, 10);
  long size = strtol(argv[4], NULL, 10);
  long gap_us = argc == 6 ? strtol(argv[5], NULL, 10) : 0;
  if (parse_mac(argv[2], dst) != 0 || count < 0 || size < MIN_FRAME || size > MAX_FRAME || gap_us < 0) {
    fprintf(stderr, "rawsend: bad arguments (DSTMAC aa:bb:cc:dd:ee:ff, COUNT >= 0, SIZE %d..%d)\n", MIN_FRAME,
            MAX_FRAME);
    return 2;
  }

  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETHERTYPE_TSNIC_TEST));
  if (fd < 0) return fail("socket(AF_PACKET)");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) return fail("SIOCGIFFLAGS");
  if (!(ifr.ifr_flags & IFF_UP)) {
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) return fail("SIOCSIFFLAGS (bring the interface up)");
  }
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) return fail("SIOCGIFHWADDR");
  unsigned char src[6];
  memcpy(src, ifr.ifr_hwaddr.sa_data, 6);
  int index = (int)if_nametoindex(ifname);
  if (index == 0) return fail("if_nametoindex");

  struct sockaddr_ll to;
  memset(&to, 0, sizeof to);
  to.sll_family = AF_PACKET;
  to.sll_ifindex = index;
  to.sll_halen = 6;
  memcpy(to.sll_addr, dst, 6);

  unsigned char frame[MAX_FRAME];
  for (long i = 0; i < count; i++) {
    memcpy(frame, dst, 6);
    memcpy(frame + 6, src, 6);
    frame[12] = ETHERTYPE_TSNIC_TEST >> 8;
    frame[13] = ETHERTYPE_TSNIC_TEST & 0xff;
    frame[14] = (unsigned char)(i >> 24);
    frame[15] = (unsigned char)(i >> 16);
    frame[16] = (unsigned char)(i >> 8);
    frame[17] = (unsigned char)i;
    for (long k = 18; k < size; k++) frame[k] = (unsigned char)((i + k) & 0xff);
    for (;;) {
      ssize_t sent = sendto(fd, frame, (size_t)size, 0, (struct sockaddr *)&to, sizeof to);
      if (sent == size) break;
      /* A full qdisc or tx ring: wait for the driver to drain it rather than lose the frame. */
      if (sent < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)) {
        pause_us(200);
        continue;
      }
      return fail("sendto");
    }
    if (gap_us > 0) pause_us(gap_us);
  }
  close(fd);
  printf("rawsend: sent %ld frames of %ld bytes on %s\n", count, size, ifname);
  return 0;
}
