import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { TlsCredentials } from "./tls-credentials.js";

/**
 * The listener's server socket: plain TCP, or TLS when it has credentials.
 * Either hands the listener a connection it reads and writes the same way
 * (a TLS connection once its handshake is done), so MLLP framing, the lane
 * and the limits do not know which one carries them.
 *
 * A connection whose handshake fails (a sender speaking plain TCP to the
 * TLS port, a certificate the CA did not sign, none when one is required)
 * never reaches the listener: it is logged and closed, and the server goes
 * on accepting.
 */
export function listenerServer(
  tls: TlsCredentials | undefined,
  log: (line: string) => void,
  onConnection: (socket: Socket) => void,
): Server {
  if (!tls) return createServer(onConnection);
  const server = createTlsServer(
    {
      cert: tls.cert,
      key: tls.key,
      ...(tls.ca && { ca: tls.ca }),
      requestCert: tls.requireClientCert,
      rejectUnauthorized: tls.requireClientCert,
    },
    onConnection,
  );
  server.on("tlsClientError", (error) => {
    const code = (error as NodeJS.ErrnoException).code ?? error.name;
    log(`connection refused: TLS handshake failed (${code})`);
  });
  return server;
}
