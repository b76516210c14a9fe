// Type-checks the console without vue-tsc: each .vue file is compiled by @vue/compiler-sfc (script setup
// with its template inlined, still TypeScript) into a virtual `<file>.vue.ts` beside it, and the whole
// program goes through the TypeScript compiler. Template expressions are checked against the script's
// bindings; Element Plus component props are not (they resolve at runtime), which vue-tsc would add.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ts = require("typescript");
const { parse, compileScript } = require("@vue/compiler-sfc");

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const files = walk(src);
const virtual = new Map();
const problems = [];
for (const file of files.filter((f) => f.endsWith(".vue"))) {
  const { descriptor, errors } = parse(readFileSync(file, "utf8"), { filename: file });
  for (const error of errors) problems.push(`${relative(root, file)}: ${error.message}`);
  if (!descriptor.scriptSetup && !descriptor.script) {
    virtual.set(`${file}.ts`, "export default {} as any;\n");
    continue;
  }
  try {
    const compiled = compileScript(descriptor, { id: relative(root, file), inlineTemplate: true, isProd: false });
    // The compiled setup takes `__props: any`; give it back the declared props type so uses are checked.
    const propsType = /defineProps<([\s\S]*?)>\(\)/.exec(descriptor.scriptSetup?.content ?? "")?.[1];
    const content = propsType ? compiled.content.replace("setup(__props: any", `setup(__props: Readonly<${propsType}>`) : compiled.content;
    virtual.set(`${file}.ts`, content);
    // With every binding known to script setup, a template name that reaches `_ctx` is a typo.
    for (const match of content.matchAll(/_ctx\.([A-Za-z_][\w]*)/g)) {
      if (!match[1].startsWith("$")) problems.push(`${relative(root, file)}: template uses "${match[1]}", which the script does not define`);
    }
  } catch (error) {
    problems.push(`${relative(root, file)}: ${error.message}`);
  }
}

const configPath = join(root, "tsconfig.json");
const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root);
const options = { ...config.options, noEmit: true, allowImportingTsExtensions: true };
const rootNames = [...files.filter((f) => f.endsWith(".ts")), ...virtual.keys()];
const host = ts.createCompilerHost(options);
const readFile = host.readFile.bind(host);
const fileExists = host.fileExists.bind(host);
host.readFile = (name) => virtual.get(name) ?? readFile(name);
host.fileExists = (name) => virtual.has(name) || fileExists(name);
const getSourceFile = host.getSourceFile.bind(host);
host.getSourceFile = (name, language, onError, create) => {
  const text = virtual.get(name);
  return text !== undefined ? ts.createSourceFile(name, text, language, true) : getSourceFile(name, language, onError, create);
};

const program = ts.createProgram(rootNames, options, host);
// In generated template code, slot props and handler parameters of Element Plus components are untyped
// (implicit any), a v-if's narrowing does not reach the slot closures inside it (possibly null), and the
// compiler declares helpers ($event, hoisted nodes) that go unused while types used only by defineEmits
// are compiled away (unused imports). vue-tsc models all of these; here they are noise, so those codes
// are ignored in .vue files only. Plain .ts files get every check.
const TEMPLATE_NOISE = new Set([7006, 7031, 18047, 18048, 2531, 2532, 6133, 6192, 6196, 6198]);
const diagnostics = ts
  .getPreEmitDiagnostics(program)
  .filter((d) => !d.file || !d.file.fileName.includes("node_modules"))
  .filter((d) => !(d.file && virtual.has(d.file.fileName) && TEMPLATE_NOISE.has(d.code)));
for (const d of diagnostics) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (d.file && d.start !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    const lines = d.file.text.split("\n");
    problems.push(`${relative(root, d.file.fileName)}:${line + 1}:${character + 1} ${message}\n    ${lines[line]?.trim()}`);
  } else {
    problems.push(message);
  }
}
if (problems.length) {
  console.error(problems.join("\n"));
  console.error(`\n${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`typecheck: ${rootNames.length} files, no problems`);
