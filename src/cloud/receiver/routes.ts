/**
 * The vendor routes the receiver serves, each enabled only when its
 * verifier options are configured. Aituo and Hongxun document no callback
 * to the cabinet side (README.md), so they have none.
 */
import type { CallbackAuth } from '../dingshang/callback.js';
import type { YopointNotifyOptions } from '../yopoint/notify.js';
import { dingshangRoute } from './dingshang-route.js';
import type { CallbackRoute } from './route.js';
import { yopointRoute } from './yopoint-route.js';

export interface CallbackRoutesConfig {
  /** Enables `POST /yopoint/notify` (docs/vendors/yopoint.md §5). null/absent: no route. */
  yopoint?: YopointNotifyOptions | null;
  /** Enables `POST /dingshang/delivery` (docs/vendors/dingshang.md §10). null/absent: no route. */
  dingshang?: CallbackAuth | null;
}

/** Throws ReceiverError('unauthenticated-route') for a route configured with nothing to verify. */
export function callbackRoutes(config: CallbackRoutesConfig): CallbackRoute[] {
  const routes: CallbackRoute[] = [];
  if (config.yopoint != null) routes.push(yopointRoute(config.yopoint));
  if (config.dingshang != null) routes.push(dingshangRoute(config.dingshang));
  return routes;
}

export { DINGSHANG_DELIVERY_PATH, dingshangRoute } from './dingshang-route.js';
export { YOPOINT_NOTIFY_PATH, yopointRoute } from './yopoint-route.js';
export type { CallbackContent, CallbackRoute, RouteAnswer, RouteRequest, RouteVerdict, ServerRefusal } from './route.js';
