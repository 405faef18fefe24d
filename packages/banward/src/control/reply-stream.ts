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
