import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'

/** How long a refused request's body is still read and discarded after the answer, at most. */
export const LINGER_MS = 2000

/**
 * Closes the connection of a request answered before its body arrived the way RFC 9112 §9.6 asks:
 * the answer is sent, then our side is half-closed, and what the client still sends is read and
 * discarded for a bounded time before the socket is closed. Node closes at once instead; a socket
 * closed with unread bytes sends a TCP reset, and the reset can destroy the answer in the client's
 * buffers before the client reads it (a client sending a 1 MiB body to a 413 saw no answer at all).
 */
export function lingerOnClose(request: IncomingMessage): void {
  const socket = request.socket as Socket & { destroySoon?: () => void }
  if (socket.destroySoon === undefined || Object.hasOwn(socket, 'destroySoon')) return
  // Node's server calls destroySoon once the answer is written, for a `Connection: close` answer.
  socket.destroySoon = () => {
    if (socket.destroyed) return
    const timer = setTimeout(() => socket.destroy(), LINGER_MS)
    socket.once('close', () => clearTimeout(timer))
    // The client's FIN: it has read the answer and sent all it will; nothing is left to read.
    socket.once('end', () => socket.destroy())
    socket.end()
    // Bytes still arriving are read and dropped (nobody listens to the request body any more).
    request.resume()
    socket.resume()
  }
}
