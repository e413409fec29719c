/**
 * The gateway methods and webhooks the agent uses (docs/vendors/README.md §1:
 * list / order / open, plus the `notify.*` receiver), as pure data. A client
 * validates what it sends and parses what it gets with these schemas; a mock
 * server does the reverse with the same table.
 */
import type { z } from 'zod';
import {
  cabinetListBizSchema,
  cabinetListDataSchema,
  cabinetOpenDoorBizSchema,
  cabinetOpenDoorDataSchema,
  cabinetOrderGetBizSchema,
  cabinetOrderGetDataSchema,
  cabinetOrderListBizSchema,
  cabinetOrderListDataSchema,
  notifyCabinetChangedSchema,
  notifyCabinetOrderSimpleSchema,
  notifyCloseDoorSchema,
} from './schemas.js';

export interface YopointMethodSpec {
  /** Spec section that documents the method. */
  readonly section: string;
  /** Schema of the object serialised into `biz_content`. */
  readonly request: z.ZodType;
  /** Schema of the envelope's `data` when `error_code` is 0. */
  readonly response: z.ZodType;
  /** True where the spec marks the request or response UNKNOWN. */
  readonly unverified: boolean;
}

export const yopointMethods = {
  'cabinet.list': { section: '§4.2', request: cabinetListBizSchema, response: cabinetListDataSchema, unverified: false },
  'cabinet.order.list': { section: '§4.7', request: cabinetOrderListBizSchema, response: cabinetOrderListDataSchema, unverified: false },
  'cabinet.order.get': { section: '§4.8', request: cabinetOrderGetBizSchema, response: cabinetOrderGetDataSchema, unverified: false },
  // UNVERIFIED: docs/vendors/yopoint.md §4.4 (parameters and response unknown; biz passed through verbatim)
  'cabinet.open.door': { section: '§4.4', request: cabinetOpenDoorBizSchema, response: cabinetOpenDoorDataSchema, unverified: true },
} as const satisfies Record<string, YopointMethodSpec>;

export type YopointMethod = keyof typeof yopointMethods;
export const YOPOINT_METHODS = Object.keys(yopointMethods) as YopointMethod[];
/** What a caller passes as biz_content for a method. */
export type YopointBizFor<M extends YopointMethod> = z.input<(typeof yopointMethods)[M]['request']>;
/** The parsed `data` of a successful response. */
export type YopointDataFor<M extends YopointMethod> = z.output<(typeof yopointMethods)[M]['response']>;

/** Webhook `method` → schema of its parsed `biz_content` (§5.1, §5.3, §5.4). */
export const yopointNotifications = {
  'notify.cabinet.order.simple': { section: '§5.1', biz: notifyCabinetOrderSimpleSchema },
  'notify.close.door': { section: '§5.3', biz: notifyCloseDoorSchema },
  'notify.cabinet.changed': { section: '§5.4', biz: notifyCabinetChangedSchema },
} as const;

export type YopointNotifyMethod = keyof typeof yopointNotifications;
export const YOPOINT_NOTIFY_METHODS = Object.keys(yopointNotifications) as YopointNotifyMethod[];
export type YopointNotifyBizFor<M extends YopointNotifyMethod> = z.output<(typeof yopointNotifications)[M]['biz']>;

export function isYopointNotifyMethod(method: string): method is YopointNotifyMethod {
  return Object.hasOwn(yopointNotifications, method);
}
