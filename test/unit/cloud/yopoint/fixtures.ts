/**
 * Yopoint examples from the spec (docs/vendors/yopoint.md) and the vendor
 * doc fragment of the apifox cabinet.order.get page (https://yopointapi.apifox.cn/api-150924989). Kept as
 * JSON text where the point is how the wire text parses.
 */

/** §2.1 worked example: the doc's sign string, secret shown as the placeholder `xxxxxx`. */
export const DOC_SIGN_EXAMPLE = {
  params: {
    appid: '930859529955',
    biz_content: '{"ReceiptNo":"OD190425164650841431"}',
    method: 'consumer.order.get',
    sign_type: 'md5',
    timestamp: '1556943545748',
    version: '1.0.0',
  },
  /** The doc's string up to (not including) `&` + secret. */
  base: 'appid=930859529955&biz_content={"ReceiptNo":"OD190425164650841431"}&method=consumer.order.get&sign_type=md5&timestamp=1556943545748&version=1.0.0',
  placeholderSecret: 'xxxxxx',
  /** §2.1: "MD5 of the string with the literal `xxxxxx` is 83271d89…" (stated by the spec, checked with md5sum). */
  md5WithPlaceholder: '83271d89b205934a374d70eb7b4a7b97',
  /** The doc's published sign: computed with a real secret we do not have, so not reproducible. */
  vendorSign: 'b156660e474668f63876c799870acdf8',
};

/** §1.2 failure example (replenish API). */
export const FAILURE_RESPONSE = '{"error_code":-1,"error_msg":"ERR_BARCODE_OUTSTOCK","data":"6926265305381"}';

/**
 * apifox cabinet.order.get response example (https://yopointapi.apifox.cn/api-150924989, page modified 2024-02-29).
 * Two edits: the vendor text has a trailing comma in `MemberVO.Platform`
 * (invalid JSON) which is removed, and `UserVO` is abridged to drop a
 * consumer's nickname, phone and avatar that the test does not need.
 */
export const APIFOX_ORDER_GET_RESPONSE = `{
    "error_code": 0,
    "error_msg": "SUCCESS",
    "sub_error_code": null,
    "sub_error_msg": null,
    "data": {
        "CID": "5f6da2362201410011fe7b72",
        "OID": "5e6b52d1b427cd001094a32a",
        "DeviceCode": "A001",
        "TerminalName": "测试机器",
        "UserID": "59e6f137360c5c000f27b6ce",
        "OpenID": "oNlHk5OU_e6DSo5_shMj-8SGJJjQ",
        "PayType": 90,
        "ScenesType": 0,
        "ServiceStatus": 2,
        "TradeNo": "",
        "ReceiptNo": "VI231228102118586561",
        "LandMarkName": "西田",
        "IndustryParentName": "公司企业工厂",
        "IndustryName": "孵化器、投资类公司",
        "PayTime": 1703730094,
        "Products": [
            {
                "Qty": 1,
                "BarCode": "6970399920439",
                "Name": "元气森林0糖苏打气泡水卡曼橘味480ml",
                "Price": 1,
                "CostPrice": 54,
                "TotalPrice": 1,
                "ProductVO": {
                    "Name": "元气森林0糖苏打气泡水卡曼橘味480ml",
                    "ImageUrl": "https://res.yopoint.com/resource/20220518/209efc9347453c3f724963b1ce8e482a.png",
                    "ImageFixWidthUrl": "https://res.yopoint.com/resource/20220518/de208490ab6f7ef29a948ccd9188d428.png"
                }
            }
        ],
        "DoorStatus": 0,
        "TradeStatus": 2,
        "Price": 1,
        "PayPrice": 1,
        "IsSuspicious": 0,
        "RefundsProducts": [
            {
                "Qty": 1,
                "BarCode": "6970399920439",
                "Name": "元气森林0糖苏打气泡水卡曼橘味480ml",
                "Price": 1,
                "CostPrice": 54,
                "TotalPrice": 1,
                "ProductVO": {
                    "Name": "元气森林0糖苏打气泡水卡曼橘味480ml",
                    "ImageUrl": "https://res.yopoint.com/resource/20220518/209efc9347453c3f724963b1ce8e482a.png",
                    "ImageFixWidthUrl": "https://res.yopoint.com/resource/20220518/de208490ab6f7ef29a948ccd9188d428.png"
                },
                "RealQty": 1
            }
        ],
        "RefundsPrice": 1,
        "RefundsTime": 1705389672,
        "id": "658cdb9e42860000117be999",
        "UserVO": { "Platform": 1, "id": "59e6f137360c5c000f27b6ce", "MemberVO": { "Platform": [1, 2] } },
        "NotifyUrl": ""
    }
}`;

/**
 * The GitBook cabinet.order.list example order, rebuilt from the §4.8 table
 * (values the table does not give are left out). `DoorStatus` appears twice,
 * as in the vendor example; JSON.parse keeps the last value.
 */
export const GITBOOK_ORDER_JSON = `{
  "CID": "5f519ebf4405f00010750ef5",
  "OID": "5db266d87bd4810010954b0e",
  "BID": "5d254c16683ead0011492950",
  "PayType": 202,
  "PayExtend": {},
  "ClientIPAddress": "113.26.166.135",
  "ScenesType": 0,
  "ServiceStatus": 2,
  "TradeNo": "2021012722001457321424619414",
  "ThirdpartyAppID": "",
  "ReceiptNo": "OD210127120126902082",
  "DoorStatus": 1,
  "TradeRawData": { "totalAmount": "0.02" },
  "PayTime": 1611720131,
  "Products": [{ "Qty": 2, "Price": 1, "CostPrice": 40, "TotalPrice": 2 }],
  "TradeStatus": 1,
  "Price": 2,
  "IsSuspicious": 0,
  "RefundsProducts": [],
  "RefundsPrice": 0,
  "RefundsRawData": {},
  "UserRefundsStatus": 0,
  "UserRefundsTime": 0,
  "UserRefundsReason": "",
  "DoorStatus": 0
}`;

/** §5.4 notify.cabinet.changed business params with the spec's example values (the vendor's own example is not valid JSON). */
export const CABINET_CHANGED_BIZ = {
  RequestID: 'fa0b2403-c369-49ca-8445-68822811f140',
  Name: '测试柜',
  DeviceCode: 'A001',
  Code: '108284445710',
  CargoConfig: [{ Row: 1, Col: 1, BarCode: '6970399920439' }],
  EnableSell: false,
  SellStatus: 1,
  OnlineStatus: 1,
  Province: '广东省',
  City: '深圳市',
  District: '南山区',
  ServicePhone: '4000000000',
  ExtElectronicStatus: 1,
  ReplenisherAccountID: '5e6b52d1b427cd001094a32a',
  CabinetCount: 4,
  Location: [113.93, 22.53],
};

/** The shape of the §5.4 vendor example: trailing commas and inline comments, so not JSON. */
export const CABINET_CHANGED_DOC_STYLE = `{
  "RequestID": "fa0b2403-c369-49ca-8445-68822811f140", // 去重
  "Code": "108284445710",
}`;
