export {
  COMMANDS, MAX_REQUEST_BYTES, isCommand, validateRequest, decodeRequest, encodeRequest,
  successResponse, errorResponse, encodeResponse, decodeResponse, errorFromResponse,
} from './protocol.js';
export type {
  Command, ControlRequest, ControlResponse, ErrorBody, OptionValue, RequestFault, RequestId, RequestInput, RequestOptions,
} from './protocol.js';
export { ReplyStream } from './reply-stream.js';
export { startControlServer } from './control-server.js';
export type { ControlHandler, ControlServer, ControlServerOptions } from './control-server.js';
export { sendRequest, watchDaemon } from './control-client.js';
export type { DaemonWatch, SendOptions } from './control-client.js';
export { JAIL_OPTION_NAMES, isJailOptionName, unknownJail } from './daemon-control.js';
export type {
  ActiveBan, BanHistoryEntry, BanOutcome, BanTimes, DaemonControl, DaemonEvent, IpStory, JailCounters, JailOptionName, JailOptionValues,
  JailStatus, TopOffenders,
} from './daemon-control.js';
