"use strict";
// Used with BENCH_PIPELINE_PRELOAD=bench/experiments/minimal-xml-parser.cjs (see docs/benchmarks.md). Patches server/dist in the
// benchmark's pipeline process only; relies on private internals and is not meant to be copied as is.
// PROTOTYPE (experiment only, NOT production-safe): a minimal parser for WeChat's flat callback XML, to bound
// what replacing xml2js would buy. Handles <Name><![CDATA[...]]></Name> and <Name>text</Name> children of <xml>.
require("./two-step-commit-returning.cjs");
const path = require("node:path");
const dist = path.resolve(__dirname, "../../server/dist");
const xml = require(path.join(dist, "wechat/callback/xml.js"));
const { CallbackError } = require(path.join(dist, "wechat/callback/errors.js"));
const CHILD = /<([A-Za-z_][\w.-]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g;
const ENT = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&apos;": "'" };
xml.parseXml = async function parseXmlFast(text) {
  if (/<!(?:DOCTYPE|ENTITY)/i.test(text)) throw new CallbackError(400, "doctype_refused");
  const start = text.indexOf("<xml>"), end = text.lastIndexOf("</xml>");
  if (start < 0 || end < start) throw new CallbackError(400, "malformed_xml");
  const body = text.slice(start + 5, end);
  const fields = {};
  CHILD.lastIndex = 0;
  let m;
  while ((m = CHILD.exec(body))) {
    fields[m[1]] = m[2] !== undefined ? m[2].trim() : m[3].replace(/&(lt|gt|amp|quot|apos);/g, (e) => ENT[e]).trim();
  }
  return fields;
};
