/**
 * What a handler returns to keep its connection open after the reply: the connection writes `result` as
 * the usual success reply, then one JSON line per value `start` sends, until the client closes (or reads
 * too slowly). `start` returns the function that stops the sending; the connection calls it on close.
 */
export class ReplyStream {
  constructor(
    readonly result: unknown,
    readonly start: (send: (value: unknown) => void) => () => void,
  ) {}
}

/** The server's count of connections streaming at once (watchers); one more gets an error reply. */
export class StreamSlots {
  private used = 0;

  constructor(readonly max: number) {}

  take(): boolean {
    if (this.used >= this.max) return false;
    this.used += 1;
    return true;
  }

  release(): void {
    this.used -= 1;
  }
}
