import { leafValue } from "../hl7/access.js";
import { parseHl7 } from "../hl7/parse.js";
import type { Hl7Message } from "../hl7/tree.js";
import type { HostPractice, Route } from "./host-file.js";

/**
 * The shared port's routing: a frame is the practice's whose route its
 * MSH-5 (receiving application) and MSH-6 (receiving facility), first
 * components, match. A route naming both values is more specific than one
 * naming one and wins; two practices matching equally specifically, or none,
 * leave the frame unroutable. A batch goes by its first message's MSH.
 */

export type RouteResult =
  | {
      readonly ok: true;
      readonly practice: string;
      /** What the sender addressed, `MSH-5^MSH-6`. */
      readonly addressed: string;
      readonly header?: Hl7Message;
    }
  | {
      readonly ok: false;
      /** What the sender addressed, `MSH-5^MSH-6` (empty values as ""). */
      readonly addressed: string;
      readonly message: string;
      /** The practices that matched equally (none: no route matched); for the log, not the sender. */
      readonly candidates: readonly string[];
      /** The first message of the frame, to answer (undefined: no MSH could be read). */
      readonly header?: Hl7Message;
    };

export interface Router {
  route(bytes: Uint8Array): RouteResult;
}

export function createRouter(practices: readonly HostPractice[]): Router {
  const entries = practices.flatMap((p) =>
    "routes" in p.inbound ? p.inbound.routes.map((route) => ({ practice: p.name, route })) : [],
  );
  const specificity = (r: Route) =>
    (r.receivingApplication !== undefined ? 1 : 0) + (r.receivingFacility !== undefined ? 1 : 0);
  const matches = (r: Route, application: string, facility: string) =>
    (r.receivingApplication === undefined || r.receivingApplication === application) &&
    (r.receivingFacility === undefined || r.receivingFacility === facility);
  return {
    route(bytes) {
      const header = parseHl7(bytes).messages[0];
      const msh = header?.segments[0];
      const application = leafValue(msh, 5) ?? "";
      const facility = leafValue(msh, 6) ?? "";
      const addressed = `${application}^${facility}`;
      const found = entries.filter((e) => matches(e.route, application, facility));
      const best = Math.max(0, ...found.map((e) => specificity(e.route)));
      const winners = [
        ...new Set(found.filter((e) => specificity(e.route) === best).map((e) => e.practice)),
      ];
      if (winners.length === 1)
        return { ok: true, practice: winners[0] as string, addressed, ...(header && { header }) };
      const message =
        winners.length === 0
          ? `no practice on this port receives MSH-5^MSH-6 '${addressed}'`
          : `MSH-5^MSH-6 '${addressed}' matches the routes of ${winners.length} practices equally: the host file must name both values in one route`;
      return { ok: false, addressed, message, candidates: winners, ...(header && { header }) };
    },
  };
}
