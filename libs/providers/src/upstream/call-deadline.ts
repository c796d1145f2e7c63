import { EventEmitter } from 'node:events';

/**
 * One upstream call's whole deadline (connect, headers and body), handed to undici as the call's
 * `signal`: undici takes an EventEmitter that emits 'abort' in place of an AbortSignal (its
 * Dispatcher.request documentation) and aborts the call, body included, when it fires.
 *
 * Not an AbortController: under load on Node 20, each call's AbortSignal was among the objects no
 * scavenge reclaimed, 0.73 KB per link left for full collections (docs/performance.md#call-deadline);
 * an EventEmitter is a plain object. Not AbortSignal.timeout() either: its timer outlives the call
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
