"use strict";
// The fake official account every target is configured with. Not real credentials.
module.exports = {
  APPID: "wxbench0000000000001",
  APPSECRET: "bench-secret-0123456789abcdef",
  TOKEN: "benchtoken",
  AES_KEY: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
  TO_USER: "gh_bench0000001",
};
