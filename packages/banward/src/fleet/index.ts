export { FleetNode } from './fleet-node.js';
export type { FleetContext, FleetPeer, FleetStatus } from './fleet-node.js';
export { readFleetSettings, selects, FLEET_SECTION } from './fleet-settings.js';
export type { FleetSettings, JailSelection, RedisAddress, RedisTarget } from './fleet-settings.js';
export { encodeMessage, parseMessage, MAX_MESSAGE_BYTES, DROP_REASONS } from './fleet-message.js';
export type { DropReason, FleetMessage, JailCheck, ParsedMessage } from './fleet-message.js';
