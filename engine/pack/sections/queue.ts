import type { CompileContext } from "../context.js";
import { PACK_DEFAULTS } from "../defaults.js";
import type { QueueOptions } from "../queue-options.js";

/**
 * `queue` (docs/pack-language.md §20): accepted headers, duplicates,
 * retention and alerts, with their defaults written out.
 */
export function compileQueue(ctx: Pick<CompileContext, "raw">): QueueOptions {
  const raw = ctx.raw.queue;
  const defaults = PACK_DEFAULTS.queue;
  const alerts = raw?.alerts;
  return {
    accept: {
      ...(raw?.accept?.versions && { versions: new Set(raw.accept.versions) }),
      ...(raw?.accept?.processingIds && { processingIds: new Set(raw.accept.processingIds) }),
    },
    duplicateWindowHours: raw?.duplicates?.windowHours ?? defaults.duplicates.windowHours,
    retentionDays: {
      PROCESSED: raw?.retentionDays?.PROCESSED ?? defaults.retentionDays.PROCESSED,
      DELETED: raw?.retentionDays?.DELETED ?? defaults.retentionDays.DELETED,
    },
    alerts: {
      errorCount: alerts?.errorCount ?? defaults.alerts.errorCount,
      oldestErrorHours: alerts?.oldestErrorHours ?? defaults.alerts.oldestErrorHours,
      athenaError: alerts?.athenaError ?? defaults.alerts.athenaError,
      idleMinutes: alerts?.idleMinutes ?? defaults.alerts.idleMinutes,
      ...(alerts?.command && { command: alerts.command }),
    },
    listener: {
      maxMessagesPerFrame:
        raw?.listener?.maxMessagesPerFrame ?? defaults.listener.maxMessagesPerFrame,
    },
  };
}
