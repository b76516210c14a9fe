/**
 * Published test vectors (shared/reference/wechat-mp.md §3), shared by the signature, crypto and router tests.
 * Test-only data: nothing in the server imports this file.
 */

/** V3 – official safe-mode round trip (JSON push format; the crypto is the same as for XML). */
export const V3 = {
  token: "AAAAA",
  encodingAesKey: "A".repeat(43),
  appId: "wxba5fad812f8e6fb9",
  timestamp: "1714112445",
  nonce: "415670741",
  signature: "6c5c811b55cc85e0e1b54100749188c20beb3f5d",
  encrypt:
    "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=",
  msgSignature: "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3",
  message:
    '{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}',
  reply: {
    random: "707722b803182950",
    message: '{"demo_resp":"good luck"}',
    encrypt: "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==",
    timestamp: "1713424427",
    nonce: "415670741",
    msgSignature: "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1",
  },
} as const;

/** V4 – the official WXBizMsgCrypt sample values (as used by WxJava); V5 shares token, key and appid. */
export const V4 = {
  token: "pamtest",
  encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
  appId: "wxb11529c136998cb6",
  random: "aaaabbbbccccdddd",
  message: "我是中文abcd123",
  encrypt: "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==",
  timestamp: "1409304348",
  nonce: "xxxxxx",
  msgSignature: "82c962d39941aa48552f90ef55aa323dc620cc10",
} as const;

/** V5 – EasyWeChat's encrypted text message. */
export const V5 = {
  token: V4.token,
  encodingAesKey: V4.encodingAesKey,
  appId: V4.appId,
  timestamp: "1458300676",
  nonce: "260774613",
  msgSignature: "4f3ad57b6989f09f4eb392acce4f9e93942ed890",
  encrypt:
    "rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA==",
} as const;

/** V6 – wechatpy (WeCom variant, same algorithm; the corp id plays the appid's part). */
export const V6 = {
  token: "123456",
  encodingAesKey: "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
  appId: "wx49f0ab532d5d035a",
  timestamp: "1411525903",
  nonce: "461056294",
  decrypt: {
    msgSignature: "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
    encrypt:
      "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=",
  },
  encrypt: {
    random: "1234567890123456",
    message: [
      "<xml>",
      "<MsgType><![CDATA[text]]></MsgType>",
      "<Content><![CDATA[test]]></Content>",
      "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>",
      "<ToUserName><![CDATA[messense]]></ToUserName>",
      "<AgentID>1</AgentID>",
      "<CreateTime>1411525903</CreateTime>",
      "</xml>",
    ].join("\n"),
    encrypt:
      "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3",
    msgSignature: "407518b7649e86ef23978113f92d27afa9296533",
  },
} as const;
