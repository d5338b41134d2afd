// Every gRPC call an EtcdStore has in flight, so close() can end them at once. etcd3's close()
// only closes the channels, and grpc-js lets calls already on a connection run on: a unary call
// to a stopped or stalled member until its deadline (then etcd3 retries), and the watch stream
// to a stalled (SIGSTOPped, partitioned) member forever, which also keeps the process alive.
// The hook is grpc-js's per-call interceptor (CallOptions.interceptors), which etcd3 passes
// through from defaultCallOptions.
import type { IOptions } from 'etcd3';

type CallOptions = Exclude<NonNullable<IOptions['defaultCallOptions']>, (...args: never[]) => unknown>;
type Interceptor = NonNullable<CallOptions['interceptors']>[number];
/** What the next interceptor hands back; grpc-js's own InterceptingCall wraps one of these. */
type Call = ReturnType<Parameters<Interceptor>[1]>;

/** grpc Status.CANCELLED: etcd3 does not retry it, and guard() maps it to StoreUnavailableError. */
const CANCELLED = 1;

export class InFlightCalls {
  readonly #calls = new Set<Call>();
  #closedReason: string | undefined;

  /** Tracks each call from its creation until it receives its final status. */
  readonly interceptor: Interceptor = (options, nextCall) => {
    const call = nextCall(options);
    const start = call.start.bind(call);
    call.start = (metadata, listener) => {
      start(metadata, {
        ...listener,
        onReceiveStatus: (status) => {
          this.#calls.delete(call);
          listener?.onReceiveStatus?.(status);
        },
      });
      // A call made after close() (a retry, a reconnecting watch) ends as soon as it starts.
      if (this.#closedReason !== undefined) call.cancelWithStatus(CANCELLED, this.#closedReason);
    };
    this.#calls.add(call);
    // Typed as grpc-js's InterceptingCall class, but grpc-js only calls the interface's methods.
    return call as ReturnType<Interceptor>;
  };

  get size(): number {
    return this.#calls.size;
  }

  /** Cancels every call in flight and every later one. */
  cancelAll(reason: string): void {
    this.#closedReason = reason;
    for (const call of [...this.#calls]) call.cancelWithStatus(CANCELLED, reason);
    this.#calls.clear();
  }
}
