/** The production addon's filter compiler (native/binding/pcap.cc over native/pcap/filter_compiler.cc). */

/** native/binding/pcap.cc */
export interface PcapBinding {
  /**
   * Compiles the tcpdump filter `expression` with libpcap (dlopen()ed from `library`, a file name
   * such as libpcap.so.0.8) for `linktype` frames captured up to `snaplen` bytes; returns the
   * optimized program as [code, jt, jf, k] per instruction. Throws ERR_LIBPCAP when libpcap cannot
   * be loaded, ERR_INVALID_ARG with libpcap's message when the expression does not compile.
   */
  pcapCompile(library: string, expression: string, linktype: number, snaplen: number): Uint32Array;
}
