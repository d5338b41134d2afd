// A loaded BPF program: its fd and BPF_PROG_TEST_RUN.
import { BpfError, check } from './errors.js';
import { alloc, bpf, type Pointer, sizeOf, TestRunOpts } from './native.js';

/** TC verdicts (include/uapi/linux/pkt_cls.h). */
export const TcAct = { OK: 0, SHOT: 2, REDIRECT: 7 } as const;

export interface TestRunInput {
  /** The frame handed to the program, starting at the Ethernet header. */
  data: Buffer;
  /** Optional context (for tc: struct __sk_buff, 192 bytes; see skbContext()). */
  ctx?: Buffer;
  /** Repetitions, for benchmarks; the result's duration is the kernel's average per run. */
  repeat?: number;
  /** Room for the output frame; defaults to the input length + 256. */
  dataOutSize?: number;
}

export interface TestRunResult {
  retval: number;
  /** The frame as the program left it. */
  data: Buffer;
  ctx: Buffer | undefined;
  /** Average nanoseconds per repetition, measured by the kernel. */
  durationNs: number;
}

export class BpfProgram {
  readonly name: string;
  readonly #fd: number;
  readonly handle: Pointer;

  constructor(name: string, fd: number, handle: Pointer) {
    this.name = name;
    this.#fd = fd;
    this.handle = handle;
  }

  /** The kernel's id for this program (what bpftool and tc show). */
  get id(): number {
    const info = Buffer.alloc(8);
    check(bpf.objGetInfoByFd(this.fd, info, [info.length]), 'get program info', this.name);
    return info.readUInt32LE(4);
  }

  get fd(): number {
    if (this.#fd < 0)
      throw new BpfError({
        op: 'use program',
        object: this.name,
        code: 'EINVAL',
        message: 'object is not loaded',
      });
    return this.#fd;
  }

  /** Runs the program once (or `repeat` times) on a crafted frame, in the kernel, without a device. */
  testRun(input: TestRunInput): TestRunResult {
    const dataIn = alloc(input.data.length);
    const dataOut = alloc(input.dataOutSize ?? input.data.length + 256);
    const ctxIn = input.ctx ? alloc(input.ctx.length) : undefined;
    const ctxOut = input.ctx ? alloc(input.ctx.length) : undefined;
    try {
      input.data.copy(dataIn.buf);
      if (input.ctx && ctxIn) input.ctx.copy(ctxIn.buf);
      const opts = {
        sz: sizeOf(TestRunOpts),
        data_in: dataIn.ptr,
        data_out: dataOut.ptr,
        data_size_in: input.data.length,
        data_size_out: dataOut.buf.length,
        ctx_in: ctxIn?.ptr ?? null,
        ctx_out: ctxOut?.ptr ?? null,
        ctx_size_in: input.ctx?.length ?? 0,
        ctx_size_out: ctxOut?.buf.length ?? 0,
        retval: 0,
        repeat: input.repeat ?? 1,
        duration: 0,
        flags: 0,
        cpu: 0,
        batch_size: 0,
      };
      check(bpf.progTestRun(this.fd, opts), 'test run', this.name);
      return {
        retval: opts.retval,
        data: Buffer.from(dataOut.buf.subarray(0, opts.data_size_out)),
        ctx: ctxOut ? Buffer.from(ctxOut.buf.subarray(0, opts.ctx_size_out)) : undefined,
        durationNs: opts.duration,
      };
    } finally {
      dataIn.free();
      dataOut.free();
      ctxIn?.free();
      ctxOut?.free();
    }
  }
}

/** sizeof(struct __sk_buff) in the UAPI this datapath is built against. */
export const SKB_CTX_SIZE = 192;

/**
 * A struct __sk_buff for test runs. The kernel accepts only a few fields here: mark, priority,
 * ingress_ifindex (becomes skb_iif), ifindex (selects the device, default loopback), cb, tstamp.
 */
export function skbContext(fields: { ingressIfindex?: number; ifindex?: number; mark?: number }): Buffer {
  const ctx = Buffer.alloc(SKB_CTX_SIZE);
  ctx.writeUInt32LE(fields.mark ?? 0, 8); // mark
  ctx.writeUInt32LE(fields.ingressIfindex ?? 0, 36); // ingress_ifindex
  ctx.writeUInt32LE(fields.ifindex ?? 0, 40); // ifindex
  return ctx;
}
