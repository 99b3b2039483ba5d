// Register offsets and bits of the Intel 82599 that the device model implements. Facts from the 82599
// datasheet (section 8.2.3, register descriptions) cross-checked with Linux ixgbe_type.h and ixy.
#pragma once
#include <cstdint>

namespace tsnic {
namespace sim {

constexpr uint32_t kBar0Size = 128u * 1024;  // 82599 BAR0 memory space (datasheet 9.3.6.1)
constexpr uint32_t kQueues = 64;              // rx and tx queues per port (datasheet 1.3)

// General control (8.2.3.1)
constexpr uint32_t kCtrl = 0x00000;
constexpr uint32_t kCtrlGioDis = 1u << 2;  // PCIe master disable
constexpr uint32_t kCtrlLrst = 1u << 3;    // link reset, self-clearing
constexpr uint32_t kCtrlRst = 1u << 26;    // device reset, self-clearing
constexpr uint32_t kStatus = 0x00008;
constexpr uint32_t kStatusLanIdShift = 2;    // bits 3:2: which port of the card
constexpr uint32_t kStatusGio = 1u << 19;    // PCIe master enable status

// EEPROM (8.2.3.2)
constexpr uint32_t kEec = 0x10010;
constexpr uint32_t kEecPres = 1u << 8;    // EEPROM present
constexpr uint32_t kEecArd = 1u << 9;     // auto-read done
constexpr uint32_t kEecSizeShift = 11;    // bits 14:11, words = 1 << (SIZE + 6)
constexpr uint32_t kEerd = 0x10014;
constexpr uint32_t kEerdStart = 1u << 0;
constexpr uint32_t kEerdDone = 1u << 1;
constexpr uint32_t kEerdAddrShift = 2;    // bits 15:2
constexpr uint32_t kEerdDataShift = 16;   // bits 31:16

// Interrupts (8.2.3.5)
constexpr uint32_t kEicr = 0x00800;
constexpr uint32_t kEims = 0x00880;
constexpr uint32_t kEimc = 0x00888;

// Receive (8.2.3.8)
constexpr uint32_t kRdbalLow = 0x01000;   // queues 0..63 at 0x1000 + 0x40 n
constexpr uint32_t kRdbalHigh = 0x0D000;  // queues 64..127 at 0xD000 + 0x40 (n - 64)
constexpr uint32_t kRdbah = 0x04, kRdlen = 0x08, kRdh = 0x10, kRdt = 0x18, kRxdctl = 0x28;
constexpr uint32_t kRxdctlEnable = 1u << 25;
constexpr uint32_t kSrrctlLow = 0x02100;  // queues 0..15 alias at 0x2100 + 4 n
constexpr uint32_t kSrrctlBsizePktMask = 0x1F;   // bits 4:0, 1 KiB units
constexpr uint32_t kSrrctlDescTypeShift = 25;    // bits 27:25
constexpr uint32_t kSrrctlDescTypeMask = 7u << 25;
constexpr uint32_t kSrrctlDescLegacy = 0;
constexpr uint32_t kSrrctlDescAdvOneBuf = 1;
constexpr uint32_t kRdrxctl = 0x02F00;
constexpr uint32_t kRdrxctlDmaIdone = 1u << 3;
constexpr uint32_t kRxctrl = 0x03000;
constexpr uint32_t kRxctrlRxen = 1u << 0;
constexpr uint32_t kFctrl = 0x05080;
constexpr uint32_t kFctrlMpe = 1u << 8, kFctrlUpe = 1u << 9, kFctrlBam = 1u << 10;
constexpr uint32_t kRal0 = 0x0A200;
constexpr uint32_t kRah0 = 0x0A204;
constexpr uint32_t kRahAv = 1u << 31;

// MAC (8.2.3.22)
constexpr uint32_t kHlreg0 = 0x04240;
constexpr uint32_t kHlreg0TxCrcEn = 1u << 0;
constexpr uint32_t kHlreg0RxCrcStrp = 1u << 1;
constexpr uint32_t kHlreg0JumboEn = 1u << 2;
constexpr uint32_t kHlreg0TxPadEn = 1u << 10;
constexpr uint32_t kMaxfrs = 0x04268;      // MFS in bits 31:16
constexpr uint32_t kAutoc = 0x042A0;
constexpr uint32_t kAutocAnRestart = 1u << 12;
constexpr uint32_t kLinks = 0x042A4;
constexpr uint32_t kLinksStatus = 1u << 7;
constexpr uint32_t kLinksSpeed10G = 3u << 28;  // bits 29:28 = 11b
constexpr uint32_t kLinksUp = 1u << 30;
constexpr uint32_t kLinksAnComplete = 1u << 31;

// Transmit (8.2.3.9)
constexpr uint32_t kDmatxctl = 0x04A80;
constexpr uint32_t kDmatxctlTe = 1u << 0;
constexpr uint32_t kTdbal = 0x06000;  // queue n at 0x6000 + 0x40 n
constexpr uint32_t kTdbah = 0x04, kTdlen = 0x08, kTdh = 0x10, kTdt = 0x18, kTxdctl = 0x28;
constexpr uint32_t kTdwbal = 0x38, kTdwbah = 0x3C;
constexpr uint32_t kTxdctlEnable = 1u << 25;

// Statistics (8.2.3.23), all clear on read
constexpr uint32_t kCrcerrs = 0x04000;
constexpr uint32_t kGprc = 0x04074;
constexpr uint32_t kGptc = 0x04080;
constexpr uint32_t kGorcl = 0x04088, kGorch = 0x0408C;
constexpr uint32_t kGotcl = 0x04090, kGotch = 0x04094;
constexpr uint32_t kMpc0 = 0x03FA0;   // MPC / RXMPC(n) at 0x3FA0 + 4 n, n = packet buffer 0..7
constexpr uint32_t kTpr = 0x040D0;    // total packets received
constexpr uint32_t kTpt = 0x040D4;    // total packets transmitted

// Advanced receive descriptor, write-back format (7.1.6.2): dword 2 = extended status (19:0) and
// extended errors (31:20), dword 3 = packet length (15:0) and VLAN tag (31:16).
constexpr uint32_t kRxStatDd = 1u << 0;
constexpr uint32_t kRxStatEop = 1u << 1;
constexpr uint32_t kRxErrRxe = 1u << 29;  // any MAC error (CRC, length, ...)
// Legacy receive descriptor write-back (7.1.5): length in dword 2 bits 15:0, status in dword 3 7:0,
// errors in dword 3 15:8.
constexpr uint32_t kRxLegacyErrCe = 1u << 8;

// Advanced transmit data descriptor (7.2.3.2.4): dword 2 = DTALEN 15:0, DTYP 23:20, DCMD 31:24;
// dword 3 = STA 3:0 (DD at write-back), IDX 6:4, POPTS 13:8, PAYLEN 31:14. The legacy descriptor
// (7.2.3.2.2) shares the length, the command bits EOP/IFCS/RS/DEXT and the DD status bit position.
constexpr uint32_t kTxCmdEop = 1u << 24;
constexpr uint32_t kTxCmdIfcs = 1u << 25;
constexpr uint32_t kTxCmdRs = 1u << 27;
constexpr uint32_t kTxCmdDext = 1u << 29;
constexpr uint32_t kTxDtypShift = 20;
constexpr uint32_t kTxDtypData = 0x3;
constexpr uint32_t kTxDtypContext = 0x2;
constexpr uint32_t kTxStaDd = 1u << 0;
constexpr uint32_t kTxPaylenShift = 14;

// Data path registers (model-datapath), datasheet 8.2.3 and Linux ixgbe_type.h.
constexpr uint32_t kCtrlExt = 0x00018;
constexpr uint32_t kCtrlExtNsDis = 1u << 16;     // no-snoop disable (4.6.7: set it)
constexpr uint32_t kDcaRxctrlBit12 = 1u << 12;   // reserved, reads 1 after reset, must be cleared (4.6.7)
constexpr uint32_t kRxpbsize0 = 0x03C00;         // SIZE in bits 19:10, KB (8.2.3.8.9)
constexpr uint32_t kTxpbsize0 = 0x0CC00;         // SIZE in bits 19:10, KB (8.2.3.9.13)
constexpr uint32_t kPbSizeShift = 10, kPbSizeMask = 0x3FFu << 10;
constexpr uint32_t kSrrctlDropEn = 1u << 28;     // drop when the queue has no descriptor (8.2.3.8.7)
constexpr uint32_t kFctrlSbp = 1u << 1;          // store bad packets (8.2.3.7.1)
constexpr uint32_t kQprdc = 0x01430;             // QPRDC(n) at 0x1430 + 0x40 n (statistics, 8.2.3.23)
constexpr uint32_t kMrqc = 0x05818;              // MRQE bits 3:0, field enables 31:16 (8.2.3.7.12)
constexpr uint32_t kMrqeMask = 0xF, kMrqeRss = 0x1;
constexpr uint32_t kMrqcIpv4 = 1u << 17, kMrqcIpv4Udp = 1u << 22;
constexpr uint32_t kRssrk = 0x05C80;             // RSSRK(0..9): 40-byte key, byte 0 in bits 7:0 of word 0
constexpr uint32_t kReta = 0x05C00;              // RETA(0..31): four 1-byte entries per register
constexpr uint32_t kRssTypeIpv4 = 0x2, kRssTypeIpv4Udp = 0x7;  // advanced rx write-back dword 0 3:0
constexpr uint32_t kRttdcs = 0x04900;
constexpr uint32_t kRttdcsArbdis = 1u << 6;      // tx descriptor arbiter disabled (4.6.11.3.4)
constexpr uint32_t kTxdctlWthreshShift = 16, kTxdctlWthreshMask = 0x7Fu << 16;
constexpr uint32_t kTxdctlSwflsh = 1u << 26;  // 8.2.3.9.10: flush the pending descriptor write-backs
constexpr uint32_t kTxCmdTse = 1u << 31;         // TCP segmentation (DCMD.TSE)

inline uint32_t RdBase(uint32_t n) { return n < 64 ? kRdbalLow + 0x40 * n : kRdbalHigh + 0x40 * (n - 64); }
inline uint32_t Srrctl(uint32_t n) {
  return n <= 15 ? kSrrctlLow + 4 * n : (n < 64 ? 0x01014 + 0x40 * n : 0x0D014 + 0x40 * (n - 64));
}
inline uint32_t TdBase(uint32_t n) { return kTdbal + 0x40 * n; }

// Control-path registers added for the strict control model (model-control). Offsets and bits from
// the 82599 datasheet 8.2.3, cross-checked with Linux ixgbe_type.h.
constexpr uint32_t kRdrxctlCrcStrip = 1u << 1;    // 8.2.3.8.8: must equal HLREG0.RXCRCSTRP
constexpr uint32_t kDtxmxszrq = 0x08100;          // 8.2.3.9.1
constexpr uint32_t kSecrxctrl = 0x08D00;          // 8.2.3.12.5
constexpr uint32_t kSecrxctrlSecrxDis = 1u << 0;
constexpr uint32_t kSecrxctrlRxDis = 1u << 1;
constexpr uint32_t kSecrxstat = 0x08D04;          // 8.2.3.12.6, read only
constexpr uint32_t kSecrxstatRdy = 1u << 0;
constexpr uint32_t kRalAlias0 = 0x05400;          // RAL/RAH(0..15) also at 0x5400 + 8 n (82598 layout)
constexpr uint32_t kRarAliased = 16;              // entries with the second address
inline uint32_t Ral(uint32_t n) { return kRal0 + 8 * n; }
inline uint32_t RalAlias(uint32_t n) { return kRalAlias0 + 8 * n; }
// DCA_RXCTRL(n): queues 0..15 also at 0x2200 + 4 n; 0..63 at 0x100C + 0x40 n (8.2.3.11.1)
inline uint32_t DcaRxctrl(uint32_t n) { return 0x0100C + 0x40 * n; }
inline uint32_t DcaRxctrlAlias(uint32_t n) { return 0x02200 + 4 * n; }
inline uint32_t DcaTxctrl(uint32_t n) { return 0x0600C + 0x40 * n; }  // 8.2.3.11.2

// IEEE 1588 time sync (datasheet 7.9, registers 8.2.3.26), offsets and bits as in Linux ixgbe_type.h.
constexpr uint32_t kTsyncrxctl = 0x05188;         // VALID 0, TYPE 3:1, EN 4
constexpr uint32_t kRxstmpl = 0x051E8, kRxstmph = 0x051A4;  // latched rx time, read low then high
constexpr uint32_t kRxsatrl = 0x051A0, kRxsatrh = 0x051A8;  // source id low / source id high 15:0, sequence id 31:16
constexpr uint32_t kRxmtrl = 0x05120;             // CTRLT (V1) 7:0, MSGT (V2) 15:8, UDP port 31:16
constexpr uint32_t kTsynctxctl = 0x08C00;         // VALID 0, EN 4
constexpr uint32_t kTxstmpl = 0x08C04, kTxstmph = 0x08C08;  // latched tx time, read low then high
constexpr uint32_t kSystiml = 0x08C0C, kSystimh = 0x08C10;  // SYSTIMH latched by a SYSTIML read
constexpr uint32_t kTiminca = 0x08C14;            // INCVALUE 23:0, INCPERIOD 31:24
constexpr uint32_t kTsyncValid = 1u << 0;         // TSYNCTXCTL / TSYNCRXCTL: a timestamp is latched
constexpr uint32_t kTsyncEnable = 1u << 4;
constexpr uint32_t kTsyncRxTypeMask = 0xEu;       // TSYNCRXCTL.TYPE (bits 3:1)
constexpr uint32_t kTsyncRxTypeL2V2 = 0x0, kTsyncRxTypeL4V1 = 0x2, kTsyncRxTypeL2L4V2 = 0x4,
                   kTsyncRxTypeEventV2 = 0xA;
inline uint32_t Etqf(uint32_t n) { return 0x05128 + 4 * n; }  // ETQF(0..7): EtherType 15:0
constexpr uint32_t kEtqfFilterEn = 1u << 31, kEtqf1588 = 1u << 30;
constexpr uint32_t kTxCmdTstamp = 1u << 19;       // advanced data descriptor dword 2: MAC.TSTAMP (7.2.3.2.4)
constexpr uint32_t kRxStatTs = 1u << 16;          // advanced rx write-back status: time stamped (7.1.6.2)

}  // namespace sim
}  // namespace tsnic
