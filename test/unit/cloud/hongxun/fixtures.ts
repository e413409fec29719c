/**
 * Hongxun examples (docs/vendors/hongxun.md) and the SELF-DERIVED sign
 * vector. Hongxun publishes no test vector (§3, §9.2); this one was built by
 * hand-following Appendix 1 and hashed with `printf '%s' '<base>' | md5sum`
 * (UTF-8), independently of the code under test.
 */
import type { OutboundEventOf } from '../../../../src/cloud/common/outbound-event.js';

export const CREDENTIALS = { createBy: 'CK001', dataSource: 'KIOSK', sk: 'hx-test-sk' } as const;

/** The `request` of the vector, keys deliberately out of order. */
export const VECTOR_REQUEST = {
  signer: '快递柜',
  customerNumber: 'SO20240301001',
  signType: '10',
  actualQuantity: 1,
  signedTime: '2024-03-01 17:59:30',
  productList: [{ quantity: 1, customerProductCode: 'P-001', customerLineNumber: '1' }],
};

/** Step 1, JSON(request): keys sorted at every level, no whitespace, array order kept. */
export const VECTOR_CANONICAL_JSON =
  '{"actualQuantity":1,"customerNumber":"SO20240301001","productList":[{"customerLineNumber":"1","customerProductCode":"P-001","quantity":1}],"signType":"10","signedTime":"2024-03-01 17:59:30","signer":"快递柜"}';

export const VECTOR_TIMESTAMP = '2024-03-01 18:00:00';

/** Step 2: createBy & dataSource & JSON(request) & SK & timestamp. */
export const VECTOR_BASE = `CK001&KIOSK&${VECTOR_CANONICAL_JSON}&hx-test-sk&2024-03-01 18:00:00`;

/** Step 3: MD5 over the UTF-8 bytes, lower-case hex. */
export const VECTOR_SIGN = '798f1323908d1164e2f9e4b9cb9c0a4e';

/** 2024-03-01 17:59:30 and 18:00:00 in UTC+8. */
export const PICKED_UP_AT = Date.UTC(2024, 2, 1, 9, 59, 30);
export const NOW = Date.UTC(2024, 2, 1, 10, 0, 0);

export function pickedUpEvent(pickedUpAt = PICKED_UP_AT): OutboundEventOf<'parcel.picked-up'> {
  return {
    id: '0190e3a4-5b6c-7d8e-9f00-112233445566',
    type: 'parcel.picked-up',
    payload: {
      parcelId: 'parcel-1',
      compartmentId: 'A-03',
      board: 1,
      lock: 3,
      codeSource: 'local',
      codeExternalId: null,
      externalRef: null,
      pickedUpAt,
      via: 'keypad',
    },
    parcelId: 'parcel-1',
    compartmentId: 'A-03',
    occurredAt: pickedUpAt,
    cabinetId: 'cabinet-1',
  };
}

/** §7.8 productList line with all 16 documented keys (values made up, types from the doc example). */
export const FULL_PRODUCT_LINE = {
  customerLineNumber: '10',
  customerProductCode: 'P-001',
  customerProductDescription: '测试商品',
  quantity: 2,
  unitWeight: null,
  singlePieceVolume: 1.5,
  productData: '2024-01-01',
  validPeriod: '2026-01-01',
  productBatchNumber: 'B01',
  specialInventoryFlag: '',
  associatedOrder: '',
  relatedItems: '',
  ebeln: '4500000001',
  ebelp: '00010',
  remark: '',
  vinNum: '',
};

/** §4 response example (签收图片推送 page). */
export const RESPONSE_EXAMPLE = '{"code": 200, "message": "响应成功", "flag": true}';
