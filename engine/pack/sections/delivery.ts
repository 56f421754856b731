import { dirname, resolve } from "node:path";
import type { CompileContext } from "../context.js";
import { PACK_DEFAULTS } from "../defaults.js";
import type { DeliveryOptions, DeliveryTls, SendWindow } from "../delivery-options.js";

const minuteOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/**
 * `outbound.delivery` (docs/pack-language.md §19, Sending): the receiver and how
 * messages reach it, defaults written out. TLS files are resolved against
 * the pack file that names them; a window must close after it opens.
 */
export function compileDelivery(
  ctx: Pick<CompileContext, "raw" | "at" | "fail">,
  timeZone: string,
): DeliveryOptions {
  const raw = ctx.raw.outbound?.delivery;
  const d = PACK_DEFAULTS.outbound.delivery;
  const receiver = raw?.receiver;
  const fileOf = (path: (string | number)[]): string => {
    const at = ctx.at(path);
    return at.slice(0, at.lastIndexOf(":"));
  };
  let tls: DeliveryTls | undefined;
  if (receiver?.tls) {
    const t = receiver.tls;
    const file = (key: "ca" | "cert" | "key") =>
      t[key] === undefined
        ? {}
        : {
            [key]: resolve(
              dirname(fileOf(["outbound", "delivery", "receiver", "tls", key])),
              t[key] as string,
            ),
          };
    tls = {
      ...file("ca"),
      ...file("cert"),
      ...file("key"),
      ...(t.servername !== undefined && { servername: t.servername }),
    };
  }
  const windows: SendWindow[] | undefined = raw?.windows?.map((w, i) => {
    const fromMinute = minuteOf(w.from);
    const toMinute = minuteOf(w.to);
    if (toMinute <= fromMinute) {
      ctx.fail(
        ["outbound", "delivery", "windows", i, "to"],
        "INVALID_VALUE",
        `the window closes (${w.to}) before it opens (${w.from}); a window that spans midnight is two windows`,
      );
    }
    return { ...(w.days && { days: new Set(w.days) }), fromMinute, toMinute };
  });
  const ordering = raw?.ordering ?? d.ordering;
  const retry = raw?.retry;
  return {
    ...(receiver && {
      receiver: {
        host: receiver.host,
        port: receiver.port,
        ...(tls && { tls }),
        name: `${receiver.host}:${receiver.port}`,
      },
    }),
    connectTimeoutMs: (raw?.connectTimeoutSeconds ?? d.connectTimeoutSeconds) * 1000,
    ackTimeoutMs: (raw?.ackTimeoutSeconds ?? d.ackTimeoutSeconds) * 1000,
    retry: {
      initialMs: (retry?.initialSeconds ?? d.retry.initialSeconds) * 1000,
      factor: retry?.factor ?? d.retry.factor,
      maxMs: (retry?.maxSeconds ?? d.retry.maxSeconds) * 1000,
    },
    maxAttempts: raw?.maxAttempts ?? d.maxAttempts,
    ackMode: raw?.ackMode ?? d.ackMode,
    ordering,
    connections: ordering === "queue" ? 1 : (raw?.connections ?? d.connections),
    ...(windows && { windows }),
    timeZone,
    unreachableAlertMinutes: raw?.unreachableAlertMinutes ?? d.unreachableAlertMinutes,
  };
}
