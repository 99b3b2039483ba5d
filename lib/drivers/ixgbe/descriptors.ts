/**
 * Advanced rx and tx descriptors of the 82599 (datasheet 7.1.6 and 7.2.3.2.4). Their layout is shared
 * with the 82576 (lib/drivers/common/adv-descriptors.ts); what is the 82599's own is the set of rx
 * write-back error bits.
 */
export {
  DESCRIPTOR_BYTES, RX_LENGTH_MASK, RX_STATUS, TX_CMD, TX_CMD_ONE_BUFFER, TX_CMD_SEGMENT, TX_PAYLEN_SHIFT,
  TX_STATUS_DD, armRxDescriptor, writeTxDescriptor, writeTxSegment,
} from '../common/adv-descriptors';

/**
 * Advanced rx write-back error bits that mean "the frame is bad" (7.1.6.2): RXE (bit 29, any MAC
 * error: CRC, length, symbol) and the older per-cause bits 24..28 (CE, LE, PE, OSE, USE). The checksum
 * error bits 30/31 (TCPE/IPE) are not included: checksum offload is off.
 */
export const RX_ERROR_FRAME = 0x3f000000;
