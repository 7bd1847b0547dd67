/**
 * Live stream subscriptions made over IPC, per page (webContents). Pure, no electron import: main.ts
 * opens one per `firebreak:subscribe`, closes it on `firebreak:unsubscribe`, and closes all of a
 * page's subscriptions when the page navigates, crashes or is destroyed, so no stream outlives the
 * page that asked for it.
 */
import type { Stream } from '../../shared/contract';
import { AppError, toAppErrorData } from '../../shared/errors';
import type { StreamMessage } from '../../shared/transport';

export type Message = StreamMessage<Stream>;
/** Starts the stream (perhaps once the app API is ready) and gives back the function that stops it. */
export type StartStream = (onMessage: (message: Message) => void) => (() => void) | Promise<() => void>;

/** A subscription id chosen by the preload: short, printable, no surprises. */
export function isSubscriptionId(id: unknown): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id);
}

export const DEFAULT_LIMIT_PER_OWNER = 64;

export class StreamSubscriptions {
  private readonly owners = new Map<number, Map<string, () => void>>();

  constructor(private readonly limitPerOwner = DEFAULT_LIMIT_PER_OWNER) {}

  /**
   * Opens subscription `id` for `owner` (a webContents id). Messages go to `deliver` until it is
   * closed; an error message ends it. An id already open for that owner is closed first.
   * Returns false (after delivering an error) when the owner already holds too many.
   */
  open(owner: number, id: string, start: StartStream, deliver: (message: Message) => void): boolean {
    this.close(owner, id);
    let subs = this.owners.get(owner);
    if (!subs) {
      subs = new Map();
      this.owners.set(owner, subs);
    }
    if (subs.size >= this.limitPerOwner) {
      deliver({
        type: 'error',
        error: new AppError(
          'INTERNAL',
          `Too many live streams are open (the limit is ${this.limitPerOwner} per window).`,
          'This is a bug in Firebreak: close some views or restart the console.',
        ).toJSON(),
      });
      return false;
    }

    let closed = false;
    let stop: (() => void) | null = null;
    const close = () => {
      if (closed) return;
      closed = true;
      if (this.owners.get(owner)?.get(id) === close) {
        const current = this.owners.get(owner);
        current?.delete(id);
        if (current?.size === 0) this.owners.delete(owner);
      }
      const s = stop;
      stop = null;
      s?.();
    };
    subs.set(id, close);

    const onMessage = (message: Message) => {
      if (closed) return;
      deliver(message);
      if (message.type === 'error') close();
    };
    const started = (stopFn: () => void) => {
      if (closed) stopFn();
      else stop = stopFn;
    };
    const failed = (err: unknown) => onMessage({ type: 'error', error: toAppErrorData(err) });

    try {
      const result = start(onMessage);
      if (typeof result === 'function') started(result);
      else result.then(started, failed);
    } catch (err) {
      failed(err);
    }
    return true;
  }

  /** Closes one subscription (unknown ids are ignored). */
  close(owner: number, id: string): void {
    this.owners.get(owner)?.get(id)?.();
  }

  /** Closes every subscription of one page; returns how many there were. */
  closeOwner(owner: number): number {
    const subs = this.owners.get(owner);
    if (!subs) return 0;
    const closers = [...subs.values()];
    for (const close of closers) close();
    this.owners.delete(owner);
    return closers.length;
  }

  closeAll(): void {
    for (const owner of [...this.owners.keys()]) this.closeOwner(owner);
  }

  count(owner?: number): number {
    if (owner !== undefined) return this.owners.get(owner)?.size ?? 0;
    let n = 0;
    for (const subs of this.owners.values()) n += subs.size;
    return n;
  }
}
