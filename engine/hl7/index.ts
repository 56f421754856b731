export * from "./access.js";
export { charsetFor } from "./charset.js";
export { delimitersFrom, encodingCharacters, STANDARD_DELIMITERS } from "./delimiters.js";
export { escapeText, unescapeText } from "./escape.js";
export { parseHl7 } from "./parse.js";
export {
  serializeDocument,
  serializeField,
  serializeMessage,
  serializeSegment,
} from "./serialize.js";
export type * from "./tree.js";
