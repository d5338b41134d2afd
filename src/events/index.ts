// Datapath events: the ring-buffer reader module, decoding, Cilium's monitor text, filters, and
// the GET /v1/monitor stream. The agent composes EventsModule and monitorStream; the CLI uses
// the client side (client.ts, format.ts).
export {
  type DatapathEvent,
  type DecodeResult,
  decodeRecord,
  type DropEvent,
  type TraceEvent,
} from './decode.js';
export { type EventFilter, parseFilter } from './filter.js';
export { bannerLines, formatEvent } from './format.js';
export { EventHub } from './hub.js';
export { EventsModule, type EventsModuleOptions, type EventsStatus } from './module.js';
export { MONITOR_PATH, monitorStream, type MonitorStreamOptions } from './stream.js';
