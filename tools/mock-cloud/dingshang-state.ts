/**
 * What the Dingshang mock holds: products (lanes), pickup codes, orders and
 * deliveries (docs/vendors/dingshang.md §4.4, §5, §6, §7). Every lookup is a map probe and
 * a product's unused codes have their own map, so 100,000 codes are listed in
 * O(n) over the §4.4 pages and the per-product §6.3 calls.
 */
import { randomInt } from 'node:crypto';

export interface MockProduct {
  id: number;
  /** §4.4 `channel.cabinet_name`. */
  cabinet: string;
  /** §4.4 `channel.name`, e.g. "A21". */
  lane: string;
  motorCode: string;
  row: number;
  column: number;
  addr: number;
  inventory: number;
  current: number;
  categoryId: number;
  price: string;
}

export interface MockCode {
  id: number;
  productId: number;
  code: string;
  status: 'UNUSED' | 'USED' | 'CANCELLED';
  createdAt: number;
  /** Epoch ms; null = never expires. */
  expiresAt: number | null;
  orderId: number | null;
  /** The §6.3 item of an unused code, cached by the mock. */
  view?: Record<string, unknown>;
}

export interface MockRecord {
  id: number;
  productId: number;
  quantity: number;
  price: string;
  delivered: boolean;
}

export interface MockOrder {
  orderId: number;
  tradeId: string;
  notifyUrl: string;
  /** §8.1. */
  status: string;
  date: string;
  records: MockRecord[];
  pickupCodeId: number;
  /** Reserved stock went back (§5.3: any status other than 1). */
  stockReturned: boolean;
}

export interface MockDelivery {
  id: string;
  deliveredAt: string;
}

/** §5.3 `status` → §8.1 order status. */
const UPDATE_STATUS: Readonly<Record<string, string>> = { '1': 'SUCCESS', '2': 'REFUND', '3': 'CLOSED', '4': 'REVOKED', '5': 'USERPAYING', '6': 'PAYERROR' };
/** Orders that may still change payment status (inference: §5.3 lists no transition table). */
const OPEN_STATUSES = new Set(['NOTPAY', 'USERPAYING', 'PAYERROR']);

export class DingshangMockState {
  readonly #codesPerProduct: number;
  readonly #products = new Map<number, MockProduct>();
  readonly #codes = new Map<number, MockCode>();
  readonly #unused = new Map<number, Map<number, MockCode>>();
  readonly #byText = new Map<string, MockCode>();
  readonly #orders = new Map<number, MockOrder>();
  readonly #tradeIds = new Set<string>();
  readonly #deliveries = new Map<string, MockDelivery>();
  #nextProduct = 101;
  #nextCode = 1;
  #nextOrder = 60;
  #nextRecord = 78;
  #nextDelivery = 5121763043809673n;
  #lastAuto: MockProduct | null = null;
  readonly #perCabinet = new Map<string, number>();

  constructor(codesPerProduct: number) {
    this.#codesPerProduct = codesPerProduct;
  }

  // ------------------------------------------------------------ products

  addProduct(spec: { id?: number; cabinet?: string; inventory?: number }): MockProduct {
    const id = spec.id ?? this.#nextProduct;
    const existing = this.#products.get(id);
    if (existing !== undefined) return existing;
    this.#nextProduct = Math.max(this.#nextProduct, id + 1);
    const cabinet = spec.cabinet ?? 'A';
    const index = this.#perCabinet.get(cabinet) ?? 0;
    this.#perCabinet.set(cabinet, index + 1);
    const inventory = spec.inventory ?? this.#codesPerProduct;
    const product: MockProduct = {
      id,
      cabinet,
      lane: `${cabinet}${String(index + 1).padStart(2, '0')}`,
      motorCode: String(index % 1000).padStart(3, '0'),
      row: Math.floor(index / 10),
      column: index % 10,
      addr: 1,
      inventory,
      current: inventory,
      categoryId: 1,
      price: '1.00',
    };
    this.#products.set(id, product);
    return product;
  }

  product(id: number): MockProduct | undefined {
    return this.#products.get(id);
  }

  products(): IterableIterator<MockProduct> {
    return this.#products.values();
  }

  productByLane(lane: string): MockProduct | undefined {
    for (const p of this.#products.values()) if (p.lane === lane) return p;
    return undefined;
  }

  cabinetNames(): string[] {
    return [...new Set([...this.#products.values()].map((p) => p.cabinet))].sort();
  }

  // ------------------------------------------------------------ codes

  /** `count` new unused codes of `length` digits for one product. Throws RangeError when the code space is nearly used up. */
  createCodes(product: MockProduct, count: number, length: number, expiresAt: number | null, now: number): MockCode[] {
    if (this.#byText.size + count > 10 ** length / 2) throw new RangeError(`too many ${length}-digit codes for one machine`);
    let unused = this.#unused.get(product.id);
    if (unused === undefined) this.#unused.set(product.id, (unused = new Map()));
    const created: MockCode[] = [];
    for (let i = 0; i < count; i++) {
      let text = randomCode(length);
      while (this.#byText.has(text)) text = randomCode(length);
      const code: MockCode = { id: this.#nextCode++, productId: product.id, code: text, status: 'UNUSED', createdAt: now, expiresAt, orderId: null };
      this.#codes.set(code.id, code);
      this.#byText.set(text, code);
      unused.set(code.id, code);
      created.push(code);
    }
    return created;
  }

  /** For the control API: codes for one product (made if missing), or spread over auto-made products of `codesPerProduct` each. */
  createCodesFor(productId: number | null, count: number, length: number, expiresAt: number | null, now: number): MockCode[] {
    if (productId !== null) return this.createCodes(this.addProduct({ id: productId }), count, length, expiresAt, now);
    const created: MockCode[] = [];
    while (created.length < count) {
      let product = this.#lastAuto;
      if (product === null || (this.#unused.get(product.id)?.size ?? 0) >= this.#codesPerProduct) product = this.#lastAuto = this.addProduct({});
      const room = this.#codesPerProduct - (this.#unused.get(product.id)?.size ?? 0);
      created.push(...this.createCodes(product, Math.min(room, count - created.length), length, expiresAt, now));
    }
    return created;
  }

  unusedCodes(productId: number, now: number): MockCode[] {
    const out: MockCode[] = [];
    for (const c of this.#unused.get(productId)?.values() ?? []) if (c.expiresAt === null || c.expiresAt > now) out.push(c);
    return out;
  }

  codeById(id: number): MockCode | undefined {
    return this.#codes.get(id);
  }

  codeByText(text: string): MockCode | undefined {
    return this.#byText.get(text);
  }

  cancelCode(id: number): boolean {
    const code = this.#codes.get(id);
    if (code === undefined || code.status !== 'UNUSED') return false;
    code.status = 'CANCELLED';
    this.#unused.get(code.productId)?.delete(id);
    return true;
  }

  cancelAllCodes(): void {
    for (const unused of this.#unused.values()) {
      for (const code of unused.values()) code.status = 'CANCELLED';
      unused.clear();
    }
  }

  /** §6.5: the code becomes used and an order of status PICKUPCODE holds it. */
  useCode(code: MockCode, order: { tradeId: string; notifyUrl: string; date: string }): MockOrder {
    const product = this.#products.get(code.productId);
    const created = this.createOrder({ ...order, lines: [{ product_id: code.productId, quantity: 1 }], status: 'PICKUPCODE', pickupCodeId: code.id, reserve: false, price: product?.price });
    code.status = 'USED';
    code.orderId = created.orderId;
    this.#unused.get(code.productId)?.delete(code.id);
    return created;
  }

  // ------------------------------------------------------------ orders

  hasTradeId(tradeId: string): boolean {
    return this.#tradeIds.has(tradeId);
  }

  createOrder(o: {
    tradeId: string;
    notifyUrl: string;
    lines: ReadonlyArray<{ product_id: number; quantity: number }>;
    status: string;
    date: string;
    pickupCodeId: number;
    reserve?: boolean;
    price?: string | undefined;
  }): MockOrder {
    const records = o.lines.map((l) => {
      const product = this.#products.get(l.product_id);
      // §5: an order holds its stock until it is paid or invalidated.
      if (product !== undefined && o.reserve !== false) product.current -= l.quantity;
      return { id: this.#nextRecord++, productId: l.product_id, quantity: l.quantity, price: product?.price ?? o.price ?? '0.00', delivered: false };
    });
    const order: MockOrder = { orderId: this.#nextOrder++, tradeId: o.tradeId, notifyUrl: o.notifyUrl, status: o.status, date: o.date, records, pickupCodeId: o.pickupCodeId, stockReturned: o.reserve === false };
    this.#orders.set(order.orderId, order);
    this.#tradeIds.add(o.tradeId);
    return order;
  }

  order(id: number): MockOrder | undefined {
    return this.#orders.get(id);
  }

  /** §5.3; false when the order can no longer change that way (40006). */
  updateOrder(order: MockOrder, status: string): boolean {
    const next = UPDATE_STATUS[status];
    if (next === undefined) return false;
    if (!OPEN_STATUSES.has(order.status) && !(order.status === 'SUCCESS' && status === '2')) return false;
    order.status = next;
    if (status !== '1' && !order.stockReturned) {
      for (const r of order.records) {
        const product = this.#products.get(r.productId);
        if (product !== undefined) product.current += r.quantity;
      }
      order.stockReturned = true;
    }
    return true;
  }

  /**
   * §5.2 / §6.5 view. The §6.5 example echoes a 32-hex `trade_id` as a
   * hyphenated UUID; record `status` is Chinese text in the consume answer
   * and the §8.2 query enum otherwise, present only when paid.
   */
  orderView(order: MockOrder, kind: 'query' | 'consume'): Record<string, unknown> {
    const paid = order.status === 'SUCCESS' || order.status === 'PICKUPCODE';
    const cents = order.records.reduce((sum, r) => sum + Math.round(Number(r.price) * 100) * r.quantity, 0);
    return {
      order_id: order.orderId,
      trade_id: hyphenated(order.tradeId),
      date: order.date,
      amount: (cents / 100).toFixed(2),
      status: order.status,
      pickup_code_id: order.pickupCodeId,
      records: order.records.map((r) => ({
        id: r.id,
        product_id: r.productId,
        quantity: r.quantity,
        price: r.price,
        status: kind === 'consume' ? (r.delivered ? '已取货' : '未取货') : paid ? (r.delivered ? 'IS_SUCCESS' : 'WAITING_PICKED_UP') : '',
        notify_sent: '0',
      })),
    };
  }

  // ------------------------------------------------------------ deliveries

  deliver(order: MockOrder, recordId: number, at: string): MockDelivery | undefined {
    const record = order.records.find((r) => r.id === recordId);
    if (record === undefined) return undefined;
    record.delivered = true;
    return this.debugDelivery(at);
  }

  debugDelivery(at: string): MockDelivery {
    const delivery = { id: String(this.#nextDelivery++), deliveredAt: at };
    this.#deliveries.set(delivery.id, delivery);
    return delivery;
  }

  delivery(id: string): MockDelivery | undefined {
    return this.#deliveries.get(id);
  }

  /** Counts only: the state of 100,000 codes is not dumped. */
  summary(): Record<string, unknown> {
    let unused = 0;
    let used = 0;
    let cancelled = 0;
    for (const c of this.#codes.values()) {
      if (c.status === 'UNUSED') unused++;
      else if (c.status === 'USED') used++;
      else cancelled++;
    }
    const orders = [...this.#orders.values()].slice(-50).map((o) => ({ orderId: o.orderId, tradeId: o.tradeId, status: o.status, pickupCodeId: o.pickupCodeId }));
    return { products: this.#products.size, codes: { unused, used, cancelled }, orders, deliveries: this.#deliveries.size };
  }
}

function hyphenated(tradeId: string): string {
  const m = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i.exec(tradeId);
  return m === null ? tradeId : m.slice(1).join('-');
}

/** A code of `length` random digits (§6.1: 6–10 characters). */
export function randomCode(length: number): string {
  let out = '';
  while (out.length < length) out += String(randomInt(0, 1_000_000_000)).padStart(9, '0');
  return out.slice(0, length);
}
