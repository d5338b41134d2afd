// A push-driven async iterable: the backend pushes events as they happen, a consumer pulls
// them with `for await`. close() (from either side) ends the iteration after what is queued.
import type { AnyObject } from '../api/index.js';
import type { Watch, WatchEvent } from './types.js';

export class EventQueue<T extends AnyObject> implements Watch<T> {
  private readonly buffered: WatchEvent<T>[] = [];
  private waiting: ((r: IteratorResult<WatchEvent<T>>) => void) | undefined;
  private failure: Error | undefined;
  private closed = false;

  constructor(private readonly onClose: () => void = () => {}) {}

  push(event: WatchEvent<T>): void {
    if (this.closed) return;
    const wake = this.waiting;
    if (wake) {
      this.waiting = undefined;
      wake({ value: event, done: false });
    } else {
      this.buffered.push(event);
    }
  }

  /** Ends the watch with an error the consumer's `for await` will throw. */
  fail(err: Error): void {
    this.failure = err;
    this.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    const wake = this.waiting;
    this.waiting = undefined;
    wake?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    return {
      next: () => {
        const event = this.buffered.shift();
        if (event) return Promise.resolve({ value: event, done: false });
        if (this.failure) return Promise.reject(this.failure);
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiting = resolve;
        });
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
