import { Duplex } from 'node:stream';

/**
 * A Duplex that node's HTTP client can use as its socket: the client may call these TCP methods on
 * it, and the streams that stand in for a socket here (an SSH channel, a size limit) have no TCP
 * options to set.
 */
export abstract class SocketDuplex extends Duplex {
  setTimeout(_ms: number, _callback?: () => void): this {
    return this;
  }

  setNoDelay(_noDelay?: boolean): this {
    return this;
  }

  setKeepAlive(_enable?: boolean, _delay?: number): this {
    return this;
  }
}
