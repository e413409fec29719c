/**
 * The verified signing vectors of docs/vendors/dingshang.md §2.2, as written there, and
 * the doc examples the schema tests parse. (Kept beside the tests rather than
 * in test/fixtures/ because this task may only touch this folder.)
 */
export const signVectors = [
  {
    source: 'go-pansy/pansy test',
    key: 'abc',
    params: { a: '123', b: '456', c: '789', timestamp: '1717899356' },
    base: 'a=123&b=456&c=789&timestamp=1717899356',
    sign: '0C59AD369ED0E8F5AD06610EBBE6F263',
  },
  {
    source: 'dsjsdz/signatory PHP test',
    key: 'abc',
    params: { a: '2', b: '3', timestamp: '1718180788' },
    base: 'a=2&b=3&timestamp=1718180788',
    sign: '8BD7FD74204B0204CBF365F20287D436',
  },
  {
    source: 'cakioe/signatory Rust test (MQTT side, AppId as key)',
    key: 'ds069ed4223ac1660f',
    params: { client_id: '16327128', method: 'android.shutdown', timestamp: '1727494645' },
    base: 'client_id=16327128&method=android.shutdown&timestamp=1727494645',
    sign: '4D49FFFDE0DA4537160CFC258356277B',
  },
] as const;

/** §6.5 success example (response body). */
export const consumeOkBody = {
  code: 0,
  message: 'ok',
  data: {
    order_id: 60,
    trade_id: '800a7e95-00d3-45c8-987d-3aafa412c77d',
    date: '2024-04-29',
    amount: '1.00',
    status: 'PICKUPCODE',
    records: [{ id: 78, product_id: 131, quantity: 1, price: '1.00', status: '未取货', notify_sent: '0' }],
    pickup_code_id: 1,
  },
};

/** §6.5 already-used example. */
export const consumeUsedBody = { code: 10025, message: '取货码已使用', data: { order_id: 60 } };

/** §10 callback example body, byte for byte. */
export const callbackExample =
  '{"deliver_status":"0","error_msg":"Slave Comm Error","floor_status":"3","method":"device.delivery.response","order_id":60,"record_id":78}';

/** §7.1 success and its code-0 failure example. */
export const deliveryOkBody = {
  code: 0,
  message: 'ok',
  data: { delivery_id: '5121763043809673', delivered_at: '2024-05-04 16:16:49', status: '未取货或正在出货' },
};
export const deliveryUnpaidBody = { code: 0, message: '订单未支付' };
