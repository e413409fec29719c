/**
 * The vendor routes the receiver serves, one per vendor of
 * src/cloud/registry.ts that has a callback, each enabled only when its
 * verifier options are configured. Aituo and Hongxun document no callback
 * to the cabinet side (README.md), so they have none.
 */
export { callbackRoutes, type CallbackRoutesConfig } from '../registry.js';
export { DINGSHANG_DELIVERY_PATH, dingshangRoute } from './dingshang-route.js';
export { YOPOINT_NOTIFY_PATH, yopointRoute } from './yopoint-route.js';
export type { CallbackContent, CallbackRoute, RouteAnswer, RouteRequest, RouteVerdict, ServerRefusal } from './route.js';
