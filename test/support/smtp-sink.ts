import { AddressInfo, createServer } from 'node:net';

import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, SMTPServerDataStream, SMTPServerOptions } from 'smtp-server';

/** A mail the sink accepted: the SMTP envelope and the parsed message. */
export interface ReceivedMail {
  envelopeFrom: string | false;
  envelopeTo: string[];
  /** Whether the session ran over TLS. */
  isSecure: boolean;
  mail: ParsedMail;
}

/** A real SMTP server on a free local port that keeps what it accepts. */
export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`, without credentials. */
  url: string;
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
}

/** An error whose `responseCode` the server answers with, e.g. 550 or 451. */
export function smtpReply(responseCode: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode });
}

/**
 * Starts an SMTP server, plain text unless `secure: true`; `overrides` replace its handlers, e.g. an
 * `onRcptTo` that answers 550. By default it accepts every mail, parses it, and
 * replies only once the mail is in `received`, so a finished send can be checked
 * at once.
 */
export async function startSmtpSink(overrides: SMTPServerOptions = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // Bounds how long close() waits for a client that keeps its connection open.
    closeTimeout: 1000,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push({
            envelopeFrom: session.envelope.mailFrom && session.envelope.mailFrom.address,
            envelopeTo: session.envelope.rcptTo.map((recipient) => recipient.address),
            isSecure: session.secure,
            mail,
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
    ...overrides,
  });

  server.on('error', () => {
    // A client that drops its connection is routine in these tests, not a failure.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Reads a DATA stream to its end before answering, as the protocol requires. */
export function drain(stream: SMTPServerDataStream, then: () => void): void {
  stream.on('end', then);
  stream.resume();
}

/** A local port that nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const { port } = server.address() as AddressInfo;

  await new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );

  return port;
}
