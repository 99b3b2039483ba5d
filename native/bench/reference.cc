// See reference.h. Descriptor formats and registers: 82599 datasheet 7.1.6 (advanced rx), 7.2.3.2.4
// (advanced tx data), 8.2.3.8 / 8.2.3.9 (queue registers); the same facts the TypeScript driver uses.
#include "bench/reference.h"

#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

#include "bench/count_marks.h"
#include "sim/packet.h"
#include "sim/regs.h"

namespace tsnic {
namespace bench {

namespace {

using namespace tsnic::sim;

constexpr uint32_t kRing = 512;  // descriptors per ring, as the driver's default
constexpr uint32_t kMask = kRing - 1;
constexpr uint32_t kBufSize = 2048;
constexpr uint32_t kPoolBufs = 8192;  // shared by both ports: 4 rings' worth and room for batches
constexpr uint32_t kTxCleanChunk = 32;
constexpr uint32_t kMaxBatch = 256;
constexpr uint64_t kRingBytes = kRing * 16;
constexpr uint64_t kPoolOffset = 4 * kRingBytes;  // rx0, tx0, rx1, tx1, then the buffers

uint64_t Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void Sleep(uint32_t us) { usleep(us); }

// An empty poll: step back briefly (as DPDK's rte_pause) instead of re-reading the descriptor the
// model is about to write, which would pull its cache line away from the model thread at every turn.
void Backoff() {
  for (int i = 0; i < 16; i++) __builtin_ia32_pause();
}

struct Pool {
  uint8_t* base;
  uint64_t iova;
  uint32_t free[kPoolBufs];
  uint32_t top;
  uint64_t IovaOf(uint32_t id) const { return iova + static_cast<uint64_t>(id) * kBufSize; }
  uint8_t* DataOf(uint32_t id) const { return base + static_cast<uint64_t>(id) * kBufSize; }
};

struct Port {
  volatile uint32_t* regs;
  volatile uint32_t* rxd;
  volatile uint32_t* txd;
  uint64_t rxIova, txIova;
  uint32_t rxNext = 0;
  uint32_t txTail = 0, txClean = 0;
  uint32_t rxBuf[kRing];
  uint32_t txBuf[kRing];

  void Set(uint32_t off, uint32_t v) { regs[off >> 2] = v; }
  uint32_t Get(uint32_t off) const { return regs[off >> 2]; }
};

uint32_t LoadAcquire(volatile uint32_t* p) { return __atomic_load_n(const_cast<uint32_t*>(p), __ATOMIC_ACQUIRE); }
void StoreRelease(volatile uint32_t* p, uint32_t v) { __atomic_store_n(const_cast<uint32_t*>(p), v, __ATOMIC_RELEASE); }

// Datasheet 4.6.7 (rx) and 4.6.8 (tx) init, on a port fresh from power-on reset.
bool InitPort(Port& p, Pool& pool) {
  // 4.6.7.1: ring base and length, advanced one-buffer descriptors with 2 KiB buffers.
  p.Set(RdBase(0), static_cast<uint32_t>(p.rxIova));
  p.Set(RdBase(0) + kRdbah, static_cast<uint32_t>(p.rxIova >> 32));
  p.Set(RdBase(0) + kRdlen, kRing * 16);
  p.Set(Srrctl(0), (kBufSize / 1024) | kSrrctlDescAdvOneBuf << kSrrctlDescTypeShift);
  p.Set(RdBase(0) + kRdh, 0);
  p.Set(RdBase(0) + kRdt, 0);
  for (uint32_t i = 0; i < kRing; i++) {
    if (pool.top == 0) return false;
    const uint32_t id = pool.free[--pool.top];
    p.rxBuf[i] = id;
    const uint64_t a = pool.IovaOf(id);
    p.rxd[i * 4] = static_cast<uint32_t>(a);
    p.rxd[i * 4 + 1] = static_cast<uint32_t>(a >> 32);
    p.rxd[i * 4 + 2] = 0;
    p.rxd[i * 4 + 3] = 0;
  }
  p.Set(RdBase(0) + kRxdctl, p.Get(RdBase(0) + kRxdctl) | kRxdctlEnable);
  // 4.6.8: tx ring, then DMATXCTL.TE and the queue enable.
  p.Set(TdBase(0), static_cast<uint32_t>(p.txIova));
  p.Set(TdBase(0) + kTdbah, static_cast<uint32_t>(p.txIova >> 32));
  p.Set(TdBase(0) + kTdlen, kRing * 16);
  p.Set(TdBase(0) + kTdh, 0);
  p.Set(TdBase(0) + kTdt, 0);
  p.Set(kDmatxctl, kDmatxctlTe);
  p.Set(TdBase(0) + kTxdctl, p.Get(TdBase(0) + kTxdctl) | kTxdctlEnable);
  for (int i = 0; i < 1000 && !(p.Get(RdBase(0) + kRxdctl) & kRxdctlEnable); i++) Sleep(100);
  // RDT one behind RDH would mean "ring full"; the last descriptor stays with software.
  p.Set(RdBase(0) + kRdt, kRing - 1);
  p.Set(kFctrl, kFctrlUpe | kFctrlMpe | kFctrlBam);  // promiscuous, while RXEN is still clear
  p.Set(kCtrlExt, p.Get(kCtrlExt) | kCtrlExtNsDis);   // 4.6.7, last step: no-snoop off,
  p.Set(DcaRxctrl(0), p.Get(DcaRxctrl(0)) & ~kDcaRxctrlBit12);  // and the reserved DCA_RXCTRL bit 12 cleared
  // 8.2.3.8.8: RDRXCTL.CRCSTRIP must equal HLREG0.RXCRCSTRP (set after reset): strip the CRC.
  p.Set(kRdrxctl, p.Get(kRdrxctl) | kRdrxctlCrcStrip);
  // 4.6.7 / 8.2.3.12.5: RXEN only while the rx data path is gated (SECRXCTRL.RX_DIS) and idle
  // (SECRXSTAT.SECRX_RDY), then ungate it.
  p.Set(kSecrxctrl, p.Get(kSecrxctrl) | kSecrxctrlRxDis);
  for (int i = 0; i < 400 && !(p.Get(kSecrxstat) & kSecrxstatRdy); i++) Sleep(100);
  p.Set(kRxctrl, kRxctrlRxen);
  p.Set(kSecrxctrl, p.Get(kSecrxctrl) & ~kSecrxctrlRxDis);
  for (int i = 0; i < 2000; i++) {
    if (p.Get(kLinks) & kLinksUp) return true;
    Sleep(1000);
  }
  return false;
}

void StopPort(Port& p) {
  p.Set(kRxctrl, 0);
  p.Set(RdBase(0) + kRxdctl, 0);
  p.Set(TdBase(0) + kTxdctl, 0);
}

// Harvests up to `max` received frames into ids/lens, refilling each descriptor with a fresh buffer.
uint32_t RxBatch(Port& p, Pool& pool, uint32_t* ids, uint16_t* lens, uint32_t max) {
  uint32_t i = p.rxNext;
  uint32_t n = 0;
  while (n < max && pool.top > 0) {
    volatile uint32_t* d = p.rxd + i * 4;
    const uint32_t status = LoadAcquire(d + 2);
    if (!(status & kRxStatDd)) break;
    ids[n] = p.rxBuf[i];
    lens[n] = static_cast<uint16_t>(d[3] & 0xFFFF);
    const uint32_t fresh = pool.free[--pool.top];
    p.rxBuf[i] = fresh;
    const uint64_t a = pool.IovaOf(fresh);
    d[0] = static_cast<uint32_t>(a);
    d[1] = static_cast<uint32_t>(a >> 32);
    d[2] = 0;
    d[3] = 0;
    i = (i + 1) & kMask;
    n++;
  }
  if (n > 0) {
    p.rxNext = i;
    StoreRelease(p.regs + ((RdBase(0) + kRdt) >> 2), (i - 1) & kMask);
  }
  return n;
}

// Frees transmitted buffers in chunks of 32, checking only each chunk's last descriptor (RS on all).
void TxClean(Port& p, Pool& pool) {
  for (;;) {
    const uint32_t pending = (p.txTail - p.txClean) & kMask;
    if (pending < kTxCleanChunk) return;
    const uint32_t last = (p.txClean + kTxCleanChunk - 1) & kMask;
    if (!(LoadAcquire(p.txd + last * 4 + 3) & kTxStaDd)) return;
    uint32_t c = p.txClean;
    for (uint32_t k = 0; k < kTxCleanChunk; k++) {
      pool.free[pool.top++] = p.txBuf[c];
      c = (c + 1) & kMask;
    }
    p.txClean = c;
  }
}

// Queues ids/lens[0..n) for transmission; returns how many fitted.
uint32_t TxBatch(Port& p, Pool& pool, const uint32_t* ids, const uint16_t* lens, uint32_t n) {
  TxClean(p, pool);
  uint32_t tail = p.txTail;
  uint32_t sent = 0;
  constexpr uint32_t cmd = kTxDtypData << kTxDtypShift | kTxCmdDext | kTxCmdIfcs | kTxCmdEop | kTxCmdRs;
  while (sent < n) {
    const uint32_t next = (tail + 1) & kMask;
    if (next == p.txClean) break;
    volatile uint32_t* d = p.txd + tail * 4;
    const uint64_t a = pool.IovaOf(ids[sent]);
    const uint32_t len = lens[sent];
    d[0] = static_cast<uint32_t>(a);
    d[1] = static_cast<uint32_t>(a >> 32);
    d[2] = cmd | len;
    d[3] = len << kTxPaylenShift;
    p.txBuf[tail] = ids[sent];
    tail = next;
    sent++;
  }
  if (sent > 0) {
    p.txTail = tail;
    StoreRelease(p.regs + ((TdBase(0) + kTdt) >> 2), tail);
  }
  return sent;
}

void FreeRest(Pool& pool, const uint32_t* ids, uint32_t from, uint32_t to) {
  for (uint32_t k = from; k < to; k++) pool.free[pool.top++] = ids[k];
}

}  // namespace

uint64_t ReferenceMemoryBytes() { return kPoolOffset + static_cast<uint64_t>(kPoolBufs) * kBufSize; }

ReferenceResult RunReference(const ReferenceConfig& c) {
  ReferenceResult r;
  const int nports = c.mode == kModeForward ? 2 : 1;
  if (c.batch < 1 || c.batch > kMaxBatch || c.mem == nullptr || c.bar0[0] == nullptr ||
      (nports == 2 && c.bar0[1] == nullptr) || c.frameSize < kMinFrame || c.frameSize > kBufSize) {
    r.code = "ERR_INVALID_ARG";
    r.error = "bad arguments (batch 1..256, frameSize 60..2048, bar0 and dma required)";
    return r;
  }
  static Pool pool;  // large; the reference runs one at a time (the JS main thread)
  static Port ports[2];
  pool.base = c.mem + kPoolOffset;
  pool.iova = c.iova + kPoolOffset;
  pool.top = 0;
  for (uint32_t i = 0; i < kPoolBufs; i++) pool.free[pool.top++] = kPoolBufs - 1 - i;
  for (int k = 0; k < nports; k++) {
    Port& p = ports[k];
    p = Port();
    p.regs = c.bar0[k];
    p.rxd = reinterpret_cast<volatile uint32_t*>(c.mem + (2 * k) * kRingBytes);
    p.txd = reinterpret_cast<volatile uint32_t*>(c.mem + (2 * k + 1) * kRingBytes);
    p.rxIova = c.iova + (2 * k) * kRingBytes;
    p.txIova = c.iova + (2 * k + 1) * kRingBytes;
  }
  if (c.mode == kModeTx) {
    // pktgen: every buffer holds a test frame with UDP checksum 0 (none), so writing the sequence
    // number is the only per-packet byte work.
    FrameTemplate* t = new FrameTemplate();
    const uint32_t ral = c.bar0[0][kRal0 >> 2], rah = c.bar0[0][kRah0 >> 2];
    const uint8_t dst[6] = {static_cast<uint8_t>(ral), static_cast<uint8_t>(ral >> 8), static_cast<uint8_t>(ral >> 16),
                            static_cast<uint8_t>(ral >> 24), static_cast<uint8_t>(rah), static_cast<uint8_t>(rah >> 8)};
    const uint8_t src[6] = {0x02, 0, 0, 0, 0xEE, 0x02};
    BuildFrame(t, c.frameSize, dst, src);
    t->bytes[40] = t->bytes[41] = 0;
    for (uint32_t i = 0; i < kPoolBufs; i++) std::memcpy(pool.DataOf(i), t->bytes, c.frameSize);
    delete t;
  }
  for (int k = 0; k < nports; k++) {
    if (!InitPort(ports[k], pool)) {
      for (int j = 0; j <= k; j++) StopPort(ports[j]);
      r.code = "ERR_LINK_TIMEOUT";
      r.error = "link did not come up within 2 s; use a fresh SimCard with a tester or cross wiring and bus mastering on";
      return r;
    }
  }
  const ModelHooks* model = c.lockstep;
  if (model != nullptr) model->setThread(model->ctx, false);
  uint64_t modelNs = 0;
  uint32_t ids[kMaxBatch];
  uint16_t lens[kMaxBatch];
  const uint32_t batch = c.batch;
  const uint64_t limit = c.maxPackets == 0 ? ~0ull : c.maxPackets;
  uint64_t packets = 0;
  uint32_t seq = 0;
  uint32_t iter = 0;
  tsnic_count_begin();
  uint64_t busyBefore = 0, cpuBefore = 0;
  if (c.modelBusy != nullptr) c.modelBusy->read(c.modelBusy->ctx, &busyBefore, &cpuBefore);
  const uint64_t start = Now();
  const uint64_t deadline = start + c.durationNs;
  uint64_t now = start;
  while (packets < limit) {
    if ((++iter & 63) == 0) {
      now = Now();
      if (now >= deadline) break;
    }
    if (model != nullptr) modelNs += model->pass(model->ctx);
    if (c.mode == kModeTx) {
      Port& p = ports[0];
      uint32_t n = 0;
      while (n < batch && pool.top > 0) ids[n++] = pool.free[--pool.top];
      for (uint32_t k = 0; k < n; k++) {
        uint8_t* f = pool.DataOf(ids[k]);
        const uint32_t s = seq++;
        f[kSeqOffset] = static_cast<uint8_t>(s >> 24);
        f[kSeqOffset + 1] = static_cast<uint8_t>(s >> 16);
        f[kSeqOffset + 2] = static_cast<uint8_t>(s >> 8);
        f[kSeqOffset + 3] = static_cast<uint8_t>(s);
        lens[k] = static_cast<uint16_t>(c.frameSize);
      }
      const uint32_t sent = TxBatch(p, pool, ids, lens, n);
      FreeRest(pool, ids, sent, n);
      seq -= n - sent;
      packets += sent;
      if (sent == 0 && model == nullptr) Backoff();
    } else if (c.mode == kModeRx) {
      const uint32_t n = RxBatch(ports[0], pool, ids, lens, batch);
      FreeRest(pool, ids, 0, n);
      packets += n;
      if (n == 0 && model == nullptr) Backoff();
    } else {
      uint32_t moved = 0;
      for (int k = 0; k < 2; k++) {
        const uint32_t n = RxBatch(ports[k], pool, ids, lens, batch);
        if (n == 0) continue;
        for (uint32_t j = 0; j < n; j++) pool.DataOf(ids[j])[1]++;  // touch the frame, as a forwarder does
        const uint32_t sent = TxBatch(ports[1 - k], pool, ids, lens, n);
        FreeRest(pool, ids, sent, n);
        packets += sent;
        moved += n;
      }
      if (moved == 0 && model == nullptr) Backoff();
    }
  }
  r.ns = Now() - start;
  if (c.modelBusy != nullptr) {
    c.modelBusy->read(c.modelBusy->ctx, &r.modelBusyNs, &r.modelCpuNs);
    r.modelBusyNs -= busyBefore;
    r.modelCpuNs -= cpuBefore;
  }
  tsnic_count_end();
  r.modelNs = modelNs;
  r.packets = packets;
  if (model != nullptr) model->setThread(model->ctx, true);
  for (int k = 0; k < nports; k++) StopPort(ports[k]);
  r.ok = true;
  return r;
}

bool PinCallingThread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof(set), &set) == 0;
}

}  // namespace bench
}  // namespace tsnic
