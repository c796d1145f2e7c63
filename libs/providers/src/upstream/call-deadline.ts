import { EventEmitter } from 'node:events';

/**
 * One upstream call's whole deadline (connect, headers and body), handed to undici as the call's
 * `signal`: undici takes an EventEmitter that emits 'abort' in place of an AbortSignal (its
 * Dispatcher.request documentation) and aborts the call, body included, when it fires.
 *
 * Not an AbortController: on Node 20 every AbortSignal outlives young-generation collections
 * until a full one (~300 bytes promoted to the old generation per call, measured; Node 22 and 24
 * do not), and a signal promoted while the call is in flight takes its listeners along
 * (docs/performance.md#sixth-pass). Not AbortSignal.timeout() either: its timer outlives the call
 * by the whole timeout. This one's timer is cleared by `end()`.
 */
export class CallDeadline extends EventEmitter {
  /** Read by undici (a deadline already passed aborts at once) and by the error classification. */
  aborted = false;
  readonly #timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    super();
    this.#timer = setTimeout(() => this.#expire(), timeoutMs).unref();
  }

  /** The call is over: the timer goes, and the deadline can no longer fire. */
  end(): void {
    clearTimeout(this.#timer);
  }

  #expire(): void {
    this.aborted = true;
    this.emit('abort');
  }
}
